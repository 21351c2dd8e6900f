// Clones and bare remotes for the backup-remote tests (test/cli/remote*.test.ts).
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

