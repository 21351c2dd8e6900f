// `git backup sync [REMOTE]`.
import type { Context } from '../app/context.js';
import { syncNotes } from '../app/sync.js';

export async function runSync(ctx: Context, args: { remote: string; json: boolean }): Promise<void> {
  const r = await syncNotes(ctx, args.remote);
  if (args.json) {
    ctx.io.out(JSON.stringify(r));
    return;
  }
  const parts = [r.fetched ? 'fetched' : 'remote had no notes', ...(r.merged ? ['merged'] : []), r.pushed ? 'pushed' : 'nothing to push'];
  ctx.io.out(`sync ${r.remote}: ${parts.join(', ')}`);
}
