// `git backup sync [REMOTE]`.
import type { Context } from '../app/context.js';
import { syncNotes } from '../app/sync.js';
import { define, inContext, jsonOpt } from './define.js';

export const syncCommand = define({
  command: 'sync [remote]',
  describe: 'fetch, merge (cat_sort_uniq) and push refs/notes/backups, so clones share backup histories',
  builder: (y) => y.positional('remote', { type: 'string', default: 'origin', describe: 'the remote to sync with' }).option('json', jsonOpt),
  handler: (a) => inContext((ctx) => runSync(ctx, { remote: a.remote, json: a.json })),
});

export async function runSync(ctx: Context, args: { remote: string; json: boolean }): Promise<void> {
  const r = await syncNotes(ctx, args.remote);
  if (args.json) {
    ctx.io.out(JSON.stringify(r));
    return;
  }
  const parts = [r.fetched ? 'fetched' : 'remote had no notes', ...(r.merged ? ['merged'] : []), r.pushed ? 'pushed' : 'nothing to push'];
  ctx.io.out(`sync ${r.remote}: ${parts.join(', ')}`);
}
