import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Context } from '../app/context.js';
import { findBackup } from '../app/resolve.js';
import { createBackup, normalizePaths } from '../app/create.js';
import { recordAccess } from '../app/access.js';
import { planRestore, planRestoreFromTree, filesThatDiffer, applyRestore } from '../git/restore.js';
import { archivedTree } from '../app/archived-content.js';
import { refusedError } from '../errors.js';
import { requireContent } from './content.js';

export interface RestoreArgs {
  id: string;
  to: string | undefined;
  paths: string[];
  json: boolean;
}

export async function runRestore(ctx: Context, args: RestoreArgs): Promise<void> {
  const record = await findBackup(ctx, await ctx.store.read(), args.id);
  requireContent(record);
  const paths = normalizePaths(ctx, process.cwd(), args.paths);
  const target = args.to ? resolve(process.cwd(), args.to) : ctx.repo.worktree;
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
  if (args.json) {
    ctx.io.out(JSON.stringify({ id: record.id, target, written, overwritten, safety_backup: safety }));
    return;
  }
  const undo = safety ? `; what it replaced is in backup ${safety} (git backup restore ${safety})` : '';
  ctx.io.out(`restored ${written} file(s) from ${record.id} into ${target}${undo}`);
}

