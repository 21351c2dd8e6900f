// `git backup restore <id> [paths..]`: write a backup's files back (app/restore.ts takes an undo point
// of the whole tree first, and writes only what differs) and say what it did and what it left out.
import type { Context } from '../app/context.js';
import type { RestoreOutcome } from '../app/restore.js';
import type { BackupRecord } from '../core/types.js';
import { define, idArg, inContext, jsonOpt, pathArgs, textOpt } from './define.js';

export interface RestoreArgs {
  id: string;
  to: string | undefined;
  paths: string[];
  json: boolean;
  sparse: boolean;
}

export const restoreCommand = define({
  command: 'restore <id> [paths..]',
  describe: "write a backup's files back (first backing up every file it would overwrite)",
  builder: (y) =>
    idArg(y)
      .positional('paths', { type: 'string', array: true, describe: 'only these files or directories' })
      .option('to', textOpt('to', { describe: 'restore into DIR instead of the working tree (must not hold different files)' }, { nonEmpty: true }))
      .option('sparse', { type: 'boolean', default: true, describe: 'in a sparse checkout, write only paths inside it (--no-sparse writes all)' })
      .option('json', jsonOpt)
      .example('git backup restore 20261121-1030 -- src/', 'bring back src/ only'),
  handler: (a) => inContext((ctx) => runRestore(ctx, { id: a.id, to: a.to, paths: pathArgs(a), json: a.json, sparse: a.sparse })),
});

export async function runRestore(ctx: Context, args: RestoreArgs): Promise<void> {
  const [{ resolve }, { resolveBackups }, { normalizePaths }, { restoreBackup }, { asWorktreeWriter }] = await Promise.all([
    import('node:path'),
    import('../app/resolve.js'),
    import('../app/create.js'),
    import('../app/restore.js'),
    import('../app/worktree-lock.js'),
  ]);
  const [record] = (await resolveBackups(ctx, [args.id])) as [BackupRecord];
  const restore = () =>
    restoreBackup(ctx, record, {
      to: args.to ? resolve(process.cwd(), args.to) : null,
      paths: normalizePaths(ctx, process.cwd(), args.paths),
      noSparse: !args.sparse,
      undo: { op: 'restore', reverts: null, labels: ['auto:restore'] },
      json: args.json,
    });
  // Into the working tree: its only writer meanwhile (an undo planned beside it would keep a half tree).
  const outcome = args.to ? await restore() : await asWorktreeWriter(ctx, restore);
  if (args.json) {
    ctx.io.out(
      JSON.stringify({
        id: record.id,
        target: outcome.target,
        written: outcome.written,
        removed: outcome.removed,
        unchanged: outcome.unchanged,
        overwritten: outcome.overwritten,
        safety_backup: outcome.safetyBackup,
        outside_sparse: outcome.outsideSparse,
        not_utf8: outcome.unnamed,
        submodules_not_restored: outcome.submodules,
      }),
    );
    return;
  }
  ctx.io.out(restoreSummary(record.id, outcome));
}

/** One line, plus one per thing the user must know about (what was skipped, and why). */
export function restoreSummary(id: string, o: RestoreOutcome): string {
  const parts = [`restored ${o.written} file(s) from ${id} into ${o.target}`];
  if (o.unchanged) parts[0] += ` (${o.unchanged} already identical, left untouched)`;
  if (o.removed) parts[0] += `, removed ${o.removed} file(s) it did not have`;
  if (o.safetyBackup) parts[0] += `; the tree as it was is in backup ${o.safetyBackup} (git backup undo)`;
  if (o.outsideSparse.length) parts.push(`${o.outsideSparse.length} file(s) outside the sparse checkout not written (${o.outsideSparse[0]}…); use --no-sparse to write them`);
  for (const s of o.submodules) parts.push(`submodule ${s.path} not restored: the backup had commit ${s.commit} (git -C ${s.path} checkout ${s.commit})`);
  if (o.unnamed.length) parts.push(`${o.unnamed.length} file(s) not restored: their names are not UTF-8 (${o.unnamed[0]}…); git checkout of the backup's snapshot commit restores them`);
  return parts.join('\n');
}
