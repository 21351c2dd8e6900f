// Kill the real CLI at an exact step: GIT_BACKUP_TEST_PAUSE_AT makes it announce the point on
// stderr and wait; we SIGKILL it there (no cleanup handlers can run, as in a power cut).
import { spawn } from 'node:child_process';
import { CLI, TEST_ENV, type TestRepo } from './repo.js';

export interface Paused {
  /** Everything the process printed on stderr before it paused. */
  stderr: string;
  kill(): Promise<void>;
  /** Let it go on (SIGUSR1) and wait for it to exit. */
  resume(): Promise<{ code: number; stderr: string }>;
}

/** Start `git backup args` paused at `point`; resolves once it is waiting there (rejects if it exits first). */
export function runUntil(repo: TestRepo, args: string[], point: string, env: NodeJS.ProcessEnv = {}): Promise<Paused> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: repo.dir, env: { ...TEST_ENV, ...env, GIT_BACKUP_TEST_PAUSE_AT: point } });
    let stderr = '';
    let paused = false;
    let code = -1;
    const closed = new Promise<void>((r) => child.on('close', (c) => ((code = c ?? -1), r())));
    child.stdout.resume();
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!paused && stderr.includes(`test pause at ${point}`)) {
        paused = true;
        resolve({
          stderr,
          kill: async () => {
            child.kill('SIGKILL');
            await closed;
          },
          resume: async () => {
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
