// `git backup gc [--now] [--json]`.
import type { Context } from '../app/context.js';
import { gcBackups } from '../app/gc.js';
import { formatBytes } from './format.js';

export async function runGc(ctx: Context, args: { now: boolean; json: boolean }): Promise<void> {
  const r = await gcBackups(ctx, args.now);
  if (args.json) ctx.io.out(JSON.stringify(r));
  else ctx.io.out(`gc: freed ${formatBytes(r.bytes_freed)} (objects ${formatBytes(r.bytes_before)} -> ${formatBytes(r.bytes_after)}; unreachable objects older than ${r.expire} pruned)`);
}
