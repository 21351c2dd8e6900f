// Restoring a backup: choose its files (its own paths, the user's selection, the sparse checkout),
// back up whatever the restore would overwrite, then write only what differs.
import { mkdir } from 'node:fs/promises';
import type { Context } from './context.js';
import type { BackupRecord } from '../core/types.js';
import { inSparseCheckout } from '../core/sparse.js';
import { undoPointLabels, type UndoOp } from '../core/undo-stack.js';
import { beginJournal, endJournal } from '../store/journal.js';
import { applyRestore, compareWithTarget, removeFiles, planRestore, planRestoreFromTree, type RestorePlan } from '../git/restore.js';
import { readSparseCheckout } from '../git/sparse.js';
import { archivedTree, requireContent, requireLocalContent } from './archived-content.js';
import { createBackup } from './create.js';
import { asObjectWriter } from '../store/object-writers.js';
import { recordAccess } from './access.js';
import { progressLine } from './progress.js';
import { refusedError } from '../errors.js';

export interface RestoreOptions {
  /** Absolute target directory; the working tree when null. */
  to: string | null;
  /** Repository-relative paths the user asked for; empty for all of the backup. */
  paths: string[];
  /** Write paths outside a sparse checkout too (`--no-sparse`). */
  noSparse: boolean;
  /**
   * What the undo point taken before writing says: the operation, what it reverts, extra labels.
   * Null only when finishing an interrupted undo/redo, whose point was taken before it was killed.
   */
  undo: { op: UndoOp; reverts: string | null; labels: string[] } | null;
  /** The command prints JSON: no progress line. */
  json?: boolean;
  /** Runs after the undo point is taken and before the first write (undo records its intent here). */
  beforeWrite?: (undoPoint: string | null) => Promise<void>;
  /**
   * Files to delete after writing (undo and redo: what exists now and not in the state they put
   * back). Everything is in the undo point first; ignored files are never listed.
   */
  remove?: string[];
}

export interface RestoreOutcome {
  target: string;
  written: number;
  removed: number;
  unchanged: number;
  overwritten: string[];
  safetyBackup: string | null;
  /** Files of the backup left out because the sparse checkout does not hold them. */
  outsideSparse: string[];
  /** Submodule pointers the restore did not move: path and the commit the backup had. */
  submodules: { path: string; commit: string }[];
  /** Files not written because their names are not UTF-8 (shown with U+FFFD). */
  unnamed: string[];
}

/** The files a restore of `record` would write, before the sparse checkout is applied. */
async function planFor(ctx: Context, record: BackupRecord, paths: string[]): Promise<RestorePlan> {
  const selection = { scope: record.paths, paths: paths.includes('.') ? [] : paths };
  return record.state === 'ARCHIVED'
    ? planRestoreFromTree(ctx.repo, await archivedTree(ctx, record, 'restore'), selection)
    : planRestore(ctx.repo, record.snapshot, selection);
}

/**
 * Leave out what a sparse checkout keeps out of the working tree: files to write, and files to
 * remove alike (an undo that removed a file outside the cone would not be reversed by its redo,
 * which writes none there: a hostile test lost the symmetry).
 */
async function applySparse(ctx: Context, plan: RestorePlan, remove: string[]): Promise<{ plan: RestorePlan; remove: string[]; outside: string[] }> {
  const read = await readSparseCheckout(ctx.repo);
  if (!read) return { plan, remove, outside: [] };
  const inCone = (p: string) => inSparseCheckout(p, read.sparse, read.tracked);
  const outside = [...plan.files.map((f) => f.path), ...remove].filter((p) => !inCone(p));
  return { plan: { files: plan.files.filter((f) => inCone(f.path)) }, remove: remove.filter(inCone), outside };
}

/** Whether a path to remove stands in the way of a planned one: it is one of its parents, or under it. */
function blocks(planned: string[]): (removed: string) => boolean {
  const parents = new Set(planned.flatMap((p) => p.split('/').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('/'))));
  const files = new Set(planned);
  return (removed) => parents.has(removed) || removed.split('/').slice(0, -1).some((_, i, parts) => files.has(parts.slice(0, i + 1).join('/')));
}

