// Issue 8, "Scale": tombstones leave db.json for the cold store (<store>/cold/<YYYY-MM>.jsonl) and
// stay visible: show, log, list --state DELETED, status counts; recover --rebuild writes the cold
// store again from the notes; a compaction killed (SIGKILL) between its append and the index write,
// or a torn line at the end of a segment, leaves a consistent store.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { CLI, fromTemplate, tempRepo, TEST_ENV, type TestRepo } from '../helpers/repo.js';
import { runUntil } from '../helpers/pause.js';
import { dbPath, ok, type Rec } from '../helpers/truth.js';

type Db = { backups: Rec[]; cold?: Record<string, { bytes: number; count: number; max: string }> };
const db = (repo: TestRepo): Db => JSON.parse(readFileSync(dbPath(repo), 'utf8')) as Db;
const coldDir = (repo: TestRepo) => join(repo.dir, '.git', 'backup', 'cold');
/** Every line of every cold segment, as ids. */
const coldLines = (repo: TestRepo): string[] =>
  existsSync(coldDir(repo))
    ? readdirSync(coldDir(repo)).sort().flatMap((f) => readFileSync(join(coldDir(repo), f), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as Rec).id))
    : [];

/**
 * Three backups, the first two deleted: two tombstones in the cold store, one live record in db.json.
 * Made by the CLI once per process and copied for each test (fromTemplate: the copy's store is the
 * template's).
 */
const threeIds: string[] = [];
function threeTwoDeleted(): { repo: TestRepo; ids: string[] } {
  const repo = fromTemplate('cold-three-two-deleted', (t) => {
    t.git(['init', '-q', '-b', 'main']);
    t.write('README.md', '# test\n');
    t.commitAll('initial');
    const ids: string[] = [];
    for (const k of [1, 2, 3]) {
      t.write(`w${k}.txt`, `work ${k}\n`);
      ids.push(t.json<Rec>(['create', '--allow-empty', '-m', `b${k}`]).id);
    }
    ok(t, ['delete', ids[0]!, ids[1]!, '--yes', '--force']);
    threeIds.splice(0, Infinity, ...ids); // only a whole build's ids: a failed one is built again
  }, { withStore: true });
  return { repo, ids: [...threeIds] };
}

test('tombstones leave db.json and are still shown by show, log, list --state DELETED and counted by status', () => {
  const { repo, ids } = threeTwoDeleted();
  const d = db(repo);
  assert.equal(d.backups.map((b) => b.id), [ids[2]], 'only the live backup stays in the index');
  assert.equal(coldLines(repo).sort(), [ids[0], ids[1]].sort());
  assert.is(Object.values(d.cold!).reduce((n, s) => n + s.count, 0), 2);
  for (const [seg, s] of Object.entries(d.cold!)) assert.is(statSync(join(coldDir(repo), `${seg}.jsonl`)).size, s.bytes);

  const shown = repo.json<Rec & { tombstone: { paths: string[] } }>(['show', ids[0]!]);
  assert.is(shown.state, 'DELETED');
  assert.equal(shown.tombstone.paths, ['w1.txt']);
  // The shortest prefix past the second that no other id shares (backups of the same second share more).
  const n = [17, 18, 19, 20].find((k) => !ids.some((o) => o !== ids[1] && o.startsWith(ids[1]!.slice(0, k))))!;
  assert.is(repo.json<Rec>(['show', ids[1]!.slice(0, n)]).id, ids[1], 'a prefix finds a cold tombstone');
  const log = repo.json<{ id: string; to: string }[]>(['log', ids[0]!]);
  assert.equal(log.map((e) => e.to), ['CREATED', 'DELETED']);
  assert.is(repo.json<{ id: string }[]>(['log']).filter((e) => e.id === ids[1]).length, 2, 'the whole log includes tombstones');
  assert.equal(repo.json<Rec[]>(['list', '--state', 'DELETED']).map((r) => r.id).sort(), [ids[0], ids[1]].sort());
  assert.equal(repo.json<Rec[]>(['list']).map((r) => r.id), [ids[2]]);
  const status = repo.json<{ total: number; states: Record<string, number> }>(['status']);
  assert.is(status.total, 3);
  assert.is(status.states.DELETED, 2);
  // Moving a tombstone is refused as before (INVALID, not "no backup").
  const again = repo.cli(['delete', ids[0]!, '--yes', '--force']);
  assert.is(again.code, 3, again.stderr);
  assert.match(again.stderr, /DELETED/);
  assert.is(repo.cli(['pin', ids[0]!]).code, 3);
  ok(repo, ['ci']);
  assert.match(ok(repo, ['recover']), /0 repair\(s\), 0 problem\(s\)/);
  // A tombstone's note changed after its compaction (as a notes merge from another clone does):
  // the catch-up leaves it in the cold store, counted once.
  const snap = shown.snapshot;
  const text = repo.git(['notes', '--ref=backups', 'show', snap]);
  repo.git(['notes', '--ref=backups', 'add', '-f', '-F', '-', snap], { input: `${text}\n2099-01-01T00:00:00.000Z {"event":"unpin","id":"${ids[0]}"}\n` });
  assert.is(repo.json<{ states: Record<string, number> }>(['status']).states.DELETED, 2);
  assert.is(repo.json<Rec[]>(['list', '--state', 'DELETED']).length, 2);
  repo.write('w9.txt', 'nine\n');
  ok(repo, ['create', '--allow-empty', '-m', 'after the note changed']);
  assert.equal(coldLines(repo).sort(), [ids[0], ids[1]].sort());
});

