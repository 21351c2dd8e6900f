// Reconcile end to end against real git (no hooks: reconcile is run explicitly, as after a fetch
// or on a server). Every integration style design.md §Lifecycle names: --no-ff, fast-forward, squash, rebase
// then fast-forward, amend before merging.
import { test } from '../helpers/shard.js';
import * as assert from 'uvu/assert';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromTemplate, squashFeatureIntoMain, tempRepo, type TestRepo } from '../helpers/repo.js';

interface Rec { id: string; state: string; pending_commit: string | null; confirmed_by: string | null; history: { from: string | null; to: string; trigger: string; reason: string }[] }

const show = (repo: TestRepo, id: string) => repo.json<Rec>(['show', id]);
const reconcile = (repo: TestRepo) => repo.json<{ moved: { id: string; from: string; to: string }[] }>(['reconcile']);

/**
 * main with one commit, branch `feature` checked out, a backup of an edit, then that edit committed.
 * Built once per process, then copied for each test (fromTemplate: the copy's store is the
 * template's).
 */
let feature: { id: string; commit: string } | undefined;
function featureWithBackup(): { repo: TestRepo; id: string; commit: string } {
  const repo = fromTemplate('reconcile-feature', (t) => {
    t.git(['init', '-q', '-b', 'main']);
    t.write('README.md', '# test\n');
    t.commitAll('initial');
    t.git(['checkout', '-q', '-b', 'feature']);
    t.write('a.txt', 'work\n');
    const id = t.json<Rec>(['create', '--allow-empty', '-m', 'before']).id;
    const commit = t.commitAll('feature work');
    feature = { id, commit };
  }, { withStore: true });
  return { repo, ...feature! };
}

/**
 * featureWithBackup after one reconcile through the CLI (the backup PENDING at the feature commit): a
 * copy of its template, reconciled (and checked) once per process, then copied for each test.
 */
