// `git backup diff`: what changed between a backup and the working tree, backup on the left and the
// working tree on the right, like `git diff <commit>`; or from one backup to another (the before and
// after of a `run`). An ARCHIVED backup is read from its checked archive (app/archived-content.ts), so
// it diffs exactly like a live snapshot.
import type { Context } from './context.js';
import type { BackupRecord } from '../core/types.js';
import { findBackup } from './resolve.js';
import { recordAccess } from './access.js';
import { archivedTree, requireContent, requireLocalContent } from './archived-content.js';
import { backupTree, snapshotWorkingTree, diffTrees, diffSummary } from '../git/diff.js';
import { asObjectWriter } from '../store/object-writers.js';

export type DiffResult =
  | { kind: 'summary'; id: string; other: string | null; files: Awaited<ReturnType<typeof diffSummary>> }
  | { kind: 'text'; id: string; other: string | null; text: string };

const treeOf = (ctx: Context, record: BackupRecord) =>
  record.state === 'ARCHIVED' ? archivedTree(ctx, record, 'diff') : backupTree(ctx.repo, record.snapshot, ctx.tmpDir);

/**
 * The diff as a per-file summary (`summary`) or as git prints it (a patch, or `--stat` with `stat`),
 * against the working tree, or against backup `otherId` when given.
 */
/** The diff of a backup; the trees it builds (the working tree, an archive read back) are objects gc --now must spare. */
export function diffBackup(ctx: Context, id: string, otherId: string | null, opts: { stat: boolean; summary: boolean }): Promise<DiffResult> {
  return asObjectWriter(ctx.store.paths.dir, () => diff(ctx, id, otherId, opts));
}

async function diff(ctx: Context, id: string, otherId: string | null, opts: { stat: boolean; summary: boolean }): Promise<DiffResult> {
  const data = await ctx.store.read();
  const record = await findBackup(ctx, data, id);
  const other = otherId === null ? null : await findBackup(ctx, data, otherId);
  requireContent(record);
  if (other) requireContent(other);
  await requireLocalContent(ctx, record);
  if (other) await requireLocalContent(ctx, other);
  const [from, to] = await Promise.all([
    treeOf(ctx, record),
    other ? treeOf(ctx, other) : snapshotWorkingTree(ctx.repo, { includeIgnored: record.include_ignored, paths: record.paths, tmpDir: ctx.tmpDir }),
  ]);
  const base = { id: record.id, other: other?.id ?? null };
  const result: DiffResult = opts.summary
    ? { kind: 'summary', ...base, files: await diffSummary(ctx.repo, from, to) }
    : { kind: 'text', ...base, text: await diffTrees(ctx.repo, from, to, { stat: opts.stat }) };
  await recordAccess(ctx, record);
  return result;
}
