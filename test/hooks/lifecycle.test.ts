// Acceptance (issue 3): with hooks installed by `install` and GIT_BACKUP_HOOK_MODE=sync, backups move
// CREATED -> PENDING -> CONFIRMED by themselves as the user commits, merges, rebases and amends.
import { test } from '../helpers/shard.js';
import * as assert from 'uvu/assert';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromTemplate, scratchDir, TestRepo } from '../helpers/repo.js';
import { install, withShim } from '../helpers/hooks.js';

interface Rec { id: string; state: string; base: string | null; base_successor?: { commit: string; amended: boolean } | null; pending_commit: string | null; confirmed_by: string | null; history: { to: string; trigger: string }[] }

/**
 * A repository with hooks installed, on a feature branch with work in progress and a backup of it.
 * Built once per process, then copied for each test (fromTemplate: the copy's store is the
 * template's; the hooks find the store from where git runs them).
 */
let featureId: string | undefined;
function featureWithBackup(): { repo: TestRepo; id: string; git: (args: string[]) => string } {
  const repo = fromTemplate('lifecycle-feature', (t) => {
    t.git(['init', '-q', '-b', 'main']);
    t.write('README.md', '# test\n');
    t.commitAll('initial');
    install(t);
    t.git(['checkout', '-q', '-b', 'feature'], { env: withShim() });
    t.write('feature.txt', 'work in progress\n');
    featureId = t.json<Rec>(['create', '--allow-empty', '-m', 'before refactor'], { env: withShim() }).id;
  }, { withStore: true });
  const git = (args: string[]) => repo.git(args, { env: withShim() });
  return { repo, id: featureId!, git };
}

/**
 * featureWithBackup with the work committed on feature (commitWork: the hooks take the backup to
 * PENDING at that commit, checked once here): a copy of featureWithBackup's template, committed in
 * once per process, then copied for each test.
 */
let committed: { id: string; c: string } | undefined;
function featureCommitted(): { repo: TestRepo; id: string; git: (args: string[]) => string; c: string } {
  const repo = fromTemplate('lifecycle-feature-committed', (t) => {
    const { repo: feature, id } = featureWithBackup();
    cpSync(feature.dir, t.dir, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
    t.git(['update-index', '-q', '--refresh']);
    const c = commitWork(t, (args) => t.git(args, { env: withShim() }));
    const r = show(t, id);
    assert.is(r.state, 'PENDING');
    assert.is(r.pending_commit, c);
    committed = { id, c };
  }, { withStore: true });
  const git = (args: string[]) => repo.git(args, { env: withShim() });
  return { repo, git, ...committed! };
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
  const { repo, id, git, c } = featureCommitted();
  git(['checkout', '-q', 'main']);
  git(['merge', '-q', '--ff-only', 'feature']);
  const r = show(repo, id);
  assert.is(r.state, 'CONFIRMED');
  assert.is(r.confirmed_by, c);
});

test('merge --squash + commit -> CONFIRMED', () => {
  const { repo, id, git } = featureCommitted();
  git(['checkout', '-q', 'main']);
  git(['merge', '-q', '--squash', 'feature']);
  git(['commit', '-q', '-m', 'squashed feature']);
  const r = show(repo, id);
  assert.is(r.state, 'CONFIRMED');
  assert.is(r.confirmed_by, git(['rev-parse', 'HEAD']));
});

test('rebase onto an advanced main, then fast-forward -> CONFIRMED', () => {
  const { repo, id, git } = featureCommitted();
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
  const { repo, id, git, c: first } = featureCommitted();
  repo.write('feature.txt', 'work in progress, amended\n');
  git(['commit', '-q', '-a', '--amend', '-m', 'feature work (amended)']);
  const amended = git(['rev-parse', 'HEAD']);
  assert.is.not(amended, first);
  assert.is(show(repo, id).pending_commit, amended);
  git(['checkout', '-q', 'main']);
  git(['merge', '-q', '--no-ff', '-m', 'merge', 'feature']);
  assert.is(show(repo, id).state, 'CONFIRMED');
});

/**
 * On `feature`, a commit X, then more work in progress and a backup of it: the backup's base is X.
 * Built (and checked) once per process with the hooks installed, then copied for each test
 * (fromTemplate, as featureWithBackup above).
 */
let onFeature: { id: string; base: string } | undefined;
function backupOnFeatureCommit(): { repo: TestRepo; id: string; git: (args: string[]) => string; base: string } {
  const repo = fromTemplate('lifecycle-feature-commit', (t) => {
    t.git(['init', '-q', '-b', 'main']);
    t.write('README.md', '# test\n');
    t.commitAll('initial');
    install(t);
    const git = (args: string[]) => t.git(args, { env: withShim() });
    git(['checkout', '-q', '-b', 'feature']);
    t.write('feature.txt', 'first part\n');
    git(['add', 'feature.txt']);
    git(['commit', '-q', '-m', 'feature start']);
    const base = git(['rev-parse', 'HEAD']);
    t.write('feature.txt', 'first part\nsecond part\n');
    const { id } = t.json<Rec>(['create', '--allow-empty', '-m', 'before folding the work in'], { env: withShim() });
    assert.is(show(t, id).state, 'CREATED');
    onFeature = { id, base };
  }, { withStore: true });
  const git = (args: string[]) => repo.git(args, { env: withShim() });
  return { repo, git, ...onFeature! };
}

test('the work amended into the backup\'s base -> PENDING at the amended commit, then CONFIRMED', () => {
  const { repo, id, git, base } = backupOnFeatureCommit();
  git(['commit', '-q', '-a', '--amend', '--no-edit']);
  const amended = git(['rev-parse', 'HEAD']);
  assert.is.not(amended, base);
  let r = show(repo, id);
  assert.is(r.state, 'PENDING', 'the amend holds the work although it does not descend from the base');
  assert.is(r.pending_commit, amended);
  assert.is(r.base, base, 'base stays the snapshot\'s parent');
  assert.is(r.base_successor?.commit, amended);
  git(['checkout', '-q', 'main']);
  git(['merge', '-q', '--no-ff', '-m', 'merge feature', 'feature']);
  r = show(repo, id);
  assert.is(r.state, 'CONFIRMED');
  assert.is(r.confirmed_by, git(['rev-parse', 'HEAD']));
});

test('the backup\'s base rebased: still CREATED (the replayed base holds no work), PENDING once the work is committed on it', () => {
  const { repo, id, git, base } = backupOnFeatureCommit();
  // main moves on in another worktree, so the work in progress here stays where it is.
  const other = join(scratchDir('gb-wt-'), 'main');
  git(['worktree', 'add', '-q', other, 'main']);
  writeFileSync(join(other, 'other.txt'), 'main moved on\n');
  repo.git(['-C', other, 'add', 'other.txt'], { env: withShim() });
  repo.git(['-C', other, 'commit', '-q', '-m', 'main work'], { env: withShim() });
  git(['rebase', '-q', '--autostash', 'main']);
  const rebased = git(['rev-parse', 'HEAD']);
  assert.is.not(rebased, base);
  let r = show(repo, id);
  assert.is(r.state, 'CREATED');
  assert.is(r.base_successor?.commit, rebased);
  git(['commit', '-q', '-a', '-m', 'second part']);
  const work = git(['rev-parse', 'HEAD']);
  r = show(repo, id);
  assert.is(r.state, 'PENDING');
  assert.is(r.pending_commit, work);
  repo.git(['-C', other, 'merge', '-q', '--ff-only', 'feature'], { env: withShim() });
  assert.is(show(repo, id).state, 'CONFIRMED');
});

test.run();
