// Commands that are writing git objects no ref reaches yet (a snapshot between its first write-tree
// and its ref, the backup restore takes before it overwrites the tree), and `gc --now`, which must
// never prune them. git's own advice is that `git prune --expire=now` is unsafe beside other
// writers; a hostile test ran `gc --now` beside `create` and `restore` and lost the backup restore
// had just taken.
//
// Markers in <store>/writers/: each writer leaves `<pid>.<token>.<host>` for as long as it runs, and
// a pruning gc leaves `gc.<pid>.<token>.<host>`. A writer, once its marker exists, waits while a
// pruning gc runs; the gc, once its marker exists, looks at the writers and prunes only objects
// older than the oldest one. Whichever wrote its marker second sees the other's: a writer the gc
// did not see writes nothing until the gc is done, and one it saw keeps everything it writes (git
// freshens the mtime of an object it would write again, so an old object a writer reuses counts as
// new too).
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { processAlive } from '../fs/process.js';

/** A writer's marker older than this names a process long gone (its pid may be reused): not counted. */
const FORGET_MS = 24 * 3600_000;
/** A pruning gc of another host older than this is not waited for (its pid cannot be checked). */
const FOREIGN_GC_MS = 3600_000;
const WAIT_STEP_MS = 50;

const WRITER = /^(\d+)\.[0-9a-f]+\.(.*)$/;
const PRUNER = /^gc\.(\d+)\.[0-9a-f]+\.(.*)$/;

const writersDir = (storeDir: string) => join(storeDir, 'writers');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Write a marker (the directory made if needed, but never the store: a store that is gone stays gone). */
async function mark(storeDir: string, prefix: string): Promise<string> {
  const dir = writersDir(storeDir);
  await mkdir(dir, { mode: 0o700 }).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'EEXIST') throw e;
  });
  const marker = join(dir, `${prefix}${process.pid}.${randomBytes(4).toString('hex')}.${hostname()}`);
  await writeFile(marker, '', { mode: 0o600 });
  return marker;
}

/** Markers matching `re` whose process is still there (this host), with when each was written; the others go. */
async function liveMarkers(storeDir: string, re: RegExp, forgetMs: number, now: number): Promise<number[]> {
  const dir = writersDir(storeDir);
  const names = await readdir(dir).catch(() => [] as string[]);
  const started: number[] = [];
  for (const name of names) {
    const m = re.exec(name);
    if (!m || (m[1] === String(process.pid) && m[2] === hostname() && re === PRUNER)) continue;
    const p = join(dir, name);
    const at = await stat(p).then((s) => s.mtimeMs, () => null);
    if (at === null) continue;
    const here = m[2] === hostname();
    if (here ? !processAlive(Number(m[1])) : now - at > forgetMs) {
      if (here) await unlink(p).catch(() => undefined);
      continue;
    }
    started.push(at);
  }
  return started;
}

/** Run fn with a marker saying that this process writes objects no ref reaches yet. */
export async function asObjectWriter<T>(storeDir: string, fn: () => Promise<T>): Promise<T> {
  const marker = await mark(storeDir, '');
  try {
    while ((await liveMarkers(storeDir, PRUNER, FOREIGN_GC_MS, Date.now())).length > 0) await sleep(WAIT_STEP_MS);
    return await fn();
  } finally {
    await unlink(marker).catch(() => undefined);
  }
}

/**
 * Run a pruning gc: fn gets when the oldest writer still running started (ms, from its marker), or
 * null when none is; writers that start meanwhile wait for fn to end.
 */
export async function asPruner<T>(storeDir: string, fn: (oldestWriter: number | null) => Promise<T>): Promise<T> {
  const marker = await mark(storeDir, 'gc.');
  try {
    const writers = await liveMarkers(storeDir, WRITER, FORGET_MS, Date.now());
    return await fn(writers.length ? Math.min(...writers) : null);
  } finally {
    await unlink(marker).catch(() => undefined);
  }
}
