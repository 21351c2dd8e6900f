// Hooks call `git-backup` from PATH: tests put a shim directory first on PATH that runs this
// project's CLI, and take it away again to prove the hooks survive without it.
import { writeFileSync, chmodSync, readFileSync, existsSync, statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, fromTemplate, scratchDir, TEST_ENV, type TestRepo } from './repo.js';

export function shimDir(): string {
  const dir = scratchDir('gb-shim-');
  const shim = join(dir, 'git-backup');
  writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
  chmodSync(shim, 0o755);
  return dir;
}

const SHIM = shimDir();

/** Environment whose PATH has git-backup (the shim) first. */
export function withShim(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...TEST_ENV, PATH: `${SHIM}:${TEST_ENV.PATH ?? ''}`, ...extra };
}

/** PATH without the shim (and so without git-backup). */
export function withoutShim(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...TEST_ENV, ...extra };
}

export interface Db {
  generation: number;
  backups: { id: string; state: string; pending_commit: string | null }[];
  events_offset?: number;
  events_applied?: number;
}

export function readDb(repo: TestRepo): Db {
  const p = join(repo.git(['rev-parse', '--path-format=absolute', '--git-common-dir']), 'backup', 'db.json');
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as Db) : { generation: 0, backups: [] };
}

export function eventLines(repo: TestRepo): string[] {
  const p = join(repo.git(['rev-parse', '--path-format=absolute', '--git-common-dir']), 'backup', 'events.log');
  return existsSync(p) ? readFileSync(p, 'utf8').split('\n').filter(Boolean) : [];
}

export function eventLogSize(repo: TestRepo): number {
  const p = join(repo.git(['rev-parse', '--path-format=absolute', '--git-common-dir']), 'backup', 'events.log');
  return existsSync(p) ? statSync(p).size : 0;
}

/** Install our hooks through the real CLI; fails loudly. */
export function install(repo: TestRepo, args: string[] = []): string {
  const r = repo.cli(['install', ...args], { env: withShim() });
  if (r.code !== 0) throw new Error(`install exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/**
 * tempRepo() with our hooks installed by the real CLI (install): installed once per test process and
 * copied for each caller (fromTemplate: the hooks find the store from where git runs them, and
 * install writes no path of the repository; the store holds no backup yet). For tests of what the
 * hooks do, not of what install prints.
 */
export function installedRepo(): TestRepo {
  return fromTemplate('repo:main:installed', (t) => {
    t.git(['init', '-q', '-b', 'main']);
    t.write('README.md', '# test\n');
    t.commitAll('initial');
    install(t);
  }, { withStore: true });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Environment of the default, detached mode (no GIT_BACKUP_HOOK_MODE), with git-backup on PATH. */
export function detachedEnv(extra: NodeJS.ProcessEnv = {}, shim = SHIM): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...TEST_ENV, PATH: `${shim}:${TEST_ENV.PATH ?? ''}`, ...extra };
  delete env.GIT_BACKUP_HOOK_MODE;
  return env;
}

/**
 * A shim that also notes every `git backup hook drain` it starts in `log` (one line each), so a test
 * can count the drains the hooks started. The drain itself is the real CLI.
 */
export function countingShim(log: string): string {
  const dir = scratchDir('gb-shim-count-');
  const shim = join(dir, 'git-backup');
  // Each line: the shim's pid, HEAD when the drain started, its arguments.
  writeFileSync(shim, `#!/bin/sh\ncase "$1 $2" in "hook drain") echo "$$ $(git rev-parse -q --verify HEAD) $*" >>'${log}' ;; esac\nexec "${process.execPath}" "${CLI}" "$@"\n`);
  chmodSync(shim, 0o755);
  return dir;
}

/** A detached-hooks environment whose shim counts the drains it starts in `log` (countingShim). */
export function countedDrains(): { log: string; env: NodeJS.ProcessEnv } {
  const log = join(scratchDir('gb-count-'), 'drains');
  return { log, env: detachedEnv({}, countingShim(log)) };
}

/** How many drains a countedDrains() log holds. */
export const drainStarts = (log: string) => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).length : 0);

/** Pids of live `git backup hook drain` processes whose arguments mention `under` (from /proc). */
export function drainsRunning(under: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let cmd: string;
    try {
      cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (cmd.includes('hook\0drain') && cmd.includes(under)) out.push(Number(name));
  }
  return out;
}

/** Wait until every appended event is applied and no drain of this repository runs any more. */
export async function settle(repo: TestRepo, limitMs = 15_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if ((readDb(repo).events_offset ?? 0) === eventLogSize(repo) && drainsRunning(repo.dir).length === 0) return;
    await sleep(50);
  }
  throw new Error(`events not drained within ${limitMs} ms: offset ${readDb(repo).events_offset} of ${eventLogSize(repo)}`);
}
