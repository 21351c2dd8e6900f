// Work that no commit holds is never deleted by an automatic trigger (SPEC §3 "Proof before
// deletion"): "superseded" needs the user's own commit on the backup's own line, in the cases a
// hostile review and a review of the fix found otherwise (an amend that only reworded the base, a
// teammate's change to the same file on another branch, merged in or made with --author). The
// flows that must still move a backup: supersede-flows.test.ts; staged content and modes:
// staged-content.test.ts. Real git, hooks in sync mode, time moved with GIT_BACKUP_NOW.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir, TestRepo } from '../helpers/repo.js';
import { withShim } from '../helpers/hooks.js';
import { clonedRepo, DAY, show, TEAMMATE, ticksDeleteNothing, type Rec } from '../helpers/proof.js';

/** Ticks far into the future: the backup is never DELETED, and its content still restores. */
function neverDeleted(repo: TestRepo, id: string, path: string, content: string): void {
  const t0 = Date.now();
  ticksDeleteNothing(repo, id, t0, [16, 39, 130, 400]);
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

test('a squash merge that carries a teammate\'s later change to the path does not supersede the user\'s committed version (its only commit is then dropped)', () => {
  const { repo, git } = clonedRepo();
  git(['checkout', '-q', '-b', 'feature']);
  repo.write('README', 'my version, committed on feature only\n');
  const { id } = repo.json<Rec>(['create'], { env: withShim() });
  git(['commit', '-q', '-am', 'mine: README']);
  assert.is(show(repo, id).state, 'PENDING');
  // A teammate's commit on the shared feature branch changes README again (pulled).
  repo.write('README', 'teammate version\n');
  repo.git(['commit', '-q', '-am', 'mate: README'], { env: withShim(TEAMMATE) });
  git(['checkout', '-q', 'main']);
  git(['merge', '-q', '--squash', 'feature']);
  git(['commit', '-q', '-m', 'squash feature']);
  git(['branch', '-q', '-D', 'feature']);
  git(['push', '-q', 'origin', 'main']);
  repo.cli(['reconcile'], { env: withShim() });
  assert.is.not(show(repo, id).state, 'CONFIRMED');
  neverDeleted(repo, id, 'README', 'my version, committed on feature only\n');
});

test('a cherry-pick of the user\'s own older commit (new committer time, old work) does not supersede never-committed work', () => {
  const { repo, git } = clonedRepo();
  git(['checkout', '-q', '-b', 'hotfix']);
  repo.write('README', 'hotfix, days old\n');
  const old = `@${Math.floor(Date.now() / 1000) - 5 * 86400}`;
  repo.git(['commit', '-q', '-am', 'hotfix'], { env: withShim({ GIT_AUTHOR_DATE: old, GIT_COMMITTER_DATE: old }) });
  git(['checkout', '-q', 'main']);
  repo.write('README', 'experiment, never committed\n');
  const { id } = repo.json<Rec>(['create'], { env: withShim() });
  git(['checkout', '-q', '--', 'README']);
  git(['cherry-pick', 'hotfix']);
  pushedStillUnique(repo, git, id, 'README', 'experiment, never committed\n');
});

test('a detached backup taken in a linked worktree is not superseded by the user\'s commit in another worktree', () => {
  const { repo, git } = clonedRepo();
  const wt = join(scratchDir('gb-wt-'), 'wt2');
  git(['worktree', 'add', '-q', '--detach', wt]);
  const other = new TestRepo(wt);
  other.write('README', 'experiment in the second worktree\n');
  const { id } = other.json<Rec>(['create'], { env: withShim() });
  repo.write('README', 'unrelated fix on main\n');
  git(['commit', '-q', '-am', 'main: README fix']);
  git(['worktree', 'remove', '--force', wt]);
  pushedStillUnique(repo, git, id, 'README', 'experiment in the second worktree\n');
});

test('a reworded amend of the base followed by pull --rebase over a teammate\'s change to the same file does not supersede the uncommitted work', () => {
  const { repo, git } = clonedRepo();
  repo.write('README', 'top\nmiddle\nbottom\n');
  git(['commit', '-q', '-am', 'README in three lines']);
  git(['push', '-q', 'origin', 'main']);
  // A teammate changes the top line of README on origin.
  const mate = new TestRepo(join(scratchDir('gb-mate-'), 'mate'));
  repo.git(['clone', '-q', repo.git(['remote', 'get-url', 'origin']), mate.dir], { env: withShim() });
  mate.write('README', 'top (teammate)\nmiddle\nbottom\n');
  mate.git(['commit', '-q', '-am', 'mate: top'], { env: withShim(TEAMMATE) });
  mate.git(['push', '-q', 'origin', 'main'], { env: withShim() });
  // X: my local commit to the bottom line; then uncommitted work on the middle line, backed up.
  repo.write('README', 'top\nmiddle\nbottom v1\n');
  git(['commit', '-q', '-am', 'X: bottom v1']);
  repo.write('README', 'top\nmiddle: precious uncommitted idea\nbottom v1\n');
  const { id } = repo.json<Rec>(['create'], { env: withShim() });
  git(['checkout', '-q', '--', 'README']);
  git(['commit', '-q', '--amend', '-m', 'X: bottom v1, reworded']);
  git(['pull', '-q', '--rebase']);
  pushedStillUnique(repo, git, id, 'README', 'top\nmiddle: precious uncommitted idea\nbottom v1\n');
});

test.run();
