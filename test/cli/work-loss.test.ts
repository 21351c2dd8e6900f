// Work that no commit holds is never deleted by an automatic trigger (SPEC §3 "Proof before
// deletion"): "superseded" needs the user's own commit on the backup's own line, in the cases a
// hostile review and a review of the fix found otherwise (an amend that only reworded the base, a
// teammate's change to the same file on another branch, merged in or made with --author). The
// flows that must still move a backup: supersede-flows.test.ts; staged content and modes:
// staged-content.test.ts; history rewritten after the backup (squash, cherry-pick, worktrees, amend
// then rebase): work-loss-rewrites.test.ts. Real git, hooks in sync mode, time moved with GIT_BACKUP_NOW.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { withShim } from '../helpers/hooks.js';
import { clonedRepo, neverDeleted, pushedStillUnique, show, TEAMMATE, type Rec } from '../helpers/proof.js';

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

test.run();