test('recover --rebuild writes the cold store again from the notes', () => {
  const { repo, ids } = threeTwoDeleted();
  rmSync(coldDir(repo), { recursive: true });
  const gone = repo.cli(['show', ids[0]!]);
  assert.is(gone.code, 4, 'the tombstone is gone with its cold segment');
  assert.match(gone.stderr, /segment \d{4}-\d{2} is damaged .*git backup recover/, 'and the way back is named (review)');
  assert.is(gone.stderr.trim().split('\n').length, 1, gone.stderr);
  ok(repo, ['recover', '--rebuild']);
  assert.equal(coldLines(repo).sort(), [ids[0], ids[1]].sort());
  assert.equal(db(repo).backups.map((b) => b.id), [ids[2]]);
  assert.is(repo.json<Rec>(['show', ids[0]!]).state, 'DELETED');
  assert.is(repo.json<{ states: Record<string, number> }>(['status']).states.DELETED, 2);
  // A second rebuild starts the segments over: still one line per tombstone.
  ok(repo, ['recover', '--rebuild']);
  assert.equal(coldLines(repo).sort(), [ids[0], ids[1]].sort());
});

test('a compaction killed between its append and the index write, and a torn line, leave a consistent store', async () => {
  const { repo, ids } = threeTwoDeleted();
  const paused = await runUntil(repo, ['delete', ids[2]!, '--yes', '--force'], 'store:after-cold');
  await paused.kill();
  // The notes have the delete and the cold segment its line; db.json has neither.
  assert.is(coldLines(repo).length, 3);
  assert.equal(db(repo).backups.map((b) => b.id), [ids[2]]);
  assert.is(repo.json<Rec>(['show', ids[2]!]).state, 'DELETED', 'caught up from the notes');
  assert.equal(repo.json<Rec[]>(['list', '--state', 'DELETED']).map((r) => r.id).sort(), [...ids].sort(), 'each once');
  assert.is(repo.json<{ states: Record<string, number> }>(['status']).states.DELETED, 3);
  // A torn line at the end of a segment, as a kill in the middle of an append leaves it.
  const seg = readdirSync(coldDir(repo))[0]!;
  appendFileSync(join(coldDir(repo), seg), '{"id":"2026');
  assert.is(repo.json<Rec[]>(['list', '--state', 'DELETED']).length, 3);
  // The next write cuts off what the index does not account for and appends the tombstone once.
  repo.write('w4.txt', 'four\n');
  ok(repo, ['create', '--allow-empty', '-m', 'b4']);
  assert.equal(coldLines(repo).sort(), [...ids].sort());
  const d = db(repo);
  assert.is(d.backups.length, 1);
  for (const [s, meta] of Object.entries(d.cold!)) assert.is(statSync(join(coldDir(repo), `${s}.jsonl`)).size, meta.bytes);
  // The killed delete never removed its ref: recover finishes it (the tombstone is in the cold store).
  assert.match(ok(repo, ['recover']), new RegExp(`${ids[2]} is DELETED but its ref remained: finished the deletion`));
  assert.is(repo.git(['for-each-ref', `refs/backups/${ids[2]}`]), '');
  ok(repo, ['ci']);
  assert.match(ok(repo, ['recover']), /0 repair\(s\), 0 problem\(s\)/);
});

