// Shared set-up of the content-proof end-to-end tests (issue 7): a clone of a bare origin with the
// hooks installed (sync mode) and keep rules off, and the CLI calls they make.
import * as assert from 'uvu/assert';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir, TestRepo } from './repo.js';
import { install, withShim } from './hooks.js';

export interface Rec {
  id: string;
  state: string;
  content: { unique: string[]; superseded: string[]; held: number; files: number } | null;
  content_now?: { unique: string[]; history: string } | null;
  history: { to: string; trigger: string; reason: string }[];
}

export const DAY = 86_400_000;

/** A teammate's identity for commits that are not the user's. */
export const TEAMMATE = { GIT_AUTHOR_NAME: 'Mate', GIT_AUTHOR_EMAIL: 'mate@example.com' };

/**
 * A clone of a bare origin (so origin/main is the integration branch), hooks installed, keep rules off.
 * Built once per test process (the bare origin, the seed that pushed to it and the clone, side by
 * side) and copied for each caller: the copy's clone is pointed at the copy's own origin (a test
 * pushes to it), and its index refreshed for its own files, as fromTemplate does. install writes no
 * path of the repository into the hooks (they find the store from where git runs them).
 */
let template: string | undefined;
export function clonedRepo(): { repo: TestRepo; git: (args: string[]) => string } {
  const env = withShim();
  template ??= buildCloned(env);
  const root = scratchDir('gb-proof-');
  cpSync(template, root, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
  const repo = new TestRepo(join(root, 'work'));
  repo.git(['remote', 'set-url', 'origin', join(root, 'origin.git')]);
  repo.git(['update-index', '-q', '--refresh']);
  return { repo, git: (args) => repo.git(args, { env }) };
}

function buildCloned(env: NodeJS.ProcessEnv): string {
  const root = scratchDir('gb-proof-template-');
  const seed = new TestRepo(join(root, 'seed'));
  const run = (cwd: string, args: string[]) => new TestRepo(cwd).git(args, { env });
  run(root, ['init', '-q', '--bare', '-b', 'main', 'origin.git']);
  run(root, ['init', '-q', '-b', 'main', 'seed']);
  seed.write('README', 'hello\n');
  seed.write('l.txt', 'line\n');
  seed.git(['add', '-A'], { env });
  seed.git(['commit', '-q', '-m', 'initial'], { env });
  seed.git(['push', '-q', join(root, 'origin.git'), 'main'], { env });
  run(root, ['clone', '-q', join(root, 'origin.git'), 'work']);
  const repo = new TestRepo(join(root, 'work'));
  install(repo);
  for (const k of ['last', 'daily', 'weekly']) repo.git(['config', `backup.keep.${k}`, '0']);
  if (existsSync(join(repo.dir, '.git', 'backup', 'archive'))) throw new Error('the clone template has archives: their paths are absolute');
  return root;
}

export const show = (repo: TestRepo, id: string, now?: number) => repo.json<Rec>(['show', id], { env: withShim(now ? { GIT_BACKUP_NOW: new Date(now).toISOString() } : {}) });
export const tick = (repo: TestRepo, now: number) => {
  const r = repo.cli(['tick', '--json'], { env: withShim({ GIT_BACKUP_NOW: new Date(now).toISOString() }) });
  if (r.code !== 0) throw new Error(`tick exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as { moves: { id: string; to: string }[]; waiting: { id: string; why: string }[] };
};


/** Ticks at each of `days` after t0: none of them deletes the backup. */
export function ticksDeleteNothing(repo: TestRepo, id: string, t0: number, days: readonly number[]): void {
  for (const d of days) {
    const t = tick(repo, t0 + d * DAY);
    assert.not.ok(t.moves.some((m) => m.id === id && m.to === 'DELETED'), `deleted at +${d}d`);
  }
}

/** Ticks far into the future: the backup is never DELETED, and its content still restores. */
export function neverDeleted(repo: TestRepo, id: string, path: string, content: string): void {
  const t0 = Date.now();
  ticksDeleteNothing(repo, id, t0, [16, 39, 130, 400]);
  assert.is.not(show(repo, id, t0 + 400 * DAY).state, 'DELETED');
  const out = scratchDir('gb-restored-');
  const restored = repo.cli(['restore', id, '--to', out], { env: withShim({ GIT_BACKUP_NOW: new Date(t0 + 400 * DAY).toISOString() }) });
  assert.is(restored.code, 0, restored.stderr);
  assert.is(readFileSync(join(out, path), 'utf8'), content);
}

/** Pushed to the integration branch and reconciled, the backup is still CREATED and never deleted. */
export function pushedStillUnique(repo: TestRepo, git: (args: string[]) => string, id: string, path: string, content: string): void {
  git(['push', '-q', 'origin', 'main']);
  repo.cli(['reconcile'], { env: withShim() });
  assert.is(show(repo, id).state, 'CREATED');
  neverDeleted(repo, id, path, content);
}
