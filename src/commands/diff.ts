import type { Context } from '../app/context.js';
import type { BackupRecord } from '../core/types.js';
import { findBackup } from '../app/resolve.js';
import { recordAccess } from '../app/access.js';
import { backupTree, snapshotWorkingTree, diffTrees, diffSummary } from '../git/diff.js';
import { archivedTree, requireContent } from '../app/archived-content.js';

export interface DiffArgs {
  id: string;
  /** A second backup to compare with, instead of the working tree. */
  other: string | null;
  stat: boolean;
  json: boolean;
}

const treeOf = (ctx: Context, record: BackupRecord) =>
  record.state === 'ARCHIVED' ? archivedTree(ctx, record, 'diff') : backupTree(ctx.repo, record.snapshot, ctx.tmpDir);

/**
 * What changed since the backup: backup on the left, working tree on the right, like `git diff
 * <commit>`; or from one backup to another (the before and after of a `run`).
 */
export async function runDiff(ctx: Context, args: DiffArgs): Promise<void> {
  const data = await ctx.store.read();
  const record = findBackup(data, args.id);
  const other = args.other === null ? null : findBackup(data, args.other);
  requireContent(record);
  if (other) requireContent(other);
  const [from, to] = await Promise.all([
    treeOf(ctx, record),
    other ? treeOf(ctx, other) : snapshotWorkingTree(ctx.repo, { includeIgnored: record.include_ignored, paths: record.paths, tmpDir: ctx.tmpDir }),
  ]);
  if (args.json) {
    ctx.io.out(JSON.stringify({ id: record.id, ...(other ? { other: other.id } : {}), files: await diffSummary(ctx.repo, from, to) }));
  } else {
    const text = await diffTrees(ctx.repo, from, to, { stat: args.stat });
    if (text) process.stdout.write(text);
  }
  await recordAccess(ctx, record);
}
