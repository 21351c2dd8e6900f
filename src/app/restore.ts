// `git backup restore`: write a backup's files back. Every file it would overwrite in the working
// tree is first taken into a new backup (labelled auto:restore), so a restore can itself be undone;
// outside the working tree there is no snapshot to keep what would be replaced, so it refuses.
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Context } from './context.js';
import { findBackup } from './resolve.js';
import { createBackup, normalizePaths } from './create.js';
import { recordAccess } from './access.js';
import { archivedTree, requireContent } from './archived-content.js';
import { planRestore, planRestoreFromTree, filesThatDiffer, applyRestore } from '../git/restore.js';
import { refusedError } from '../errors.js';

export interface RestoreReport {
  id: string;
  target: string;
  written: number;
  overwritten: string[];
  /** The backup of what was overwritten, if anything was. */
  safety_backup: string | null;
}

/** Restore `paths` (all when empty or `.`) of backup `id` into `to` (default: the working tree); paths are relative to `cwd`. */
export async function restoreBackup(ctx: Context, args: { id: string; to: string | undefined; paths: string[]; cwd: string }): Promise<RestoreReport> {
  const record = await findBackup(ctx, await ctx.store.read(), args.id);
  requireContent(record);
  const paths = normalizePaths(ctx, args.cwd, args.paths);
  const target = args.to ? resolve(args.cwd, args.to) : ctx.repo.worktree;
  const selected = paths.includes('.') ? [] : paths;
  const plan =
    record.state === 'ARCHIVED'
      ? await planRestoreFromTree(ctx.repo, await archivedTree(ctx, record, 'restore'), selected)
      : await planRestore(ctx.repo, record.snapshot, selected);
  if (target !== ctx.repo.worktree) await mkdir(target, { recursive: true });
  const overwritten = await filesThatDiffer(plan, target);
  let safety: string | null = null;
  if (overwritten.length > 0) {
    if (target !== ctx.repo.worktree) {
      // Outside the working tree there is no git snapshot to keep what we would replace.
      throw refusedError(`restore into ${target} would overwrite ${overwritten.length} existing file(s) (${overwritten[0]}…); restore into an empty directory`);
    }
    const before = await createBackup(ctx, {
      message: `automatic backup before restoring ${record.id}`,
      includeIgnored: false,
      paths: overwritten,
      cwd: ctx.repo.worktree,
      pin: false,
      labels: ['auto:restore'],
      trigger: 'USER',
    });
    safety = before.id;
  }
  const { written } = await applyRestore(ctx.repo, plan, target, ctx.tmpDir);
  await recordAccess(ctx, record);
  return { id: record.id, target, written, overwritten, safety_backup: safety };
}
