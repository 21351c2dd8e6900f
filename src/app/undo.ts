// undo and redo: put the working tree back to a backup's state exactly (files it did not have are
// removed, not only the ones it had written back), after an undo point of the tree as it is, so that
// every undo can be redone and every redo undone.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context } from './context.js';
import type { BackupRecord } from '../core/types.js';
import { redoTarget, undoPointOf, undoTarget, type UndoPoint } from '../core/undo-stack.js';
import { backupTree, diffSummary, diffTrees, snapshotWorkingTree, type FileChange } from '../git/diff.js';
import { archivedTree, requireContent, requireLocalContent } from './archived-content.js';
import { restoreBackup, type RestoreOutcome } from './restore.js';
import { findBackup } from './resolve.js';
import { notFoundError } from '../errors.js';
import { gitLine } from '../git/exec.js';
import { processAlive } from '../fs/process.js';
import { cloneIdOf, isThisWorktree } from './clone.js';
import { isForeign } from '../core/record.js';
import { asObjectWriter } from '../store/object-writers.js';
import { normalizeSelector, underAny } from '../git/tree.js';

export type PutBackKind = 'undo' | 'redo';

/** What putting the tree back would change, file by file, from the tree now to the target's. */
export interface PutBackPlan {
  target: BackupRecord;
  /** The undo point this goes back to (null for `undo ID` naming any backup). */
  point: UndoPoint | null;
  changes: FileChange[];
  /** From the current tree to the target's, for the preview. */
  trees: { now: string; then: string };
  /** HEAD moved since the target was taken: files come back, commits stay (git reset moves HEAD). */
  headMoved: boolean;
}

/** The undo points of this worktree, from the backups' labels. */
function pointsOf(ctx: Context, backups: readonly BackupRecord[], cloneId: string): UndoPoint[] {
  const out: UndoPoint[] = [];
  for (const b of backups) {
    if (!isThisWorktree(b.worktree, ctx.repo) || isForeign(b, cloneId)) continue;
    const p = undoPointOf(b);
    if (p) out.push(p);
  }
  return out;
}

/** Run a whole undo or redo (its plan, a question, the put-back): the trees it reads are objects gc --now must spare. */
export function asPutBack<T>(ctx: Context, fn: () => Promise<T>): Promise<T> {
  return asObjectWriter(ctx.store.paths.dir, fn);
}

/** The backup `undo` (with or without an id) or `redo` would put back, and what that changes. */
export async function planPutBack(ctx: Context, kind: PutBackKind, id: string | null): Promise<PutBackPlan> {
  const data = await ctx.store.read();
  let target: BackupRecord;
  let point: UndoPoint | null = null;
  if (id !== null) {
    target = await findBackup(ctx, data, id);
  } else {
    point = (kind === 'undo' ? undoTarget : redoTarget)(pointsOf(ctx, data.backups, await cloneIdOf(ctx)));
    if (!point) throw notFoundError((kind === 'undo' ? 'nothing to undo: no run, restore or redo has changed this working tree' : 'nothing to redo') + (await pendingHint(ctx)));
    target = data.backups.find((b) => b.id === point!.id)!;
  }
  requireContent(target);
  await requireLocalContent(ctx, target);
  const [now, then, head] = await Promise.all([
    snapshotWorkingTree(ctx.repo, { includeIgnored: false, paths: target.paths, tmpDir: ctx.tmpDir }),
    target.state === 'ARCHIVED' ? archivedTree(ctx, target, kind) : backupTree(ctx.repo, target.snapshot, ctx.tmpDir),
    gitLine(['rev-parse', '-q', '--verify', 'HEAD'], { cwd: ctx.repo.worktree }).catch(() => null),
  ]);
  // A path-limited backup (`undo ID`) covers its paths only: outside them its tree is HEAD as it
  // was then, and a file committed since read as one to delete (undo removed it, though it writes
  // nothing there).
  const scope = target.paths.map(normalizeSelector).filter((p) => p !== '' && p !== '.');
  const changes = (await diffSummary(ctx.repo, now, then)).filter((c) => scope.length === 0 || underAny(c.path, scope));
  return { target, point, changes, trees: { now, then }, headMoved: head !== target.base };
}

/** The preview: a diffstat of what putting the tree back changes. */
export const previewText = (ctx: Context, plan: PutBackPlan) => diffTrees(ctx.repo, plan.trees.now, plan.trees.then, { stat: true });

/**
 * Put the tree back as the plan says; the undo point taken first makes it reversible. Finishing one
 * that was killed takes a point of its own too: the tree may hold work done since (a hostile test
 * edited files after the kill, and recover's finish overwrote them with nothing holding them).
 */
async function putBack(ctx: Context, kind: PutBackKind, plan: PutBackPlan, json = true): Promise<RestoreOutcome> {
  // D: in the tree now, not in the target's: removed (ignored files are never in either tree).
  // A name that is not UTF-8 is shown with U+FFFD: removing by it would delete another file (one
  // whose name reads the same), or nothing. Such a file stays, and the outcome says so.
  const gone = plan.changes.filter((c) => c.status === 'D');
  const remove = gone.filter((c) => !c.unnamed).map((c) => c.path);
  const unspellable = gone.filter((c) => c.unnamed).map((c) => c.path);
  const out = await restoreBackup(ctx, plan.target, {
    to: null,
    paths: [],
    noSparse: false,
    remove,
    undo: { op: kind, reverts: plan.target.id, labels: [] },
    json,
    beforeWrite: (point) => writeIntent(ctx, { kind, target: plan.target.id, point, pid: process.pid, started_at: ctx.now.toISOString() }),
  });
  return unspellable.length ? { ...out, unnamed: [...out.unnamed, ...unspellable] } : out;
}

