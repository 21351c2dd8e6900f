// Commands that are writing git objects no ref reaches yet (a snapshot between its first write-tree
// and its ref, the backup restore takes before it overwrites the tree), so that `gc --now` never
// prunes them. git's own advice is that `git prune --expire=now` is unsafe beside other writers;
// a hostile test ran `gc --now` beside `create` and `restore` and lost the backup restore had just
// taken. Each writer leaves a marker file, <store>/writers/<pid>.<token>.<host>, for as long as it
// runs; gc prunes only objects older than the oldest live marker (git freshens the mtime of an
// object it would write again, so an old object a writer reuses is younger than that too).
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { processAlive } from '../fs/process.js';

/** A marker older than this names a process long gone (its pid may be reused): not counted. */
const FORGET_MS = 24 * 3600_000;

const writersDir = (storeDir: string) => join(storeDir, 'writers');

/** Run fn with a marker saying that this process writes objects no ref reaches yet. */
export async function asObjectWriter<T>(storeDir: string, fn: () => Promise<T>): Promise<T> {
  const dir = writersDir(storeDir);
  const marker = join(dir, `${process.pid}.${randomBytes(4).toString('hex')}.${hostname()}`);
  // Not recursive: a store that is gone (its repository deleted under a drain) is not made again.
  await mkdir(dir, { mode: 0o700 }).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'EEXIST') throw e;
  });
  await writeFile(marker, '', { mode: 0o600 });
  try {
    return await fn();
  } finally {
    await unlink(marker).catch(() => undefined);
  }
}

/**
 * When the oldest writer still running started (ms, from its marker's mtime), or null when none
 * is. Markers of processes that are gone (this host) are removed.
 */
export async function oldestWriterStart(storeDir: string, now = Date.now()): Promise<number | null> {
  const dir = writersDir(storeDir);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return null;
  }
  let oldest: number | null = null;
  for (const name of names) {
    const m = /^(\d+)\.[0-9a-f]+\.(.*)$/.exec(name);
    if (!m) continue;
    const p = join(dir, name);
    const started = await stat(p).then((s) => s.mtimeMs, () => null);
    if (started === null) continue;
    const gone = (m[2] === hostname() && !processAlive(Number(m[1]))) || now - started > FORGET_MS;
    if (gone) {
      await unlink(p).catch(() => undefined);
      continue;
    }
    if (oldest === null || started < oldest) oldest = started;
  }
  return oldest;
}
