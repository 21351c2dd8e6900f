// Commands that are writing git objects no ref reaches yet (a snapshot between its first write-tree
// and its ref, the backup restore takes before it overwrites the tree), and `gc --now`, which must
// never prune them. git's own advice is that `git prune --expire=now` is unsafe beside other
// writers; a hostile test ran `gc --now` beside `create` and `restore` and lost the backup restore
// had just taken.
//
// Markers in <store>/writers/: each writer leaves `<pid>.<token>.<host>` for as long as it runs, and
// a pruning gc leaves `gc.<pid>.<token>.<host>`. A writer, once its marker exists, waits while a
// pruning gc runs; the gc, once its marker exists, waits (a while) for the writers it sees to
// finish, and prunes nothing if one is still running. Whichever wrote its
// marker second sees the other's: a writer the gc did not see writes nothing until the gc is done.
// A gc touches its marker every second, so one that was killed (its pid perhaps reused, or on
// another host) stops holding writers back within seconds; one that was only held up that long
// (stopped, a stalled machine) finds its marker gone before its next deleting step, and stops.
import { nodeCrypto } from '../builtins.js';
import { mkdir, readdir, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { processAlive } from '../fs/process.js';

/** A writer's marker older than this names a process long gone (its pid may be reused): not counted. */
const FORGET_MS = 24 * 3600_000;
/** A pruning gc touches its marker this often; one untouched for GC_DEAD_MS is gone. */
const GC_HEARTBEAT_MS = 1000;
const GC_DEAD_MS = 5000;
/** How long a pruning gc waits for the writers it found to finish (else it prunes nothing). */
const WRITERS_WAIT_MS = 3000;
/** A writer held back this long says so (once). */
const SAY_WAITING_MS = 2000;
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
  const marker = join(dir, `${prefix}${process.pid}.${nodeCrypto().randomBytes(4).toString('hex')}.${hostname()}`);
  await writeFile(marker, '', { mode: 0o600 });
  return marker;
}

/**
 * Markers of live writers (`re` WRITER) or pruning gcs (PRUNER), each as [pid, when written or last
 * touched]. A marker of a process gone from this host, or a gc's marker not touched for
 * GC_DEAD_MS, is removed; another host's writer older than FORGET_MS is not counted.
 */
async function liveMarkers(storeDir: string, re: RegExp, now: number): Promise<[number, number][]> {
  const dir = writersDir(storeDir);
  const names = await readdir(dir).catch(() => [] as string[]);
  const live: [number, number][] = [];
  for (const name of names) {
    const m = re.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    const here = m[2] === hostname();
    if (here && pid === process.pid) continue;
    const p = join(dir, name);
    const at = await stat(p).then((s) => s.mtimeMs, () => null);
    if (at === null) continue;
    const dead = (here && !processAlive(pid)) || (re === PRUNER ? now - at > GC_DEAD_MS : !here && now - at > FORGET_MS);
    if (dead) {
      if (here || re === PRUNER) await unlink(p).catch(() => undefined);
      continue;
    }
    live.push([pid, at]);
  }
  return live;
}

/** Run fn with a marker saying that this process writes objects no ref reaches yet. */
export async function asObjectWriter<T>(storeDir: string, fn: () => Promise<T>): Promise<T> {
  const marker = await mark(storeDir, '');
  try {
    const since = Date.now();
    let said = false;
    for (let gcs = await liveMarkers(storeDir, PRUNER, since); gcs.length > 0; gcs = await liveMarkers(storeDir, PRUNER, Date.now())) {
      if (!said && Date.now() - since > SAY_WAITING_MS) {
        said = true;
        process.stderr.write(`git-backup: waiting for git backup gc --now (pid ${gcs[0]![0]}) to finish pruning\n`);
      }
      await sleep(WAIT_STEP_MS);
    }
    return await fn();
  } finally {
    await unlink(marker).catch(() => undefined);
  }
}

/** What a pruning gc learns from the markers, and the check it makes before each step that deletes. */
export interface Pruning {
  /** When the oldest writer still running after the wait started (ms, from its marker), or null when none is. */
  oldestWriter: number | null;
  /**
   * Throws when writers stopped waiting for this gc (its marker untouched for GC_DEAD_MS: the
   * process was stopped, the machine stalled): they may be writing now, so nothing more is pruned.
   */
  stillHeld(): Promise<void>;
}

/** The pruning gc was held up so long that writers took it for gone. */
export class PrunerOvertakenError extends Error {}

/** Run a pruning gc; writers that start meanwhile wait for fn to end. */
export async function asPruner<T>(storeDir: string, fn: (p: Pruning) => Promise<T>): Promise<T> {
  const marker = await mark(storeDir, 'gc.');
  const heartbeat = setInterval(() => {
    const now = new Date();
    utimes(marker, now, now).catch(() => undefined);
  }, GC_HEARTBEAT_MS);
  heartbeat.unref();
  try {
    // Writers already under way usually finish in moments: prune after them, everything unreachable.
    const until = Date.now() + WRITERS_WAIT_MS;
    let writers = await liveMarkers(storeDir, WRITER, Date.now());
    while (writers.length > 0 && Date.now() < until) {
      await sleep(WAIT_STEP_MS);
      writers = await liveMarkers(storeDir, WRITER, Date.now());
    }
    const stillHeld = async () => {
      const now = new Date();
      await utimes(marker, now, now).catch(() => {
        throw new PrunerOvertakenError();
      });
    };
    return await fn({ oldestWriter: writers.length ? Math.min(...writers.map(([, at]) => at)) : null, stillHeld });
  } finally {
    clearInterval(heartbeat);
    await unlink(marker).catch(() => undefined);
  }
}
