// Work that no commit holds is never deleted by an automatic trigger (SPEC §3 "Proof before
// deletion"), in the cases a hostile review found it was: an amend that only reworded the base,
// staged content edited or deleted afterwards, a teammate's change to the same file (on another
// branch, or merged in), an archive without the staged state, and a backup "reused" although its
// staged content and modes differ. Real git, hooks in sync mode, time moved with GIT_BACKUP_NOW.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, rmSync } from 'node:fs';
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

test('staged, then deleted from the working tree: the staged content is protected', () => {
  const { repo, git } = clonedRepo();
  // README is in the base: its staged edit is the only copy of that content once the file is deleted.
  repo.write('README', 'staged work, only copy\n');
  git(['add', 'README']);
  rmSync(join(repo.dir, 'README'));
  const { id } = repo.json<Rec>(['create'], { env: withShim() });
  git(['reset', '-q', '--hard']);
  const t0 = Date.now();
  for (const days of [31, 39, 130, 400]) {
    const t = tick(repo, t0 + days * DAY);
    assert.not.ok(t.moves.some((m) => m.id === id && m.to === 'DELETED'), `deleted at +${days}d`);
  }
  const later = show(repo, id, t0 + 400 * DAY);
  assert.is.not(later.state, 'DELETED');
  assert.equal(later.content_now!.unique, ['README']);
  assert.is(repo.git(['cat-file', '-p', `refs/backups/${id}^2:README`]), 'staged work, only copy');
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

test('archive refuses a backup whose staged content its working tree lacks; nothing changes', () => {
  const { repo, git } = clonedRepo();
  repo.write('README', 'staged X\n');
  git(['add', 'README']);
  repo.write('README', 'worktree Y\n');
  const { id } = repo.json<Rec>(['create'], { env: withShim() });
  git(['reset', '-q', '--hard']);
  assert.is(repo.cli(['transition', id, 'CLEANABLE'], { env: withShim() }).code, 0);
  const r = repo.cli(['archive', id, '--yes'], { env: withShim() });
  assert.is(r.code, 3, r.stderr);
  assert.match(r.stderr, /cannot archive .*staged content that its working tree does not \(README\)/, r.stderr);
  assert.is(r.stderr.trim().split('\n').length, 1);
  assert.is(show(repo, id).state, 'CLEANABLE');
  assert.is(repo.git(['cat-file', '-p', `refs/backups/${id}^2:README`]), 'staged X');
});

test('archive refuses a staged exec bit its working tree lacks', () => {
  const { repo, git } = clonedRepo();
  repo.git(['update-index', '--chmod=+x', 'README']);
  const { id } = repo.json<Rec>(['create'], { env: withShim() });
  git(['reset', '-q', '--hard']);
  assert.is(repo.cli(['transition', id, 'CLEANABLE'], { env: withShim() }).code, 0);
  const r = repo.cli(['archive', id, '--yes'], { env: withShim() });
  assert.is(r.code, 3, r.stderr);
  assert.match(r.stderr, /staged content that its working tree does not \(README\)/);
});

test('an exec bit set on a committed file is work: not held by the plain file, never deleted automatically', () => {
  const { repo, git } = clonedRepo();
  repo.write('run.sh', '#!/bin/sh\necho hi\n');
  git(['add', 'run.sh']);
  git(['commit', '-q', '-m', 'add run.sh']);
  git(['push', '-q', 'origin', 'main']);
  repo.git(['update-index', '--chmod=+x', 'run.sh']);
  const { id } = repo.json<Rec>(['create'], { env: withShim() });
  git(['reset', '-q', '--hard']);
  const t0 = Date.now();
  for (const days of [31, 39, 130, 400]) {
    const t = tick(repo, t0 + days * DAY);
    assert.not.ok(t.moves.some((m) => m.id === id && m.to === 'DELETED'), `deleted at +${days}d`);
  }
  assert.equal(show(repo, id, t0 + 400 * DAY).content_now!.unique, ['run.sh']);
});

test('uncommitted changes inside a submodule are said to be outside the backup, not silently left out', () => {
  const { repo, git } = clonedRepo();
  const sub = new TestRepo(scratchDir('gb-sub-'));
  sub.git(['init', '-q', '-b', 'main']);
  sub.write('s', 's1\n');
  sub.git(['add', 's']);
  sub.git(['commit', '-q', '-m', 's1']);
  git(['-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', sub.dir, 'sub']);
  git(['commit', '-q', '-m', 'add sub']);
  repo.write('README', 'work\n');
  const clean = repo.cli(['create'], { env: withShim() });
  assert.is(clean.code, 0, clean.stderr);
  assert.not.match(clean.stderr, /submodule/);
  repo.write('sub/s', 'my uncommitted work in the submodule\n');
  const r = repo.cli(['create', '-m', 'with a dirty submodule'], { env: withShim() });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /uncommitted changes inside submodule sub are not in this backup/);
  assert.is(r.stderr.trim().split('\n').length, 1);
});

test('create reuses the newest backup only when staged content and modes are the same too', () => {
  const { repo, git } = clonedRepo();
  repo.write('README', 'W\n');
  const first = repo.json<Rec & { reused?: boolean }>(['create'], { env: withShim() });
  assert.is(repo.json<Rec & { reused?: boolean }>(['create'], { env: withShim() }).id, first.id, 'nothing changed: the same backup');
  repo.git(['update-index', '--chmod=+x', 'README']);
  const chmodded = repo.json<Rec & { reused?: boolean }>(['create'], { env: withShim() });
  assert.is.not(chmodded.id, first.id, 'a staged mode change is a new backup');
  repo.write('README', 'staged S\n');
  git(['add', 'README']);
  repo.write('README', 'W\n');
  const staged = repo.json<Rec & { reused?: boolean }>(['create'], { env: withShim() });
  assert.is.not(staged.id, chmodded.id, 'new staged content is a new backup');
});

test.run();