/** Restore (or put back) a backup; its temporary trees and the backup taken first are objects gc --now must spare. */
export function restoreBackup(ctx: Context, record: BackupRecord, opts: RestoreOptions): Promise<RestoreOutcome> {
  return asObjectWriter(ctx.store.paths.dir, () => restore(ctx, record, opts));
}

async function restore(ctx: Context, record: BackupRecord, opts: RestoreOptions): Promise<RestoreOutcome> {
  requireContent(record);
  await requireLocalContent(ctx, record);
  const target = opts.to ?? ctx.repo.worktree;
  const intoWorktree = target === ctx.repo.worktree;
  let plan = await planFor(ctx, record, opts.paths);
  let outsideSparse: string[] = [];
  let remove = intoWorktree ? (opts.remove ?? []) : [];
  if (intoWorktree && !opts.noSparse) ({ plan, remove, outside: outsideSparse } = await applySparse(ctx, plan, remove));
  if (!intoWorktree) await mkdir(target, { recursive: true });
  // What it removes goes after the writes, but for what stands in the way of one (a run that
  // turned a file into a directory, or a directory into a link, is undone): that goes first.
  const inTheWay = new Set(remove.filter(blocks(plan.files.map((f) => f.path))));
  const { differ, unchanged } = await compareWithTarget(plan, target, intoWorktree ? ctx.repo : undefined, inTheWay);
  if (differ.length > 0 && !intoWorktree) {
    // Outside the working tree there is no git snapshot to keep what we would replace.
    throw refusedError(`restore into ${target} would overwrite ${differ.length} existing file(s) (${differ[0]}…); restore into an empty directory`);
  }
  const writes = plan.files.some((f) => f.mode !== '160000' && !unchanged.has(f.path));
  let safetyBackup: string | null = null;
  if (opts.undo && intoWorktree && (writes || remove.length > 0)) {
    // The undo point: the whole tree as it is, so undo (or restore of it) brings back everything
    // this changes, overwritten files and the files it adds or removes alike.
    const before = await createBackup(ctx, {
      message: `automatic backup before ${opts.undo.op === 'restore' ? 'restoring' : `${opts.undo.op} to`} ${record.id}`,
      includeIgnored: false,
      paths: [],
      cwd: ctx.repo.worktree,
      pin: false,
      labels: [...opts.undo.labels, ...undoPointLabels(opts.undo.op, opts.undo.reverts)],
      trigger: 'USER',
      allowEmpty: true,
      // Ignored files it overwrites or removes (a .env, a file a run's new .gitignore rule now
      // covers): in the undo point too, or nothing would hold them afterwards.
      alsoIgnored: [...differ, ...remove],
    });
    if (before.kind !== 'empty') safetyBackup = before.record.id;
  }
  await opts.beforeWrite?.(safetyBackup);
  const total = plan.files.reduce((n, f) => n + (unchanged.has(f.path) ? 0 : f.size), 0);
  const progress = progressLine(`restoring ${record.id}`, total, { json: opts.json ?? false });
  const removedFirst = await removeFiles(ctx.repo.worktree, [...inTheWay]);
  const result = await applyRestore(ctx.repo, plan, target, {
    tmpDir: ctx.tmpDir,
    unchanged,
    onBytes: (n) => progress.update(n),
    // Killed midway, `recover` removes the temp files this restore had to put in the tree.
    noteTempsBeside: async (t) => {
      const file = await beginJournal(ctx.store.paths.dir, { op: 'restore-temps', ...t });
      return () => endJournal(file);
    },
  }).finally(() => progress.end());
  const removed = removedFirst + (await removeFiles(ctx.repo.worktree, remove.filter((p) => !inTheWay.has(p))));
  await recordAccess(ctx, record);
  return {
    target,
    removed,
    written: result.written,
    unchanged: result.unchanged,
    overwritten: differ,
    safetyBackup,
    outsideSparse,
    submodules: result.submodules.map((f) => ({ path: f.path, commit: f.blob })),
    unnamed: plan.unnamed ?? [],
  };
}
