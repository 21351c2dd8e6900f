// `git backup fetch [REMOTE]`: other clones' backups from the backup remote (docs/remote.md).
import type { Context } from '../app/context.js';
import type { FetchReport } from '../app/remote.js';
import { define, inContext, jsonOpt } from './define.js';
import { remoteArg } from './push.js';

export const fetchCommand = define({
  command: 'fetch [remote]',
  describe: "merge the backup remote's notes and fetch the content this clone lacks (other clones' snapshots, archives gone here)",
  builder: (y) =>
    y
      .positional('remote', remoteArg)
      .option('json', jsonOpt)
      .example('git backup fetch && git backup list', "see every clone's backups"),
  handler: (a) => inContext((ctx) => runFetch(ctx, { remote: a.remote, json: a.json })),
});

export async function runFetch(ctx: Context, args: { remote?: string | undefined; json: boolean }): Promise<void> {
  const { fetchBackups } = await import('../app/remote.js');
  const r = await fetchBackups(ctx, args.remote);
  if (args.json) ctx.io.out(JSON.stringify(r));
  else printFetch(ctx, r);
}

function printFetch(ctx: Context, r: FetchReport): void {
  for (const f of r.failed) ctx.io.err(`git backup: fetch ${f.id}: ${f.why}`);
  ctx.io.out(`fetch ${r.remote}: ${r.notes ? 'notes merged' : 'notes up to date'}, ${r.snapshots} snapshot(s) fetched, ${r.archives} archive(s) written back`);
}
