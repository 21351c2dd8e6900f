// Clones and bare remotes for the backup-remote tests (test/cli/remote*.test.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir, tempRepo, TestRepo } from './repo.js';

export interface Copy { remote: string; kind: string; oid: string; at: string }
export interface Rec { id: string; state: string; snapshot: string; origin: string | null; copies: Copy[]; worktree: string; archive: { path: string } | null }
export interface PushReport { sent: number; already: number; verified: number; recorded: number; skipped: { id: string; why: string }[]; failed: unknown[]; notes: boolean }

export const BINARY = Buffer.from([0, 1, 2, 255, 254, 10, 13, 0, 128]);

export function bare(name: string): TestRepo {
  const b = new TestRepo(scratchDir(`gb-${name}-`));
  b.git(['init', '-q', '--bare', '-b', 'main']);
  return b;
}

/** A clone with a main branch on `origin` (a bare repository), and the remote `backup` (another one). */
export function setup(): { origin: TestRepo; store: TestRepo; a: TestRepo } {
  const seed = tempRepo();
  const origin = bare('origin');
  const store = bare('store');
  seed.git(['push', '-q', origin.dir, 'main']);
  const a = new TestRepo(scratchDir('gb-a-'));
  a.git(['clone', '-q', origin.dir, a.dir]);
  a.git(['remote', 'add', 'backup', store.dir]);
  a.git(['config', 'backup.remote', 'backup']);
  a.git(['config', 'backup.cloneId', 'clone-a']);
  return { origin, store, a };
}

export function cloneOf(origin: TestRepo, name: string): TestRepo {
  const c = new TestRepo(scratchDir(`gb-${name}-`));
  c.git(['clone', '-q', origin.dir, c.dir]);
  c.git(['config', 'backup.cloneId', name]);
  return c;
}

export const refsOf = (b: TestRepo) => b.git(['for-each-ref', '--format=%(refname) %(objectname)']);

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The last automatic push's outcome (<store>/remote-push.json), or null. */
export function outcome(repo: TestRepo): { at: string; ok: boolean; error: string | null } | null {
  try {
    return JSON.parse(readFileSync(join(repo.dir, '.git', 'backup', 'remote-push.json'), 'utf8'));
  } catch {
    return null;
  }
}

/** Wait for the detached drain's push: the outcome file changes from what it was. */
export async function nextOutcome(repo: TestRepo, before: string | null, limitMs = 20_000): Promise<{ at: string; ok: boolean; error: string | null }> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const o = outcome(repo);
    if (o && JSON.stringify(o) !== before) return o;
    if (Date.now() > deadline) throw new Error(`no push outcome within ${limitMs} ms`);
    await sleep(50);
  }
}