let pending: { id: string; commit: string } | undefined;
function featurePending(): { repo: TestRepo; id: string; commit: string } {
  const repo = fromTemplate('reconcile-feature-pending', (t) => {
    const { repo: created, id, commit } = featureWithBackup();
    cpSync(created.dir, t.dir, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
    t.git(['update-index', '-q', '--refresh']);
    assert.equal(reconcile(t).moved, [{ id, from: 'CREATED', to: 'PENDING' }]);
    pending = { id, commit };
  }, { withStore: true });
  return { repo, ...pending! };
}

test('commit then --no-ff merge: CREATED -> PENDING -> CONFIRMED by the merge commit', () => {
  const { repo, id, commit } = featureWithBackup();
  assert.equal(reconcile(repo).moved, [{ id, from: 'CREATED', to: 'PENDING' }]);
  let r = show(repo, id);
  assert.is(r.state, 'PENDING');
  assert.is(r.pending_commit, commit);
  assert.is(r.history[1]!.trigger, 'GIT_HOOK');
  repo.git(['checkout', '-q', 'main']);
  repo.git(['merge', '-q', '--no-ff', '-m', 'merge feature', 'feature']);
  const merge = repo.git(['rev-parse', 'HEAD']);
  assert.equal(reconcile(repo).moved, [{ id, from: 'PENDING', to: 'CONFIRMED' }]);
  r = show(repo, id);
  assert.is(r.state, 'CONFIRMED');
  assert.is(r.confirmed_by, merge);
  assert.equal(reconcile(repo).moved, [], 'idempotent');
});

test('fast-forward merge, CREATED straight to CONFIRMED in one run (two history entries)', () => {
  const { repo, id, commit } = featureWithBackup();
  repo.git(['checkout', '-q', 'main']);
  repo.git(['merge', '-q', '--ff-only', 'feature']);
  assert.equal(reconcile(repo).moved.map((m) => m.to), ['PENDING', 'CONFIRMED']);
  const r = show(repo, id);
  assert.equal(r.history.map((h) => h.to), ['CREATED', 'PENDING', 'CONFIRMED']);
  assert.is(r.confirmed_by, commit);
});

test('squash merge + commit: confirmed by the squash commit (patch-id of the combined diff)', () => {
  const { repo, id } = featureWithBackup();
  repo.write('b.txt', 'more\n');
  repo.commitAll('second feature commit');
  reconcile(repo);
  const squash = squashFeatureIntoMain(repo);
  reconcile(repo);
  const r = show(repo, id);
  assert.is(r.state, 'CONFIRMED');
  assert.is(r.confirmed_by, squash);
  assert.match(r.history[2]!.reason, /squash/);
});

test('rebase onto an advanced main, then fast-forward', () => {
  const { repo, id, commit } = featurePending();
  repo.git(['checkout', '-q', 'main']);
  repo.write('other.txt', 'main moved on\n');
  repo.commitAll('main advanced');
  repo.git(['checkout', '-q', 'feature']);
  repo.git(['rebase', '-q', 'main']);
  const rebased = repo.git(['rev-parse', 'HEAD']);
  assert.not.equal(rebased, commit);
  reconcile(repo);
  assert.is(show(repo, id).pending_commit, rebased, 'pending commit follows the rewrite');
  repo.git(['checkout', '-q', 'main']);
  repo.git(['merge', '-q', '--ff-only', 'feature']);
  reconcile(repo);
  const r = show(repo, id);
  assert.is(r.state, 'CONFIRMED');
  assert.is(r.confirmed_by, rebased);
});

test('amend before merging: the pending commit is remapped without hooks', () => {
  const { repo, id, commit } = featurePending();
  repo.write('a.txt', 'work, amended\n');
  repo.git(['commit', '-q', '-a', '--amend', '-m', 'feature work (amended)']);
  const amended = repo.git(['rev-parse', 'HEAD']);
  reconcile(repo);
  assert.is(show(repo, id).pending_commit, amended);
  assert.not.equal(amended, commit);
  repo.git(['checkout', '-q', 'main']);
  repo.git(['merge', '-q', '--no-ff', '-m', 'merge', 'feature']);
  reconcile(repo);
  assert.is(show(repo, id).state, 'CONFIRMED');
  // The remap is in the notes as a facts event, so a rebuild keeps it.
  const snap = repo.git(['rev-parse', `refs/backups/${id}`]);
  assert.match(repo.git(['notes', '--ref=backups', 'show', snap]), `"event":"facts","id":"${id}","facts":{"pending_commit":"${amended}"}`);
});

test('rebase merge (commits replayed onto main): confirmed by patch-id of the tip', () => {
  const { repo, id } = featurePending();
  repo.git(['checkout', '-q', 'main']);
  repo.write('other.txt', 'main moved on\n');
  repo.commitAll('main advanced');
  repo.git(['cherry-pick', 'feature']);
  const picked = repo.git(['rev-parse', 'HEAD']);
  repo.git(['branch', '-q', '-D', 'feature']); // merged branches get deleted: the pending commit still counts
  reconcile(repo);
  const r = show(repo, id);
  assert.is(r.state, 'CONFIRMED');
  assert.is(r.confirmed_by, picked);
});

test('git log --notes=backups shows "backup <id>: PENDING" under the commit', () => {
  const { repo, id, commit } = featurePending();
  const log = repo.git(['log', '-1', '--notes=backups', commit]);
  assert.match(log, `backup ${id}: PENDING`);
});

test('no commit after the backup, detached, or branch deleted: stays CREATED', () => {
  const repo = tempRepo();
  repo.git(['checkout', '-q', '-b', 'gone']);
  repo.write('a.txt', 'x\n');
  const a = repo.json<Rec>(['create', '--allow-empty']).id;
  assert.equal(reconcile(repo).moved, []);
  repo.commitAll('on gone');
  repo.git(['checkout', '-q', 'main']);
  repo.git(['branch', '-q', '-D', 'gone']);
  assert.equal(reconcile(repo).moved, []);
  assert.is(show(repo, a).state, 'CREATED');
});

test('unborn branch: any commit after the backup makes it PENDING (and CONFIRMED on main)', () => {
  const repo = tempRepo({ commit: false });
  repo.write('a.txt', 'first\n');
  const id = repo.json<Rec>(['create', '--allow-empty']).id;
  repo.commitAll('first');
  assert.equal(reconcile(repo).moved.map((m) => m.to), ['PENDING', 'CONFIRMED']);
  assert.is(repo.json<{ base: string | null }>(['show', id]).base, null);
});

test('integration branch from backup.integrationBranch; --dry-run changes nothing', () => {
  const { repo, id } = featureWithBackup();
  repo.git(['branch', 'release', 'main']);
  repo.git(['config', 'backup.integrationBranch', 'release']);
  repo.git(['checkout', '-q', 'main']);
  repo.git(['merge', '-q', '--ff-only', 'feature']);
  const dry = repo.json<{ moved: unknown[] }>(['reconcile', '--dry-run']);
  assert.is(dry.moved.length, 1);
  assert.is(show(repo, id).state, 'CREATED');
  reconcile(repo);
  assert.is(show(repo, id).state, 'PENDING', 'main is not the integration branch');
  repo.git(['checkout', '-q', 'release']);
  repo.git(['merge', '-q', '--ff-only', 'feature']);
  reconcile(repo);
  assert.is(show(repo, id).state, 'CONFIRMED');
});

test('a recent USER move defers reconcile silently; it catches up after the window', () => {
  const { repo, id } = featureWithBackup();
  assert.is(repo.cli(['transition', id, 'PENDING']).code, 0);
  repo.git(['checkout', '-q', 'main']);
  repo.git(['merge', '-q', '--ff-only', 'feature']);
  const r = repo.cli(['reconcile', '--json']);
  assert.is(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).moved, []);
  const later = new Date(Date.now() + 10 * 60_000).toISOString();
  assert.equal(repo.json<{ moved: { to: string }[] }>(['reconcile'], { env: { GIT_BACKUP_NOW: later } }).moved.map((m) => m.to), ['CONFIRMED']);
});

test('records pointing at commits this clone lacks do not break reconcile (or the others with them)', () => {
  const { repo, id } = featurePending();
  // A second backup that stays PENDING normally, and the first one made to point at missing objects
  // (as after a prune, or a db.json carried over from another clone).
  repo.write('b.txt', 'more\n');
  const other = repo.json<Rec>(['create', '--allow-empty']).id;
  const dbPath = join(repo.dir, '.git', 'backup', 'db.json');
  const db = JSON.parse(readFileSync(dbPath, 'utf8')) as { backups: { id: string; branch: string; pending_commit: string | null; snapshot: string }[] };
  const lost = db.backups.find((b) => b.id === id)!;
  lost.branch = 'gone'; // no branch tip to follow: the missing pending commit itself is looked at
  lost.pending_commit = 'e1bc428d4c70640a084acb6919040de30b98d9e6';
  lost.snapshot = 'f2cd539e5d81751b195bd72a02a151ef40c09ef7';
  writeFileSync(dbPath, JSON.stringify(db));
  repo.commitAll('more');
  const r = repo.cli(['reconcile', '--json']);
  assert.is(r.code, 0, r.stderr);
  assert.is(show(repo, other).state, 'PENDING', 'the healthy backup still moves');
  assert.is(show(repo, id).state, 'PENDING', 'the damaged one stays where it was');
});

test.run();
