// Acceptance (issue 3): with hooks installed by `install` and GIT_BACKUP_HOOK_MODE=sync, backups move
// CREATED -> PENDING -> CONFIRMED by themselves as the user commits, merges, rebases and amends.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tempRepo, TestRepo } from '../helpers/repo.js';
import { install, withShim } from '../helpers/hooks.js';

interface Rec { id: string; state: string; pending_commit: string | null; confirmed_by: string | null; history: { to: string; trigger: string }[] }

/** A repository with hooks installed, on a feature branch with work in progress and a backup of it. */
function featureWithBackup(): { repo: TestRepo; id: string; git: (args: string[]) => string } {
  const repo = tempRepo();
  install(repo);
  const git = (args: string[]) => repo.git(args, { env: withShim() });
  git(['checkout', '-q', '-b', 'feature']);
  repo.write('feature.txt', 'work in progress\n');
  const { id } = repo.json<Rec>(['create', '-m', 'before refactor'], { env: withShim() });
  return { repo, id, git };
}

const show = (repo: TestRepo, id: string) => repo.json<Rec>(['show', id], { env: withShim() });

function commitWork(repo: TestRepo, git: (args: string[]) => string): string {
  git(['add', 'feature.txt']);
  git(['commit', '-q', '-m', 'feature work']);
  return git(['rev-parse', 'HEAD']);
}

test('commit -> PENDING, merge --no-ff -> CONFIRMED, all from the hooks', () => {
  const { repo, id, git } = featureWithBackup();
  const c = commitWork(repo, git);
  let r = show(repo, id);
  assert.is(r.state, 'PENDING');
  assert.is(r.pending_commit, c);
  assert.is(r.history[1]!.trigger, 'GIT_HOOK');
  git(['checkout', '-q', 'main']);
  git(['merge', '-q', '--no-ff', '-m', 'merge feature', 'feature']);
  r = show(repo, id);
  assert.is(r.state, 'CONFIRMED');
  assert.is(r.confirmed_by, git(['rev-parse', 'HEAD']));
  assert.match(git(['log', '-1', '--notes=backups', c]), new RegExp(`backup ${id}: PENDING`));
});

test('fast-forward merge -> CONFIRMED', () => {
  const { repo, id, git } = featureWithBackup();
  const c = commitWork(repo, git);
  git(['checkout', '-q', 'main']);
  git(['merge', '-q', '--ff-only', 'feature']);
  const r = show(repo, id);
  assert.is(r.state, 'CONFIRMED');
  assert.is(r.confirmed_by, c);
});

test('merge --squash + commit -> CONFIRMED', () => {
  const { repo, id, git } = featureWithBackup();
  commitWork(repo, git);
  git(['checkout', '-q', 'main']);
  git(['merge', '-q', '--squash', 'feature']);
  git(['commit', '-q', '-m', 'squashed feature']);
  const r = show(repo, id);
  assert.is(r.state, 'CONFIRMED');
  assert.is(r.confirmed_by, git(['rev-parse', 'HEAD']));
});

test('rebase onto an advanced main, then fast-forward -> CONFIRMED', () => {
  const { repo, id, git } = featureWithBackup();
  commitWork(repo, git);
  git(['checkout', '-q', 'main']);
  repo.write('other.txt', 'main moved on\n');
  git(['add', 'other.txt']);
  git(['commit', '-q', '-m', 'main work']);
  git(['checkout', '-q', 'feature']);
  git(['rebase', '-q', 'main']);
  const rebased = git(['rev-parse', 'HEAD']);
  assert.is(show(repo, id).pending_commit, rebased, 'the pending commit follows the rebase');
  git(['checkout', '-q', 'main']);
  git(['merge', '-q', '--ff-only', 'feature']);
  assert.is(show(repo, id).state, 'CONFIRMED');
});

test('commit --amend before merging: pending commit remapped, then CONFIRMED', () => {
  const { repo, id, git } = featureWithBackup();
  const first = commitWork(repo, git);
  repo.write('feature.txt', 'work in progress, amended\n');
  git(['commit', '-q', '-a', '--amend', '-m', 'feature work (amended)']);
  const amended = git(['rev-parse', 'HEAD']);
  assert.is.not(amended, first);
  assert.is(show(repo, id).pending_commit, amended);
  git(['checkout', '-q', 'main']);
  git(['merge', '-q', '--no-ff', '-m', 'merge', 'feature']);
  assert.is(show(repo, id).state, 'CONFIRMED');
});

test.run();
