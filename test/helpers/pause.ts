// Kill the real CLI at an exact step: GIT_BACKUP_TEST_PAUSE_AT makes it announce the point on
// stderr and wait; we SIGKILL it there (no cleanup handlers can run, as in a power cut).
//
// A process killed while it holds the store lock leaves the lock directory behind. The next command
// takes it over at once (its owner is a dead process of this host); kill() also ages it a minute,
// as the passing of time would, so the takeover does not hang on pid checks alone. Waiting the real
// stale time out is tested once, in test/store/lock.test.ts.
import { spawn } from 'node:child_process';
import { existsSync, utimesSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { CLI, TEST_ENV, type TestRepo } from './repo.js';

/** Make a lock left on the store by a dead process look as old as one whose stale time is long past. */
export function ageStoreLock(repo: TestRepo, ageMs = 60_000): boolean {
  let common = repo.git(['rev-parse', '--git-common-dir']);
  if (!isAbsolute(common)) common = join(repo.dir, common);
  const lock = join(common, 'backup', 'db.json.lock');
  if (!existsSync(lock)) return false;
  const old = new Date(Date.now() - ageMs);
  utimesSync(lock, old, old);
  return true;
}

export interface Paused {
  /** Everything the process printed on stderr before it paused. */
  stderr: string;
  /** SIGKILL it, wait for it to be gone, then age the lock it left (see above). */
  kill(): Promise<void>;
  /** Let it go on (SIGUSR1, again at each later pass by the point) and wait for it to exit. */
  resume(): Promise<{ code: number; stderr: string }>;
}

/** Start `git backup args` paused at `point`; resolves once it is waiting there (rejects if it exits first). */
export function runUntil(repo: TestRepo, args: string[], point: string, env: NodeJS.ProcessEnv = {}): Promise<Paused> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: repo.dir, env: { ...TEST_ENV, ...env, GIT_BACKUP_TEST_PAUSE_AT: point } });
    let stderr = '';
    let paused = false;
    // Once resumed, it goes on through every later pass by the same point (one per file for restore:before-rename).
    let resuming = false;
    let pauses = 0;
    let code = -1;
    const closed = new Promise<void>((r) => child.on('close', (c) => ((code = c ?? -1), r())));
    child.stdout.resume();
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      const seen = stderr.split(`test pause at ${point}`).length - 1;
      if (resuming && seen > pauses) child.kill('SIGUSR1');
      pauses = seen;
      if (!paused && stderr.includes(`test pause at ${point}`)) {
        paused = true;
        resolve({
          stderr,
          kill: async () => {
            child.kill('SIGKILL');
            await closed;
            ageStoreLock(repo);
          },
          resume: async () => {
            resuming = true;
            child.kill('SIGUSR1');
            await closed;
            return { code, stderr };
          },
        });
      }
    });
    child.on('close', (code) => {
      if (!paused) reject(new Error(`git backup ${args.join(' ')} exited ${code} before pausing at ${point}: ${stderr}`));
    });
  });
}
