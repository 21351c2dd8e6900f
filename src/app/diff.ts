// `git backup diff`: what changed between a backup and the working tree, backup on the left and the
// working tree on the right, like `git diff <commit>`. An ARCHIVED backup is read from its checked
// archive (app/archived-content.ts), so it diffs exactly like a live snapshot.
import type { Context } from './context.js';
import { findBackup } from './resolve.js';
import { recordAccess } from './access.js';
import { archivedTree, requireContent } from './archived-content.js';
import { backupTree, snapshotWorkingTree, diffTrees, diffSummary } from '../git/diff.js';

export type DiffResult =
  | { kind: 'summary'; id: string; files: Awaited<ReturnType<typeof diffSummary>> }
  | { kind: 'text'; id: string; text: string };

/** The diff as a per-file summary (`summary`) or as git prints it (a patch, or `--stat` with `stat`). */
export async function diffBackup(ctx: Context, id: string, opts: { stat: boolean; summary: boolean }): Promise<DiffResult> {
  const record = await findBackup(ctx, await ctx.store.read(), id);
  requireContent(record);
  const [from, to] = await Promise.all([
    record.state === 'ARCHIVED' ? archivedTree(ctx, record, 'diff') : backupTree(ctx.repo, record.snapshot, ctx.tmpDir),
    snapshotWorkingTree(ctx.repo, { includeIgnored: record.include_ignored, paths: record.paths, tmpDir: ctx.tmpDir }),
  ]);
  const result: DiffResult = opts.summary
    ? { kind: 'summary', id: record.id, files: await diffSummary(ctx.repo, from, to) }
    : { kind: 'text', id: record.id, text: await diffTrees(ctx.repo, from, to, { stat: opts.stat }) };
  await recordAccess(ctx, record);
  return result;
}