// An undo or redo writes many files; killed midway, it leaves a tree half put back. The intent file
// says what it was doing, so `recover` finishes it (the undo point taken first keeps the tree as it
// was, so `undo` after that reverses it instead).
const intentPath = (ctx: Context) => join(ctx.store.paths.dir, 'putback.json');

interface PutBackIntent {
  kind: PutBackKind;
  target: string;
  /** The undo point holding the tree as it was before the first write. */
  point: string | null;
  pid: number;
  started_at: string;
}

/**
 * Written once the undo point exists and before the first file is touched: killed before it, the
 * tree is untouched and there is nothing to finish.
 */
const writeIntent = (ctx: Context, intent: PutBackIntent) => writeFile(intentPath(ctx), JSON.stringify(intent) + '\n');

/** Put the tree back, its intent recorded for the time it writes. */
export async function putBackRecorded(ctx: Context, kind: PutBackKind, plan: PutBackPlan, json: boolean): Promise<RestoreOutcome> {
  const out = await putBack(ctx, kind, plan, json);
  await rm(intentPath(ctx), { force: true });
  return out;
}

/** Undo points of this worktree taken after the interrupted put-back's own (after it started, when it took none), newest first. */
async function laterUndoPoints(ctx: Context, intent: PutBackIntent): Promise<string[]> {
  const data = await ctx.store.read();
  const own = intent.point ? data.backups.find((b) => b.id === intent.point) : undefined;
  const since = own?.created_at ?? intent.started_at;
  return pointsOf(ctx, data.backups, await cloneIdOf(ctx))
    // A point of the same put-back (a recover finishing it, killed before it wrote its intent) is no change of course.
    .filter((p) => p.id !== intent.point && p.created_at > since && !(p.op === intent.kind && p.reverts === intent.target))
    .sort((a, b) => (a.created_at < b.created_at ? 1 : -1))
    .map((p) => p.id);
}

/**
 * "; …" naming an undo or redo that was killed midway and not finished yet (its intent file is
 * there, its process gone), or '': the tree is half put back, and "nothing to undo" alone would hide
 * that `recover` finishes it.
 */
async function pendingHint(ctx: Context): Promise<string> {
  const intent = await readIntent(ctx).catch(() => null); // unreadable: recover says so
  if (!intent || typeof intent.target !== 'string' || runningElsewhere(intent)) return '';
  return `; an interrupted ${intent.kind === 'redo' ? 'redo' : 'undo'} to ${intent.target} was not finished: git backup recover finishes it${intent.point ? ` (the tree before it is in ${intent.point})` : ''}`;
}

/** The intent file's content, or null when there is none; throws when it cannot be read or parsed. */
async function readIntent(ctx: Context): Promise<PutBackIntent | null> {
  try {
    return JSON.parse(await readFile(intentPath(ctx), 'utf8')) as PutBackIntent;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** The put-back that wrote the intent is still running (another process, alive). */
const runningElsewhere = (intent: PutBackIntent) => intent.pid !== process.pid && processAlive(intent.pid);

/** recover's part: finish an undo/redo whose process died, and say what was done (null: nothing to do). */
export async function finishInterruptedPutBack(ctx: Context): Promise<string | null> {
  let intent: PutBackIntent | null;
  try {
    intent = await readIntent(ctx);
  } catch {
    await rm(intentPath(ctx), { force: true });
    return `removed an unreadable ${intentPath(ctx)}`;
  }
  if (!intent || runningElsewhere(intent)) return null; // none, or still running
  // A run, restore, undo, redo or agent checkpoint since the kill changed the tree on purpose (its
  // undo point is newer than this one's): finishing now would put the old target back over that
  // work. The intent is stale; the tree as the kill left it is in the interrupted one's point.
  const later = await laterUndoPoints(ctx, intent);
  if (later.length) {
    await rm(intentPath(ctx), { force: true });
    return `interrupted ${intent.kind} to ${intent.target} not finished: the working tree was changed since by ${later.length} later run(s), restore(s), undo(s) or checkpoint(s) (${later[0]}…)${intent.point ? `; the tree before it is in ${intent.point}` : ''}`;
  }
  const plan = await planPutBack(ctx, intent.kind, intent.target);
  const out = await putBack(ctx, intent.kind, plan);
  await rm(intentPath(ctx), { force: true });
  const before = [intent.point && `before the ${intent.kind} in ${intent.point}`, out.safetyBackup && `before this finish in ${out.safetyBackup}`].filter(Boolean);
  const back = before.length ? `; the tree ${before.join(', ')} (git backup ${intent.kind === 'undo' ? 'redo' : 'undo'} goes back one step)` : '';
  return `finished the interrupted ${intent.kind} to ${intent.target} (${out.written} file(s) written, ${out.removed} removed)${back}`;
}
