// Hooks call `git-backup` from PATH: tests put a shim directory first on PATH that runs this
// project's CLI, and take it away again to prove the hooks survive without it.
import { writeFileSync, chmodSync, readFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, scratchDir, TEST_ENV, type TestRepo } from './repo.js';

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

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
