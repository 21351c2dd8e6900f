// `git backup push [REMOTE]`: backups to the backup remote (docs/remote.md).
import type { Context } from '../app/context.js';
import type { PushReport } from '../app/remote.js';
import { define, inContext, jsonOpt } from './define.js';

export const remoteArg = { type: 'string', describe: 'a remote name or URL (default: backup.remote)' } as const;

export const pushCommand = define({
  command: 'push [remote]',
  describe: 'send snapshots, archives and notes to the backup remote (backups holding ignored files or backup.sensitive paths stay here unless backup.remote.includeSensitive), verify the remote holds each one, and record the copies',
  builder: (y) =>
    y
      .positional('remote', remoteArg)
      .option('allow-legacy-paths', { type: 'boolean', default: false, describe: 'push even though notes written by an earlier version hold absolute worktree paths' })
      .option('json', jsonOpt)
      .example('git config backup.remote backup && git backup push', 'push to the remote named "backup"')
      .example('git backup push ssh://nas/srv/git/project-backups.git', 'push to a URL once'),
  handler: (a) => inContext((ctx) => runPush(ctx, { remote: a.remote, json: a.json, allowLegacyPaths: a.allowLegacyPaths })),
});

export async function runPush(ctx: Context, args: { remote?: string | undefined; json: boolean; allowLegacyPaths?: boolean }): Promise<void> {
  const { pushBackups } = await import('../app/remote.js');
  const r = await pushBackups(ctx, args.remote, { allowLegacyPaths: args.allowLegacyPaths ?? false });
  if (args.json) ctx.io.out(JSON.stringify(r));
  else printPush(ctx, r);
}

function printPush(ctx: Context, r: PushReport): void {
  for (const s of r.skipped) ctx.io.out(`not pushed ${s.id}: ${s.why}`);
  for (const f of r.failed) ctx.io.err(`git backup: push ${f.id}: ${f.why}`);
  ctx.io.out(`push ${r.remote}: ${r.sent} sent, ${r.already} already there, ${r.verified} verified, ${r.recorded} copies recorded, ${r.skipped.length} kept private${r.notes ? ', notes pushed' : ''}`);
}
