// `git backup gc [--now] [--json]`.
import type { Context } from '../app/context.js';
import { gcBackups } from '../app/gc.js';
import { formatBytes } from './format.js';
import { define, inContext, jsonOpt } from './define.js';

export const gcCommand = define({
  command: 'gc',
  describe: 'prune objects only deleted or archived backups held (git decides reachability); reports bytes freed',
  builder: (y) =>
    y
      .option('now', { type: 'boolean', default: false, describe: 'prune what is older than 10 minutes instead of gc.pruneExpire (default 2 weeks); never beside a git backup command writing a backup (exit 5 after 3 s) or a git command holding index.lock (exit 5)' })
      .option('json', jsonOpt)
      .epilogue('Runs git repack -A --unpack-unreachable=<expiry> (only when there are packs) and git prune --expire=<expiry>; never touches reflogs. See docs/archive.md.'),
  handler: (a) => inContext((ctx) => runGc(ctx, { now: a.now, json: a.json })),
});

export async function runGc(ctx: Context, args: { now: boolean; json: boolean }): Promise<void> {
  ctx.progress = !args.json;
  const r = await gcBackups(ctx, args.now);
  if (args.json) ctx.io.out(JSON.stringify(r));
  else ctx.io.out(`gc: freed ${formatBytes(r.bytes_freed)} (objects ${formatBytes(r.bytes_before)} -> ${formatBytes(r.bytes_after)}; unreachable objects older than ${r.expire} pruned)`);
}
