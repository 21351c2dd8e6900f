// The store's lock: a directory renamed into place (atomic on every filesystem git runs on) holding an
// `owner` file that names its holder (a random token, its pid and host). Nothing else may write the
// store without it, and the store asks `held()` right before its commit point.
//
// Why not proper-lockfile (used until 0.x): its stale takeover stats the lock, then removes it by
// path, so two waiters that both saw one stale lock can both get in (its issue #121; it lost an
// update in our CI). Here a takeover renames the stale directory aside (only one process can move
// it) and looks at what it moved: if that is not the lock it judged stale (another waiter took over
// first and made a fresh one), it puts it back. A holder is the process whose token is in `owner`,
// so a displaced holder finds out before it writes and the store retries instead of writing.
//
// - Stale: the directory was not refreshed for the stale time (a live holder touches it every
//   stale/3), or its owner is a process of this host that is gone (kill -0), which lets a hook's
//   drain killed with -9 be replaced at once instead of after 10 s.
// - A claim is one rename of a directory that already holds its owner file (claim()), so no lock is
//   ever seen without its owner. A directory without `owner` is a release killed between removing
//   the file and the directory; the next claim replaces it (a rename replaces an empty directory).
//   Until 2026-12 a claim was mkdir then write, and a kill between the two blocked every drain and
//   command for the stale time (10 s).
import { mkdir, readFile, rename, rm, rmdir, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { nodeCrypto } from '../builtins.js';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { BackupError, ExitCode } from '../errors.js';
import { processAlive } from '../fs/process.js';

export interface LockSignal {
  /** Turned true by a refresh that found the lock no longer ours. */
  compromised: boolean;
  /** Whether the lock is still ours right now (reads the owner file); ask right before a write. */
  held(): Promise<boolean>;
}

export interface LockOptions {
  /** Give up after this long; default GIT_BACKUP_LOCK_TIMEOUT_MS, else max(15 s, 1.5 × stale). */
  timeoutMs?: number;
  /** Where the lock directory goes; default `${lockTarget}.lock`. */
  lockfilePath?: string;
}

const DEFAULT_STALE_MS = 10_000;
const MIN_STALE_MS = 2_000;
const OWNER = 'owner';

function envMs(name: string): number | undefined {
  const v = process.env[name];
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** The stale time: GIT_BACKUP_LOCK_STALE_MS (tests), at least 2 s; default 10 s. */
export function staleMs(): number {
  return Math.max(envMs('GIT_BACKUP_LOCK_STALE_MS') ?? DEFAULT_STALE_MS, MIN_STALE_MS);
}

export function lockTimeoutMs(): number {
  return envMs('GIT_BACKUP_LOCK_TIMEOUT_MS') ?? Math.max(15_000, Math.round(staleMs() * 1.5));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const code = (e: unknown) => (e as NodeJS.ErrnoException).code;

/** What a waiter saw of a lock directory: enough to know later whether it moved that same one. */
interface SeenLock {
  ino: number;
  token: string | null;
  ageMs: number;
  mtimeMs: number;
  /** The owner's pid when it is a process of this host that no longer exists. */
  deadPid: number | null;
  /** It has an owner whose process is alive (or of another host, which cannot be asked). */
  alive: boolean;
}

async function readOwner(dir: string): Promise<{ token: string; pid: number; host: string } | null> {
  try {
    const [token, pid, host] = (await readFile(join(dir, OWNER), 'utf8')).split(' ');
    // Half-written (claimed a moment ago): no token yet, judged like a directory without owner.
    if (!token || !pid || host === undefined) return null;
    return { token, pid: Number(pid), host: host.trimEnd() };
  } catch {
    return null;
  }
}

async function inspect(dir: string): Promise<SeenLock | null> {
  let st;
  try {
    st = await stat(dir);
  } catch (e) {
    if (code(e) === 'ENOENT') return null;
    throw e;
  }
  const owner = await readOwner(dir);
  const local = owner !== null && owner.host === hostname();
  // Another host's process cannot be asked: it counts as alive (its lock goes stale by age alone).
  const alive = owner !== null && (!local || (Number.isInteger(owner.pid) && processAlive(owner.pid)));
  const deadPid = local && Number.isInteger(owner.pid) && !alive ? owner.pid : null;
  return { ino: st.ino, token: owner?.token ?? null, ageMs: Date.now() - st.mtimeMs, mtimeMs: st.mtimeMs, deadPid, alive };
}

/**
 * Remove the stale lock `seen` if it is still the one at `dir`. True when we removed it. Only one
 * process can rename a directory away, and what it moved is compared with what it judged stale.
 */
async function takeOver(dir: string, seen: SeenLock, token: string): Promise<boolean> {
  const aside = `${dir}.stale-${token}`;
  try {
    await rename(dir, aside);
  } catch {
    return false; // someone else moved it first
  }
  const moved = await inspect(aside);
  // Gone already: the holder that got in meanwhile removed it with the leftovers (removeLeftoverTemps),
  // which takes only what has not been touched for the stale time, so what we moved was stale.
  if (moved === null) return true;
  if (moved.ino === seen.ino && moved.token === seen.token) {
    await rm(aside, { recursive: true, force: true });
    return true;
  }
  // We moved a lock made after we looked: give it back. If a newer one is there already, the one
  // we moved is gone and its holder finds that out in held() before it writes.
  await rename(aside, dir).catch(() => rm(aside, { recursive: true, force: true }));
  return false;
}

/**
 * Put a lock in place, owner file and all, in one step: a directory made beside it with our owner
 * file in it, renamed to `dir`. False when another process holds it. A rename replaces only an
 * empty directory, which no live holder of this version leaves: a claim is never seen half made, so
 * a process killed while claiming leaves nothing at `dir` (only `<dir>.new-<token>`, removed with the
 * leftovers), and an empty one (a release killed between its two steps) is simply replaced.
 */
async function claim(dir: string, token: string): Promise<boolean> {
  const fresh = `${dir}.new-${token}`;
  // Fails (ENOENT) when the store's directory is gone: that is for the caller to hear.
  await mkdir(fresh);
  try {
    await writeFile(join(fresh, OWNER), `${token} ${process.pid} ${hostname()}\n`, { flag: 'wx', mode: 0o600 });
    await rename(fresh, dir);
    return true;
  } catch (e) {
    await rm(fresh, { recursive: true, force: true }).catch(() => {});
    // ENOTEMPTY/EEXIST: a lock is there. ENOTDIR: a file is there, judged stale by its age like any
    // lock. ENOENT: our directory was removed as a leftover while we were stopped (SIGSTOP, a
    // laptop asleep) for longer than the stale time: try again.
    if (['ENOTEMPTY', 'EEXIST', 'ENOTDIR', 'ENOENT'].includes(code(e) ?? '')) return false;
    throw e;
  }
}

function describeTakeover(lockfilePath: string, seen: SeenLock): string {
  const why = seen.deadPid !== null ? `its process ${seen.deadPid} is gone` : `untouched for ${Math.round(seen.ageMs / 1000)}s`;
  return `git-backup: taking over a stale lock left by a dead process (${lockfilePath}, ${why})\n`;
}

/** How far in the future an mtime may be and still be read as a touch (clocks of one host's processes, coarse file times). */
const FUTURE_TOLERANCE_MS = 1000;

/**
 * How long the lock `seen` has gone untouched. An mtime further in the future than the tolerance
 * (another host's clock ahead, a file time set by hand) is no evidence of life: it would keep the
 * lock fresh until our clock catches up, and every command would time out meanwhile. Its age is
 * then how long this waiter has seen it unchanged: a live holder touches it every stale/3, with
 * whatever clock it has, so only a dead one stays unchanged for the stale time.
 */
function untouchedFor(seen: SeenLock, watch: { ino: number; mtimeMs: number; since: number } | null, now: number) {
  if (seen.ageMs >= -FUTURE_TOLERANCE_MS) return { age: seen.ageMs, watch: null };
  const same = watch !== null && watch.ino === seen.ino && watch.mtimeMs === seen.mtimeMs;
  const next = same ? watch : { ino: seen.ino, mtimeMs: seen.mtimeMs, since: now };
  return { age: now - next.since, watch: next };
}

async function acquire(dir: string, token: string, stale: number, timeout: number): Promise<void> {
  const deadline = Date.now() + timeout;
  let delay = 25;
  let watch: { ino: number; mtimeMs: number; since: number } | null = null;
  for (;;) {
    let seen: SeenLock | null;
    try {
      if (await claim(dir, token)) return;
      seen = await inspect(dir);
    } catch (e) {
      throw new BackupError(ExitCode.UNEXPECTED, `cannot lock the backup store at ${dir}: ${(e as Error).message}`);
    }
    if (seen === null) continue; // released between our claim and our look: try again at once
    const judged = untouchedFor(seen, watch, Date.now());
    watch = judged.watch;
    if (judged.age > stale || seen.deadPid !== null) {
      if (await takeOver(dir, seen, token)) process.stderr.write(describeTakeover(dir, { ...seen, ageMs: judged.age }));
      continue;
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new BackupError(
        ExitCode.LOCK_TIMEOUT,
        `could not lock the backup store at ${dir} within ${Math.round(timeout / 100) / 10}s: another git backup is running; retry`,
      );
    }
    // Jittered backoff, short at first (a store update takes milliseconds), capped at 250 ms.
    await sleep(Math.min(left, delay * (0.5 + Math.random())));
    delay = Math.min(delay * 1.5, 250);
  }
}

/**
 * Whether a live process holds the lock at `dir` right now: its owner file names a process of this
 * host that exists (or another host's), and it is not stale. A lock left by a killed process, or a
 * directory without an owner, is not.
 */
export async function heldByLiveProcess(dir: string): Promise<boolean> {
  const seen = await inspect(dir).catch(() => null);
  return seen !== null && seen.alive && seen.ageMs <= staleMs();
}

/**
 * Run fn while holding the lock on lockTarget. fn gets a signal to ask, right before any write,
 * whether the lock is still ours; a write after it says no must not happen.
 */
export async function withLock<T>(
  lockTarget: string,
  fn: (signal: LockSignal) => Promise<T>,
  opts: LockOptions = {},
): Promise<T> {
  const stale = staleMs();
  const dir = opts.lockfilePath ?? `${lockTarget}.lock`;
  const token = nodeCrypto().randomBytes(8).toString('hex');
  await acquire(dir, token, stale, opts.timeoutMs ?? lockTimeoutMs());

  const signal: LockSignal = {
    compromised: false,
    async held() {
      if (!signal.compromised && (await readOwner(dir))?.token !== token) signal.compromised = true;
      return !signal.compromised;
    },
  };
  const refresh = setInterval(() => {
    const now = new Date();
    void utimes(dir, now, now)
      .catch(() => undefined)
      .then(() => signal.held());
  }, Math.floor(stale / 3));
  refresh.unref();

  try {
    return await fn(signal);
  } finally {
    clearInterval(refresh);
    // A lock that is no longer ours is someone else's: leave it.
    if (await signal.held()) {
      await unlink(join(dir, OWNER)).catch(() => {});
      await rmdir(dir).catch(() => {});
    }
  }
}

/** The error for a write that must not happen because the lock was lost while we held it. */
export function lockLostError(lockfilePath: string): BackupError {
  return new BackupError(
    ExitCode.LOCK_TIMEOUT,
    `lost the lock on the backup store at ${lockfilePath} (it was not refreshed in time, or another process took it over); nothing was written; retry`,
  );
}
