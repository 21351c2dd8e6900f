// `git backup gc`: prune the objects that only deleted (or archived) backups held. Git decides what
// is unreachable — anything a branch, tag, reflog, stash or index reaches stays — and, unless
// --now, keeps unreachable objects younger than gc.pruneExpire (default 2.weeks.ago), as git gc
// does; with --now, those younger than GC_NOW_GRACE_MS (what a running git command may still be
// writing), not while a command is still writing a backup (store/object-writers.ts), and not while
// a git command stages into an index.lock. Reflogs, worktrees and rerere (the rest of `git gc`) are the user's and left alone.
import { access, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context } from './context.js';
import { git } from '../git/exec.js';
import { beginJournal, endJournal } from '../store/journal.js';
import { settleJournals } from './settle.js';
import { withActivity } from './progress.js';
import { pauseAt } from '../test-pause.js';
import { asPruner, PrunerOvertakenError } from '../store/object-writers.js';
import { BackupError, ExitCode } from '../errors.js';

export interface GcReport {
  expire: string;
  bytes_before: number;
  bytes_after: number;
  bytes_freed: number;
  repacked: boolean;
}

/** Bytes of every file under dir (the object database: loose objects and packs). */
async function diskBytes(dir: string): Promise<number> {
  let total = 0;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += await diskBytes(p);
    else if (e.isFile()) total += (await stat(p).catch(() => ({ size: 0 }))).size;
  }
  return total;
}

export function gcBackups(ctx: Context, now: boolean): Promise<GcReport> {
  return withActivity('gc', ctx.progress, (step) => gc(ctx, now, step));
}

async function gc(ctx: Context, now: boolean, step: (text: string) => void): Promise<GcReport> {
  const cwd = ctx.repo.worktree;
  await settleJournals(ctx);
  if (now) {
    return asPruner(ctx.store.paths.dir, async ({ oldestWriter, stillHeld }) => {
      // Not beside a writer still running (an undo waiting at its question): what it writes may
      // reuse an old object only a deleted backup reaches (a kept index names blobs without
      // writing them again), which no expiry can tell from garbage.
      if (oldestWriter !== null) {
        throw new BackupError(ExitCode.LOCK_TIMEOUT, `gc --now: a git backup command has been writing a backup since ${new Date(oldestWriter).toISOString()}; nothing was pruned: run it again once it is done`);
      }
      // A git command of the user's staging into index.lock (commit -a waiting for its message)
      // holds blobs only that file names, however old: prune reads the index, not the lock.
      const locked = await indexLocks(ctx);
      if (locked.length > 0) {
        throw new BackupError(ExitCode.LOCK_TIMEOUT, `gc --now: a git command is running (${locked.join(', ')} exists) and the objects it staged are not reachable yet; nothing was pruned: run it again once it is done (remove the file if no git command is running)`);
      }
      // The kept temporary indexes (git/worktree-index.ts) may name blobs only a deleted backup
      // held: a backup through one after this prune would name a blob that is gone.
      await rm(join(ctx.store.paths.dir, 'worktree-index'), { recursive: true, force: true });
      try {
        return await prune(ctx, graceExpiry(), step, stillHeld);
      } catch (e) {
        if (!(e instanceof PrunerOvertakenError)) throw e;
        throw new BackupError(ExitCode.UNEXPECTED, 'gc --now was held up for seconds (stopped, or the machine stalled) and commands writing backups went ahead; it stopped before pruning beside them: run it again');
      }
    });
  }
  const configured = await git(['config', '--get', 'gc.pruneExpire'], { cwd, okCodes: [1] });
  return prune(ctx, configured.stdout.trim() || '2.weeks.ago', step);
}

/**
 * gc --now spares unreachable objects younger than this. A git command writes its objects before
 * the ref that reaches them (a commit its tree and commit, then the branch; an amend then the notes
 * commit git copies our notes to; a fetch its loose objects, then the remote-tracking refs), and
 * `git prune` deletes whatever its walk did not reach, including what was written while it walked:
 * `--expire=now` beside a `commit --amend` loop left HEAD, or refs/notes/backups, naming a missing
 * object (hostile campaign 47). Our own writers are covered by their markers; the user's by this.
 */
export const GC_NOW_GRACE_MS = 10 * 60_000;

function graceExpiry(): string {
  const set = Number(process.env.GIT_BACKUP_TEST_GC_GRACE_MS); // TEST-ONLY: the suite prunes at once
  const ms = process.env.GIT_BACKUP_TEST_GC_GRACE_MS !== undefined && set >= 0 ? set : GC_NOW_GRACE_MS;
  if (ms === 0) return 'now';
  return ms % 60_000 === 0 ? `${ms / 60_000}.minutes.ago` : `${Math.ceil(ms / 1000)}.seconds.ago`;
}

/** `index.lock` files of the repository's worktrees: a git command staging (git's own lock). */
async function indexLocks(ctx: Context): Promise<string[]> {
  const dirs = new Set([ctx.repo.gitDir, ctx.repo.commonDir]);
  const linked = join(ctx.repo.commonDir, 'worktrees');
  for (const n of await readdir(linked).catch(() => [] as string[])) dirs.add(join(linked, n));
  const found: string[] = [];
  for (const d of dirs) {
    const lock = join(d, 'index.lock');
    if (await access(lock).then(() => true, () => false)) found.push(lock);
  }
  return found;
}

/** repack and prune with `expire`; `beforeDeleting` (gc --now: its marker still held) before each. */
async function prune(ctx: Context, expire: string, step: (text: string) => void, beforeDeleting?: () => Promise<void>): Promise<GcReport> {
  const cwd = ctx.repo.worktree;
  const objects = join(ctx.repo.commonDir, 'objects');
  step('measuring objects');
  const before = await diskBytes(objects);
  const journal = await beginJournal(ctx.store.paths.dir, { op: 'gc' });
  const counts = (await git(['count-objects', '-v'], { cwd })).stdout;
  const packs = Number(/^packs: (\d+)$/m.exec(counts)?.[1] ?? 0);
  // Packed unreachable objects: repack keeps the reachable ones and loosens the unreachable ones
  // younger than the expiry (so prune judges them by the same rule); older ones are dropped.
  if (packs > 0) step('repacking (git repack -A)');
  if (packs > 0) {
    await beforeDeleting?.();
    await git(['repack', '-A', '-d', '-l', '-q', `--unpack-unreachable=${expire}`], { cwd });
  }
  await pauseAt('gc:after-repack');
  step('pruning (git prune)');
  await beforeDeleting?.();
  await git(['prune', `--expire=${expire}`], { cwd });
  await endJournal(journal);
  const after = await diskBytes(objects);
  return { expire, bytes_before: before, bytes_after: after, bytes_freed: Math.max(0, before - after), repacked: packs > 0 };
}
