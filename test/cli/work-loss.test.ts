// Work that no commit holds is never deleted by an automatic trigger (SPEC §3 "Proof before
// deletion"): "superseded" needs the user's own commit on the backup's own line, in the cases a
// hostile review and a review of the fix found otherwise (an amend that only reworded the base, a
// teammate's change to the same file on another branch, merged in or made with --author), and the
// flows that must still move a backup (further edits committed or amended, a rebase merge, an
// archived backup whose snapshot was pruned). Staged content and modes: staged-content.test.ts.
// Real git, hooks in sync mode, time moved with GIT_BACKUP_NOW.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir, TestRepo } from '../helpers/repo.js';
import { withShim } from '../helpers/hooks.js';
import { clonedRepo, DAY, show, tick, type Rec } from '../helpers/proof.js';

const TEAMMATE = { GIT_AUTHOR_NAME: 'Mate', GIT_AUTHOR_EMAIL: 'mate@example.com' };

/** Ticks far into the future: the backup is never DELETED, and its content still restores. */
function neverDeleted(repo: TestRepo, id: string, path: string, content: string): void {
  const t0 = Date.now();
  for (const days of [16, 39, 130, 400]) {
    const r = tick(repo, t0 + days * DAY);
    assert.not.ok(r.moves.some((m) => m.id === id && m.to === 'DELETED'), `deleted at +${days}d`);
  }
  assert.is.not(show(repo, id, t0 + 400 * DAY).state, 'DELETED');
  const out = scratchDir('gb-restored-');
  const restored = repo.cli(['restore', id, '--to', out], { env: withShim({ GIT_BACKUP_NOW: new Date(t0 + 400 * DAY).toISOString() }) });
  assert.is(restored.code, 0, restored.stderr);
  assert.is(readFileSync(join(out, path), 'utf8'), content);
}

/** Pushed to the integration branch and reconciled, the backup is still CREATED and never deleted. */
function pushedStillUnique(repo: TestRepo, git: (args: string[]) => string, id: string, path: string, content: string): void {
  git(['push', '-q', 'origin', 'main']);
  repo.cli(['reconcile'], { env: withShim() });
  assert.is(show(repo, id).state, 'CREATED');
  neverDeleted(repo, id, path, content);
}

test('an amend that only rewords the base does not make the uncommitted work "changed again"', () => {
  const { repo, git } = clonedRepo();
  repo.write('f', 'v1\n');
  git(['add', 'f']);
  git(['commit', '-q', '-m', 'X: change f']);
  git(['push', '-q', 'origin', 'main']);
  repo.write('f', 'precious uncommitted work\n');
  const { id } = repo.json<Rec>(['create'], { env: withShim() });
  git(['checkout', '-q', '--', 'f']);
  git(['commit', '-q', '--amend', '-m', 'X: reworded']);
  git(['push', '-q', '-f', 'origin', 'main']);
  repo.cli(['reconcile'], { env: withShim() });
  assert.is(show(repo, id).state, 'CREATED');
  neverDeleted(repo, id, 'f', 'precious uncommitted work\n');
});

test('an amend that folds further edits of the path into the base is the work continued: PENDING, superseded', () => {
  const { repo, git } = clonedRepo();
  repo.write('f', 'v1\n');
  git(['add', 'f']);
  git(['commit', '-q', '-m', 'X: change f']);
  repo.write('f', 'v2 draft\n');
  const { id } = repo.json<Rec>(['create'], { env: withShim() });
  repo.write('f', 'v2 finished\n');
  git(['commit', '-q', '-a', '--amend', '-m', 'X: change f, finished']);
  const r = show(repo, id);
  assert.is(r.state, 'PENDING', JSON.stringify(r.content));
  assert.equal(r.content!.superseded, ['f']);
});

test('a teammate\'s change to the same file, on the branch HEAD went to, does not supersede a detached backup', () => {
  const { repo, git } = clonedRepo();
  git(['checkout', '-q', '--detach']);
  repo.write('README', 'experiment, never committed\n');
  const { id } = repo.json<Rec>(['create'], { env: withShim() });
  git(['checkout', '-q', '-f', 'main']);
  repo.write('README', 'teammate line\n');
  repo.git(['commit', '-q', '-am', 'teammate edits README'], { env: withShim(TEAMMATE) });
  pushedStillUnique(repo, git, id, 'README', 'experiment, never committed\n');
});

