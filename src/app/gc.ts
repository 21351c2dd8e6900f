// `git backup gc`: prune the objects that only deleted (or archived) backups held. Git decides what
// is unreachable — anything a branch, tag, reflog, stash or index reaches stays — and, unless
// --now, keeps unreachable objects younger than gc.pruneExpire (default 2.weeks.ago), as git gc
// does; with --now, none, and not while a command is still writing a backup (store/object-writers.ts). Reflogs, worktrees and rerere (the rest of `git gc`) are the user's and left alone.
import { readdir, rm, stat } from 'node:fs/promises';
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
      // The kept temporary indexes (git/worktree-index.ts) may name blobs only a deleted backup
      // held: a backup through one after this prune would name a blob that is gone.
      await rm(join(ctx.store.paths.dir, 'worktree-index'), { recursive: true, force: true });
      try {
        return await prune(ctx, 'now', step, stillHeld);
      } catch (e) {
        if (!(e instanceof PrunerOvertakenError)) throw e;
        throw new BackupError(ExitCode.UNEXPECTED, 'gc --now was held up for seconds (stopped, or the machine stalled) and commands writing backups went ahead; it stopped before pruning beside them: run it again');
      }
    });
  }
  const configured = await git(['config', '--get', 'gc.pruneExpire'], { cwd, okCodes: [1] });
  return prune(ctx, configured.stdout.trim() || '2.weeks.ago', step);
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
