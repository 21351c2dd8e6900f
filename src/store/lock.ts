// One proper-lockfile lock around the store, used so that nothing can kill the process or hang it.
//
// - realpath:false: the locked file (db.json) may not exist yet.
// - Our own retry loop with a deadline that outlasts the stale time, so a lock left by a dead process
//   is always taken over before we give up (proper-lockfile's `retries` counts attempts, not time).
// - onCompromised only marks the signal: the default throws from a timer and kills the process. The
//   store checks the signal before it writes and aborts cleanly with exit 5.
// - A lock left by a dead process can look fresh for up to a second beyond the stale time:
//   proper-lockfile's mtime-precision probe sets a new lock's mtime to the next whole second.
// - proper-lockfile removes a stale lock silently; we stat the lock first so the takeover is reported.
// - A stale takeover can let two waiters in (proper-lockfile issue #121): the store's generation
//   compare-and-swap is what makes that harmless, not this file.
import { stat } from 'node:fs/promises';
import { BackupError, ExitCode } from '../errors.js';

export interface LockSignal {
  compromised: boolean;
}

export interface LockOptions {
  /** Give up after this long; default GIT_BACKUP_LOCK_TIMEOUT_MS, else max(15 s, 1.5 × stale). */
  timeoutMs?: number;
  /** Where the lock directory goes; default `${lockTarget}.lock`. */
  lockfilePath?: string;
}

const DEFAULT_STALE_MS = 10_000;
const MIN_STALE_MS = 2_000; // proper-lockfile clamps to this anyway

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

type LockFn = typeof import('proper-lockfile').lock;
let lockFn: LockFn | undefined;
async function properLock(): Promise<LockFn> {
  // Loaded on first use: read-only commands never pay for it (graceful-fs, retry, signal-exit).
  if (!lockFn) lockFn = (await import('proper-lockfile')).default.lock;
  return lockFn;
}

/** Age of the lock directory in ms, or null when there is none. */
async function lockAge(lockPath: string): Promise<number | null> {
  try {
    return Date.now() - (await stat(lockPath)).mtimeMs;
  } catch {
    return null;
  }
}

/**
 * Run fn while holding the lock on lockTarget. fn gets a signal whose `compromised` turns true when
 * the lock was lost (refresh failed, or someone else took it over); it must check it before writing.
 */
export async function withLock<T>(
  lockTarget: string,
  fn: (signal: LockSignal) => Promise<T>,
  opts: LockOptions = {},
): Promise<T> {
  const lock = await properLock();
  const stale = staleMs();
  const timeout = opts.timeoutMs ?? lockTimeoutMs();
  const lockfilePath = opts.lockfilePath ?? `${lockTarget}.lock`;
  const signal: LockSignal = { compromised: false };
  const deadline = Date.now() + timeout;
  let release: (() => Promise<void>) | undefined;
  let delay = 25;
  // Whoever saw the lock stale may be the one whose attempt removed it even if another process
  // then won the race for the fresh lock; remembering it across attempts means the takeover is
  // always reported by someone.
  let staleAge: number | null = null;

  for (;;) {
    const seenAt = Date.now();
    const age = await lockAge(lockfilePath);
    if (age !== null && age > stale) staleAge = age;
    try {
      release = await lock(lockTarget, {
        realpath: false,
        lockfilePath,
        stale,
        update: Math.floor(stale / 2),
        retries: 0,
        onCompromised: () => {
          signal.compromised = true;
        },
      });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ELOCKED') {
        throw new BackupError(ExitCode.UNEXPECTED, `cannot lock the backup store at ${lockfilePath}: ${(e as Error).message}`);
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new BackupError(
          ExitCode.LOCK_TIMEOUT,
          `could not lock the backup store at ${lockfilePath} within ${Math.round(timeout / 100) / 10}s: another git backup is running; retry`,
        );
      }
      // Jittered backoff, short at first (a store update takes milliseconds), capped at 250 ms.
      await sleep(Math.min(left, delay * (0.5 + Math.random())));
      delay = Math.min(delay * 1.5, 250);
      continue;
    }
    // A lock just short of stale when we looked can be stale by the time proper-lockfile looks (a
    // loaded machine): it removed it silently. A live holder refreshes its lock every stale/2, so a
    // lock that had reached the stale time when we got in was taken over, not released.
    if (staleAge === null && age !== null && age + (Date.now() - seenAt) > stale) staleAge = age + (Date.now() - seenAt);
    if (staleAge !== null) {
      process.stderr.write(
        `git-backup: taking over a stale lock left by a dead process (${lockfilePath}, untouched for ${Math.round(staleAge / 1000)}s)\n`,
      );
    }
    break;
  }

  try {
    return await fn(signal);
  } finally {
    // After a compromise the lock is no longer ours: releasing would remove someone else's.
    if (!signal.compromised) await release().catch(() => {});
  }
}

/** The error for a write that must not happen because the lock was lost while we held it. */
export function lockLostError(lockfilePath: string): BackupError {
  return new BackupError(
    ExitCode.LOCK_TIMEOUT,
    `lost the lock on the backup store at ${lockfilePath} (it was not refreshed in time, or another process took it over); nothing was written; retry`,
  );
}
