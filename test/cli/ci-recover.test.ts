// `ci` over the notes (clean, hand-corrupted, over-age) and `recover` (rebuild, check and repair).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromTemplate, tempRepo, type TestRepo } from '../helpers/repo.js';
import { runUntil } from '../helpers/pause.js';

interface Rec { id: string; state: string; snapshot: string; pending_commit: string | null; confirmed_by: string | null; history: unknown[]; pinned: boolean }

/**
 * Three backups: CONFIRMED (feature merged), PENDING (committed, not merged), CREATED (pinned).
 * Built once through the CLI, then copied for each test (fromTemplate: the copy's store is the
 * template's).
 */
let populatedIds: string[] = [];
function populated(): { repo: TestRepo; ids: string[] } {
  const repo = fromTemplate('ci-recover', (t) => {
    t.git(['init', '-q', '-b', 'main']);
    t.write('README.md', '# test\n');
    t.commitAll('initial');
    t.git(['checkout', '-q', '-b', 'feature']);
    t.write('a.txt', 'a\n');
    const a = t.json<Rec>(['create', '--allow-empty', '-m', 'a']).id;
    t.commitAll('a');
    t.git(['checkout', '-q', 'main']);
    t.git(['merge', '-q', '--no-ff', '-m', 'merge', 'feature']);
    t.git(['checkout', '-q', '-b', 'second']);
    t.write('b.txt', 'b\n');
    const b = t.json<Rec>(['create', '--allow-empty', '-m', 'b']).id;
    t.commitAll('b');
    t.json(['reconcile']);
    t.write('c.txt', 'c\n');
    const c = t.json<Rec>(['create', '--allow-empty', '-m', 'c', '--pin']).id;
    populatedIds = [a, b, c];
  }, { withStore: true });
  return { repo, ids: [...populatedIds] };
}

const dbPath = (repo: TestRepo) => join(repo.dir, '.git', 'backup', 'db.json');

test('ci passes on a clean history; --max-age fails an over-age PENDING backup (exit 8)', () => {
  const { repo, ids } = populated();
  const ok = repo.cli(['ci', '--max-age', 'PENDING=14d']);
  assert.is(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /3 backup\(s\) checked/);
  const later = new Date(Date.now() + 15 * 86_400_000).toISOString();
  const old = repo.cli(['ci', '--max-age', 'PENDING=14d', '--json'], { env: { GIT_BACKUP_NOW: later } });
  assert.is(old.code, 8);
  const report = JSON.parse(old.stdout) as { ok: boolean; problems: { id: string; check: string }[] };
  assert.is(report.ok, false);
  assert.equal(report.problems.map((p) => [p.id, p.check]), [[ids[1], 'max-age']]);
  assert.is(old.stderr.trim().split('\n').length, 1);
});

test('ci fails on a hand-corrupted history in a note', () => {
  const { repo, ids } = populated();
  const snap = repo.git(['rev-parse', `refs/backups/${ids[0]}`]);
  const note = repo.git(['notes', '--ref=backups', 'show', snap]);
  // Claim the backup jumped from CREATED straight to CONFIRMED.
  const bad = note.replace('"from":"CREATED","to":"PENDING"', '"from":"CREATED","to":"CONFIRMED"');
  assert.not.equal(bad, note);
  repo.git(['notes', '--ref=backups', 'add', '-f', '-m', bad, snap]);
  const r = repo.cli(['ci']);
  assert.is(r.code, 8);
  assert.match(r.stdout, new RegExp(`FAIL ${ids[0]} \\[history\\]`));
});

test('ci without notes: exit 0 with a warning naming the fetch command; bad --max-age is exit 2', () => {
  const repo = tempRepo();
  const r = repo.cli(['ci']);
  assert.is(r.code, 0);
  assert.match(r.stderr, 'git fetch origin refs/notes/backups:refs/notes/backups');
  assert.is(repo.cli(['ci', '--max-age', 'PENDING=2 weeks']).code, 2);
  assert.is(repo.cli(['ci', '--max-age', 'LATER=2d']).code, 2);
});

