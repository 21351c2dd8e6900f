import type { Context } from '../app/context.js';
import { findBackup } from '../app/resolve.js';
import { recordAccess } from '../app/access.js';
import { backupTree, snapshotWorkingTree, diffTrees, diffSummary } from '../git/diff.js';
import { archivedTree, requireContent } from '../app/archived-content.js';

export interface DiffArgs {
  id: string;
  stat: boolean;
  json: boolean;
}

/** What changed since the backup: backup on the left, working tree on the right, like `git diff <commit>`. */
export async function runDiff(ctx: Context, args: DiffArgs): Promise<void> {
  const record = findBackup(await ctx.store.read(), args.id);
  requireContent(record);
  const [from, to] = await Promise.all([
    record.state === 'ARCHIVED' ? archivedTree(ctx, record, 'diff') : backupTree(ctx.repo, record.snapshot, ctx.tmpDir),
    snapshotWorkingTree(ctx.repo, { includeIgnored: record.include_ignored, paths: record.paths, tmpDir: ctx.tmpDir }),
  ]);
  if (args.json) {
    ctx.io.out(JSON.stringify({ id: record.id, files: await diffSummary(ctx.repo, from, to) }));
  } else {
    const text = await diffTrees(ctx.repo, from, to, { stat: args.stat });
    if (text) process.stdout.write(text);
  }
  await recordAccess(ctx, record);
}
