// One writer of a working tree at a time: restore, undo, redo, and recover finishing an interrupted
// one. Each plans from the tree as it finds it (the undo point it takes first holds that tree), so
// a second one planning while the first writes would record a half-written tree as its undo point,
// and `redo` would bring that half tree back (a hostile test: two undos at once, 6 of 6 runs).
// The second waits for the first (up to the lock timeout, then exit 5), then plans from the tree
// the first left.
import { join } from 'node:path';
import { nodeCrypto } from '../builtins.js';
import { withLock } from '../store/lock.js';
import { BackupError, ExitCode } from '../errors.js';
import { worktreeKey } from './clone.js';
import type { Context } from './context.js';

/** Run fn as the only writer of this working tree (the store is shared by linked worktrees: one lock each). */
export function asWorktreeWriter<T>(ctx: Context, fn: () => Promise<T>): Promise<T> {
  const key = nodeCrypto().createHash('sha256').update(worktreeKey(ctx.repo)).digest('hex').slice(0, 16);
  const dir = join(ctx.store.paths.dir, `worktree-${key}.lock`);
  return withLock(dir, () => fn(), { lockfilePath: dir }).catch((e: unknown) => {
    // Only our own wait is said this way: a lock of the store inside fn keeps its message.
    if (e instanceof BackupError && e.exitCode === ExitCode.LOCK_TIMEOUT && e.message.includes(dir)) {
      throw new BackupError(ExitCode.LOCK_TIMEOUT, `another restore, undo or redo is writing this working tree (${dir} is held); nothing was changed; retry once it is done`);
    }
    throw e;
  });
}