test('log and list over tombstones of several months: every event once, in time order, newest backup first, and a reader that leaves early is no error', async () => {
  const repo = tempRepo();
  const at = (args: string[], iso: string) => {
    const r = repo.cli(args, { env: { GIT_BACKUP_NOW: iso } });
    assert.is(r.code, 0, `git backup ${args.join(' ')}: ${r.stdout}${r.stderr}`);
    return r.stdout;
  };
  const made: string[] = [];
  // Made in January, March and May (tombstones in three segments, one live), deleted in April and
  // June: the January backup's last event is held past the March and May segments.
  for (const [k, when] of [[1, '2026-01-20T10:00:00.000Z'], [2, '2026-03-05T10:00:00.000Z'], [3, '2026-05-30T23:59:59.000Z'], [4, '2026-05-31T00:00:00.000Z']] as const) {
    repo.write(`w${k}.txt`, `work ${k}\n`);
    made.push((JSON.parse(at(['create', '--allow-empty', '-m', `b${k}`, '--json'], when)) as Rec).id);
  }
  at(['delete', made[1]!, '--yes', '--force'], '2026-04-02T08:00:00.000Z');
  at(['delete', made[0]!, made[2]!, '--yes', '--force'], '2026-06-02T08:00:00.000Z');
  assert.equal(Object.keys(db(repo).cold ?? {}).sort(), ['2026-01', '2026-03', '2026-05']);
  const log = repo.json<{ id: string; at: string; to: string }[]>(['log']);
  assert.equal(log.map((e) => `${e.at} ${e.id} ${e.to}`), [
    `2026-01-20T10:00:00.000Z ${made[0]} CREATED`,
    `2026-03-05T10:00:00.000Z ${made[1]} CREATED`,
    `2026-04-02T08:00:00.000Z ${made[1]} DELETED`,
    `2026-05-30T23:59:59.000Z ${made[2]} CREATED`,
    `2026-05-31T00:00:00.000Z ${made[3]} CREATED`,
    `2026-06-02T08:00:00.000Z ${made[0]} DELETED`, // the same instant: by id
    `2026-06-02T08:00:00.000Z ${made[2]} DELETED`,
  ]);
  assert.is(log.length, 7, 'every event once');
  assert.equal(repo.cli(['log']).stdout.trim().split('\n').length, 7);
  // list newest first over the same segments: the live one, then the tombstones by creation time.
  const listed = repo.json<Rec[]>(['list', '--state', 'DELETED', '--state', 'CREATED', '--json']);
  assert.equal(listed.map((r) => r.id), [made[3], made[2], made[1], made[0]]);
  assert.equal(repo.json<Rec[]>(['list', '--state', 'DELETED', '--json', '--limit', '2']).map((r) => r.id), [made[2], made[1]]);
  assert.equal(repo.json<Rec[]>(['list', '--state', 'DELETED', '--json', '--grep', 'b1']).map((r) => r.id), [made[0]]);
  assert.equal(repo.json<Rec[]>(['list', '--state', 'DELETED', '--json', '--sort', 'size']).map((r) => r.id).sort(), [made[0], made[1], made[2]].sort());
  const table = repo.cli(['list', '--state', 'DELETED', '--limit', '2']).stdout.trim().split('\n');
  assert.equal(table.slice(1).map((l) => l.split(/\s+/)[0]), [made[2], made[1]]);
  // `git backup log | head -1`: the reader leaves after one line; the command stops, exit 0, nothing on stderr.
  const child = spawn('sh', ['-c', `"${process.execPath}" "${CLI}" log | head -1`], { cwd: repo.dir, env: TEST_ENV });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise((done) => child.on('close', done));
  assert.is(code, 0);
  assert.is(err, '');
  assert.is(out.trim().split('\n').length, 1);
});

test('git notes prune after gc drops the notes of the tombstones: recover writes them again from the cold store, and recover --rebuild still has them (adversarial campaign)', () => {
  const { repo, ids } = threeTwoDeleted();
  ok(repo, ['gc', '--now']);
  repo.git(['notes', '--ref=refs/notes/backups', 'prune']);
  assert.is(repo.git(['notes', '--ref=refs/notes/backups', 'list']).split('\n').filter(Boolean).length, 1, 'only the live backup keeps its note');
  assert.match(ok(repo, ['recover']), /2 tombstone\(s\) in the cold store had no note/);
  assert.is(repo.git(['notes', '--ref=refs/notes/backups', 'list']).split('\n').filter(Boolean).length, 3);
  assert.match(ok(repo, ['recover']), /0 repair\(s\)/);
  ok(repo, ['recover', '--rebuild']);
  assert.equal(repo.json<Rec[]>(['list', '--state', 'DELETED']).map((r) => r.id).sort(), [ids[0], ids[1]].sort());
  assert.match(ok(repo, ['ci']), /2 DELETED/);
});

test.run();
