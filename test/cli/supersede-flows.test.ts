// The flows that must still move a backup now that "superseded" needs the user's own commit on
// the backup's own line (work-loss.test.ts has the cases where it must not): further edits committed
// or folded into an amend, a rebase merge, a detached backup committed on HEAD then made a branch,
// and an archived backup whose snapshot was pruned still cleaned up. Real git, hooks in sync mode.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { withShim } from '../helpers/hooks.js';
import { clonedRepo, DAY, show, TEAMMATE, tick, type Rec } from '../helpers/proof.js';
import type { TestRepo } from '../helpers/repo.js';


/**
 * A backup of README on `feature`, then the work continued there by the user: README edited again
 * and committed (F1), then another file (F2). Returns the backup's id, on `feature`.
 */
function workContinuedOnFeature(repo: TestRepo, git: (args: string[]) => string): string {
  git(['checkout', '-q', '-b', 'feature']);
  repo.write('README', 'v1\n');
  const { id } = repo.json<Rec>(['create'], { env: withShim() });
  repo.write('README', 'v2\n');
  git(['commit', '-q', '-am', 'F1']);
  repo.write('g', 'g\n');
  git(['add', 'g']);
  git(['commit', '-q', '-m', 'F2']);
  return id;
}

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

test('a rebase merge of the user\'s branch (its commits rewritten onto main) confirms work the line superseded', () => {
  const { repo, git } = clonedRepo();
  const id = workContinuedOnFeature(repo, git);
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

test('a detached backup whose work the user committed on HEAD and then made a branch (switch -c) moves: HEAD is its line', () => {
  const { repo, git } = clonedRepo();
  git(['checkout', '-q', '--detach']);
  repo.write('README', 'experiment\n');
  const { id } = repo.json<Rec>(['create'], { env: withShim() });
  repo.write('README', 'experiment, finished\n');
  git(['commit', '-q', '-am', 'finished']);
  git(['switch', '-q', '-c', 'feature']);
  repo.cli(['reconcile'], { env: withShim() });
  assert.is(show(repo, id).state, 'PENDING');
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
  const id = workContinuedOnFeature(repo, git);
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

test('a squash merge of the user\'s own line confirms: the squash carries content the user\'s commit wrote', () => {
  const { repo, git } = clonedRepo();
  const id = workContinuedOnFeature(repo, git);
  git(['checkout', '-q', 'main']);
  git(['merge', '-q', '--squash', 'feature']);
  repo.git(['commit', '-q', '-m', 'squash feature'], { env: withShim(TEAMMATE) });
  git(['branch', '-q', '-D', 'feature']);
  git(['push', '-q', 'origin', 'main']);
  repo.cli(['reconcile'], { env: withShim() });
  assert.is(show(repo, id).state, 'CONFIRMED');
});

test.run();
