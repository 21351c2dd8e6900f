// Benchmarks with our hooks installed: the `git-backup` command on PATH (a shim, as a global install
// would provide), waiting for detached drains, and the store's backup.log as the drains' error report.
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, type BenchContext } from './context.js';
import { run } from './proc.js';

/** The environment plus a PATH directory holding a `git-backup` script that execs `node bin/git-backup.cjs`. */
export function envWithShim(ctx: BenchContext): NodeJS.ProcessEnv {
  const shim = ctx.scratch.dir('shim');
  const script = join(shim, 'git-backup');
  writeFileSync(script, `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(script, 0o755);
  return { ...ctx.env, PATH: `${shim}:${ctx.env.PATH ?? ''}` };
}

/** Fails unless `git-backup` is off PATH in `env` (then the hooks record events and start no drain). */
export async function assertNotOnPath(env: NodeJS.ProcessEnv, cwd: string): Promise<void> {
  const found = await run(['sh', '-c', 'command -v git-backup || true'], { cwd, env });
  if (found.stdout.trim()) throw new Error(`git-backup is on PATH (${found.stdout.trim()}); the benchmark needs it off`);
}

/** `git backup install` in `dir` (plain git hooks directory, or husky's when set up). */
export async function installHooks(ctx: BenchContext, dir: string, env: NodeJS.ProcessEnv = ctx.env): Promise<void> {
  await run(ctx.cli(['install']), { cwd: dir, env });
}

export const storeDir = (repo: string): string => join(repo, '.git', 'backup');
const eventsLog = (repo: string) => join(storeDir(repo), 'events.log');
const backupLog = (repo: string) => join(storeDir(repo), 'backup.log');

export function eventsLogSize(repo: string): number {
  return existsSync(eventsLog(repo)) ? statSync(eventsLog(repo)).size : 0;
}

/** Bytes of events.log the store says it has applied (db.json's events_offset). */
export function appliedOffset(repo: string): number {
  const db = join(storeDir(repo), 'db.json');
  if (!existsSync(db)) return 0;
  return (JSON.parse(readFileSync(db, 'utf8')) as { events_offset?: number }).events_offset ?? 0;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Wait until no drain is running in `repo` and every event is applied; resolves with how long that
 * took. A drain that has not finished after `limitMs` is an error: something is stuck.
 */
export async function waitForDrains(repo: string, limitMs = 30_000): Promise<number> {
  const started = Date.now();
  const lock = join(storeDir(repo), 'drain.lock');
  for (;;) {
    if (!existsSync(lock) && appliedOffset(repo) === eventsLogSize(repo)) return Date.now() - started;
    if (Date.now() - started > limitMs) throw new Error(`the drains in ${repo} did not finish within ${limitMs} ms`);
    await sleep(5);
  }
}

/** backup.log lines that record what the policy checks did (moves), not failures. */
const RECORDED_MOVE = /^\S+ checks: \S+: [A-Z]+ -> [A-Z]+ \(/;

/**
 * Fails loudly when backup.log has anything but recorded policy moves (drain failures, a detached
 * drain's stderr): a drain that errors is not a benchmark of a drain.
 */
export function assertCleanBackupLog(repo: string, what: string): void {
  const text = existsSync(backupLog(repo)) ? readFileSync(backupLog(repo), 'utf8') : '';
  const problems = text.split('\n').filter((l) => l.trim() && !RECORDED_MOVE.test(l));
  if (problems.length) throw new Error(`${what}: ${backupLog(repo)} reports errors:\n${problems.slice(0, 20).join('\n')}`);
}