test('a teammate\'s change merged into the backup\'s own branch does not supersede it', () => {
  const { repo, git } = clonedRepo();
  git(['checkout', '-q', '-b', 'feature']);
  repo.write('README', 'my uncommitted work\n');
  const { id } = repo.json<Rec>(['create'], { env: withShim() });
  git(['reset', '-q', '--hard']);
  git(['checkout', '-q', 'main']);
  repo.write('README', 'teammate\n');
  repo.git(['commit', '-q', '-am', 'teammate edits README'], { env: withShim(TEAMMATE) });
  git(['checkout', '-q', 'feature']);
  repo.write('l.txt', 'unrelated\n');
  git(['commit', '-q', '-am', 'unrelated']);
  git(['merge', '-q', '--no-edit', 'main']);
  git(['checkout', '-q', 'main']);
  git(['merge', '-q', '--no-edit', 'feature']);
  pushedStillUnique(repo, git, id, 'README', 'my uncommitted work\n');
});

test('a commit with a teammate as author, made by the user (--author, a cherry-pick), does not supersede: git hands the hooks that author', () => {
  const { repo, git } = clonedRepo();
  repo.write('README', 'my v1, never committed\n');
  const { id } = repo.json<Rec>(['create'], { env: withShim() });
  git(['checkout', '-q', '--', 'README']);
  repo.write('README', 'team\n');
  // git runs post-commit with GIT_AUTHOR_* set to this commit's author: the drain must not take that for the user.
  git(['commit', '-q', '-a', '--author', 'Mate <mate@example.com>', '-m', 'team: README']);
  pushedStillUnique(repo, git, id, 'README', 'my v1, never committed\n');
});

test('a rebase merge of the user\'s branch (its commits rewritten onto main) confirms work the line superseded', () => {
  const { repo, git } = clonedRepo();
  git(['checkout', '-q', '-b', 'feature']);
  repo.write('README', 'v1\n');
  const { id } = repo.json<Rec>(['create'], { env: withShim() });
  repo.write('README', 'v2\n');
  git(['commit', '-q', '-am', 'F1']);
  repo.write('g', 'g\n');
  git(['add', 'g']);
  git(['commit', '-q', '-m', 'F2']);
  assert.is(show(repo, id).state, 'PENDING');
  // "Rebase and merge": main moved on (a teammate), feature is replayed onto it and main fast-forwarded.
  git(['checkout', '-q', 'main']);
  repo.write('h', 'h\n');
  git(['add', 'h']);
  repo.git(['commit', '-q', '-m', 'team'], { env: withShim(TEAMMATE) });
  git(['checkout', '-q', '-b', 'replayed', 'feature']);
  git(['rebase', '-q', 'main']);
  git(['checkout', '-q', 'main']);
  git(['merge', '-q', '--ff-only', 'replayed']);
  git(['push', '-q', 'origin', 'main']);
  repo.cli(['reconcile'], { env: withShim() });
  assert.is(show(repo, id).state, 'CONFIRMED');
});

test('the same change made by the user on the backup\'s branch still supersedes it (the work continued)', () => {
  const { repo, git } = clonedRepo();
  repo.write('README', 'draft\n');
  const { id } = repo.json<Rec>(['create'], { env: withShim() });
  repo.write('README', 'draft, finished\n');
  git(['commit', '-q', '-am', 'finished']);
  assert.is(show(repo, id).state, 'PENDING');
});

test('work continued by the user is still cleaned up after its archive\'s snapshot is pruned: the author is kept in the record', () => {
  const { repo, git } = clonedRepo();
  git(['checkout', '-q', '-b', 'feature']);
  repo.write('README', 'draft\n');
  const { id } = repo.json<Rec>(['create'], { env: withShim() });
  repo.write('README', 'draft, finished\n');
  git(['commit', '-q', '-am', 'finished']);
  repo.write('other.txt', 'more\n');
  git(['add', 'other.txt']);
  git(['commit', '-q', '-m', 'more']);
  // Fast-forwarded: the confirming commit is the last one, which does not touch README; the
  // supersession rests on the user's own commit before it, so on knowing who the user is.
  git(['checkout', '-q', 'main']);
  git(['merge', '-q', '--ff-only', 'feature']);
  git(['push', '-q', 'origin', 'main']);
  repo.cli(['reconcile'], { env: withShim() });
  assert.is(show(repo, id).state, 'CONFIRMED');
  const t0 = Date.now();
  const at = (days: number) => withShim({ GIT_BACKUP_NOW: new Date(t0 + days * DAY).toISOString() });
  for (const days of [8, 16]) tick(repo, t0 + days * DAY);
  assert.is(show(repo, id, t0 + 16 * DAY).state, 'ARCHIVED');
  const { snapshot } = repo.json<{ snapshot: string }>(['show', id], { env: at(16) });
  assert.is(repo.cli(['gc', '--now'], { env: at(16) }).code, 0);
  assert.throws(() => repo.git(['cat-file', '-e', snapshot]), 'the snapshot is pruned: its author can no longer be read');
  for (const days of [110, 200, 400]) tick(repo, t0 + days * DAY);
  assert.is(show(repo, id, t0 + 400 * DAY).state, 'DELETED');
});

test.run();
