// Work that no commit holds is never deleted by an automatic trigger, when history is rewritten
// after the backup (a second hostile review): a squash merge that carries a teammate's change, a
// cherry-pick of the user's own older commit, a detached backup in a linked worktree, a reworded
// amend of the base then pull --rebase. Split from work-loss.test.ts (same helpers, helpers/proof.ts)
// so that no test file runs 20 s. Real git, hooks in sync mode, time moved with GIT_BACKUP_NOW.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { scratchDir, TestRepo } from '../helpers/repo.js';
import { withShim } from '../helpers/hooks.js';
import { clonedRepo, neverDeleted, pushedStillUnique, show, TEAMMATE, type Rec } from '../helpers/proof.js';

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