test('recover --rebuild after deleting db.json gives back the same records', () => {
  const { repo } = populated();
  const before = repo.json<Rec[]>(['list']);
  rmSync(dbPath(repo));
  rmSync(dbPath(repo) + '.prev', { force: true });
  const r = repo.cli(['recover', '--rebuild', '--json']);
  assert.is(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { records: number; from_notes: number };
  assert.is(report.records, 3);
  assert.is(report.from_notes, 3);
  assert.ok(existsSync(dbPath(repo) + '.before-rebuild'));
  const after = repo.json<Rec[]>(['list']);
  const pick = (x: Rec[]) => x.map((b) => ({ id: b.id, state: b.state, history: b.history, pending: b.pending_commit, confirmed: b.confirmed_by, pinned: b.pinned }));
  assert.equal(pick(after), pick(before));
});

test('recover --rebuild: a ref without a note is rebuilt from the snapshot trailers', () => {
  const repo = tempRepo();
  repo.write('x.txt', 'x\n');
  const rec = repo.json<Rec>(['create', '--allow-empty', '-m', 'lonely']);
  repo.git(['update-ref', '-d', 'refs/notes/backups']);
  const r = repo.json<{ from_snapshots: number }>(['recover', '--rebuild']);
  assert.is(r.from_snapshots, 1);
  const back = repo.json<Rec & { message: string; files: number }>(['show', rec.id]);
  assert.is(back.state, 'CREATED');
  assert.is(back.message, 'lonely');
  assert.is(back.files, 1);
});

test('recover (check): finishes a deletion, restores a lost ref, adds a record for an orphan ref', () => {
  const { repo, ids } = populated();
  // A DELETED record whose ref remained (as if killed between the write and the ref removal).
  const snap0 = repo.git(['rev-parse', `refs/backups/${ids[0]}`]);
  assert.is(repo.cli(['delete', ids[0]!, '--yes']).code, 0);
  repo.git(['update-ref', `refs/backups/${ids[0]}`, snap0]);
  // A live backup whose ref was removed by hand.
  repo.git(['update-ref', '-d', `refs/backups/${ids[1]}`]);
  // A ref whose record is gone from the index.
  const db = JSON.parse(readFileSync(dbPath(repo), 'utf8')) as { backups: { id: string }[] };
  db.backups = db.backups.filter((b) => b.id !== ids[2]);
  writeFileSync(dbPath(repo), JSON.stringify(db));
  const r = repo.cli(['recover']);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /finished the deletion/);
  assert.match(r.stdout, /pointed it at its snapshot again/);
  assert.match(r.stdout, new RegExp(`${ids[2]}: refs/backups/${ids[2]} had no record; added it from its note`));
  assert.is(repo.json<Rec>(['show', ids[2]!]).pinned, true);
  assert.is(repo.git(['for-each-ref', `refs/backups/${ids[0]}`]), '');
  assert.is(repo.git(['rev-parse', `refs/backups/${ids[1]}`]).length, 40);
  const again = repo.cli(['recover']);
  assert.is(again.code, 0);
  assert.match(again.stdout, /0 repair\(s\), 0 problem\(s\)/);
});

test('killed between the note and the index write: the next read catches the index up from the notes, and a rebuild agrees', async () => {
  const { repo, ids } = populated();
  const id = ids[2]!; // CREATED
  const dbBefore = readFileSync(dbPath(repo), 'utf8');
  const paused = await runUntil(repo, ['transition', id, 'CLEANABLE', '--force', '--reason', 'killed'], 'store:after-notes');
  await paused.kill();
  assert.is(readFileSync(dbPath(repo), 'utf8'), dbBefore, 'db.json does not have the move');
  assert.match(repo.git(['notes', '--ref=backups', 'show', repo.json<Rec>(['show', id]).snapshot]), /"to":"CLEANABLE"/, 'the note has it');
  assert.is(repo.json<Rec>(['show', id]).state, 'CLEANABLE', 'read from the notes');
  const r = repo.cli(['recover']);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /0 repair\(s\), 0 problem\(s\)/, 'nothing to guess: the index was derived');
  assert.is(repo.cli(['ci']).code, 0);
  rmSync(dbPath(repo));
  rmSync(dbPath(repo) + '.prev', { force: true });
  assert.is(repo.cli(['recover', '--rebuild']).code, 0);
  const rebuilt = repo.json<Rec>(['show', id]);
  assert.is(rebuilt.state, 'CLEANABLE');
  assert.is(rebuilt.pinned, true);
});

test('a notes tree git cannot read (a fan-out tree object missing): ci exits 7 naming it, not "0 backup(s) checked: ok" (adversarial campaign)', () => {
  const repo = tempRepo();
  repo.write('a.txt', 'a\n');
  repo.json<Rec>(['create', '-m', 'a']);
  // The notes tree with a fan-out, as git lays out many notes, its objects loose.
  const tip = repo.git(['rev-parse', 'refs/notes/backups']);
  const top = repo.git(['ls-tree', 'refs/notes/backups']).split('\n').map((l) => {
    const [meta, path] = l.split('\t') as [string, string];
    const sub = repo.git(['mktree'], { input: `100644 blob ${meta.split(' ')[2]}\t${path.slice(2)}\n` });
    return `040000 tree ${sub}\t${path.slice(0, 2)}`;
  });
  const tree = repo.git(['mktree'], { input: top.join('\n') + '\n' });
  repo.git(['update-ref', 'refs/notes/backups', repo.git(['commit-tree', tree, '-p', tip, '-m', 'fanned out'])]);
  assert.is(repo.cli(['ci']).code, 0);
  const sub = top[0]!.split(' ')[2]!.split('\t')[0]!;
  rmSync(join(repo.dir, '.git', 'objects', sub.slice(0, 2), sub.slice(2)));
  const r = repo.cli(['ci']);
  assert.is(r.code, 7, r.stdout + r.stderr);
  assert.match(r.stderr, /refs\/notes\/backups cannot be read/);
});

test.run();
