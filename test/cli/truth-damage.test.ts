// Damage to the durable record itself (docs/store.md, "A damaged notes ref", "A damaged cold
// segment"): refs/notes/backups that is not a notes commit, a cold segment garbled in place, the
// store directory replaced by a file. Ordinary commands keep working where they can and say what
// is wrong in one line, `recover` repairs, `ci` never says ok over it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ok, type Rec } from '../helpers/truth.js';
import { fromTemplate, tempRepo, type TestRepo } from '../helpers/repo.js';
import { install, withShim } from '../helpers/hooks.js';

const NOTES = 'refs/notes/backups';

/**
 * A repository with two CREATED backups, made by the CLI once per process and copied for each test
 * (fromTemplate: the copy's store is the template's).
 */
const twoIds: string[] = [];
function twoBackups(): { repo: TestRepo; ids: string[] } {
  const repo = fromTemplate('truth-damage-two', (t) => {
    t.git(['init', '-q', '-b', 'main']);
    t.write('README.md', '# test\n');
    t.commitAll('initial');
    const ids: string[] = [];
    for (const n of [1, 2]) {
      t.write('a.txt', `work ${n}\n`);
      ids.push(t.json<Rec>(['create', '-m', `m${n}`]).id);
    }
    twoIds.splice(0, Infinity, ...ids); // only a whole build's ids: a failed one is built again
  }, { withStore: true });
  return { repo, ids: [...twoIds] };
}

const noteOf = (repo: TestRepo, id: string) => repo.git(['notes', '--ref=backups', 'show', `refs/backups/${id}`]);

/** The damaged ref is named with recover as the repair, once; commands keep working from the index. */
function worksFromTheIndex(repo: TestRepo, ids: string[]): string {
  const list = repo.cli(['list', '--json']);
  assert.is(list.code, 0, list.stderr);
  assert.equal((JSON.parse(list.stdout) as Rec[]).map((b) => b.id).sort(), [...ids].sort());
  const warnings = list.stderr.split('\n').filter((l) => l.includes(NOTES));
  assert.is(warnings.length, 1, list.stderr);
  assert.match(warnings[0]!, /damaged.*git backup recover/);
  repo.write('a.txt', 'work 3\n');
  const made = repo.cli(['create', '-m', 'm3', '--json']);
  assert.is(made.code, 0, made.stderr);
  return (JSON.parse(made.stdout) as Rec).id;
}

test('notes ref at a blob: list and create work from the index, ci exits 7, recover moves it aside and rewrites the notes', () => {
  const { repo, ids } = twoBackups();
  const blob = repo.git(['hash-object', '-w', '--stdin'], { input: 'garbage\n' });
  repo.git(['update-ref', NOTES, blob]);
  const third = worksFromTheIndex(repo, ids);
  assert.is(repo.git(['rev-parse', NOTES]), blob, 'nothing was built on the damaged ref');
  const ci = repo.cli(['ci']);
  assert.is(ci.code, 7, ci.stdout + ci.stderr);
  assert.match(ci.stderr, /refs\/notes\/backups is damaged.*git backup recover/);
  assert.not.match(ci.stdout, /: ok/);

  const out = ok(repo, ['recover']);
  assert.match(out, /repaired: refs\/notes\/backups was damaged .*kept it as refs\/notes\/backups-damaged-\d+/);
  const aside = repo.git(['for-each-ref', '--format=%(refname) %(objectname)', 'refs/notes/']).split('\n').find((l) => l.includes('-damaged-'));
  assert.ok(aside?.endsWith(` ${blob}`), 'the damaged value is kept for a person to look at');
  assert.is(repo.git(['cat-file', '-t', NOTES]), 'commit');
  for (const id of [...ids, third]) assert.match(noteOf(repo, id), /"event":"created"/);
  const ci2 = repo.cli(['ci']);
  assert.is(ci2.code, 0, ci2.stdout + ci2.stderr);
  assert.match(ci2.stdout, /3 backup\(s\) checked/);
  const list = repo.cli(['list']);
  assert.is(list.stderr, '', 'no warning once repaired');
});

test('notes ref at a missing object: recover puts it back at the notes the index mirrored', () => {
  const { repo, ids } = twoBackups();
  repo.write('.git/refs/notes/backups', `${'1234567890'.repeat(4)}\n`);
  const third = worksFromTheIndex(repo, ids);
  assert.is(repo.cli(['ci']).code, 7);
  assert.match(ok(repo, ['recover']), /refs\/notes\/backups was damaged \(it points at 123456789012, an object this repository does not have\)/);
  for (const id of [...ids, third]) assert.match(noteOf(repo, id), /"event":"created"/);
  assert.match(ok(repo, ['ci']), /3 backup\(s\) checked \(3 CREATED\): ok/);
});

test("notes ref at a user's commit: no notes commit is built on the user's history", () => {
  const { repo, ids } = twoBackups();
  const user = repo.git(['rev-parse', 'HEAD']);
  repo.git(['update-ref', NOTES, user]);
  const third = worksFromTheIndex(repo, ids);
  assert.is(repo.git(['rev-parse', NOTES]), user, 'create wrote no note on top of it');
  assert.is(repo.cli(['ci']).code, 7);
  ok(repo, ['recover']);
  const tip = repo.git(['rev-parse', NOTES]);
  const above = repo.git(['rev-list', tip]).split('\n');
  assert.not.ok(above.includes(user), "the rebuilt notes do not descend from the user's commit");
  assert.ok(repo.git(['for-each-ref', '--format=%(objectname)', 'refs/notes/']).split('\n').includes(user), 'kept aside');
  for (const id of [...ids, third]) assert.match(noteOf(repo, id), /"event":"created"/);
  ok(repo, ['ci']);
});

test('a cold segment garbled in place (same size): list names the damage, show exits 7 in one line, ci exits 7, recover rewrites it from the notes', () => {
  const repo = tempRepo();
  for (const n of [1, 2, 3]) {
    repo.write('a.txt', `work ${n}\n`);
    const id = repo.json<Rec>(['create', '-m', `m${n}`]).id;
    ok(repo, ['delete', '--yes', '--force', id]);
  }
  const dir = join(repo.dir, '.git', 'backup', 'cold');
  const [name] = readdirSync(dir);
  const segment = join(dir, name!);
  const bytes = readFileSync(segment);
  const first = /^\{"id":"([^"]+)"/.exec(bytes.toString('utf8'))![1]!;
  bytes.write('XXXXXXXXXX', 100); // inside the first line, which keeps its id
  writeFileSync(segment, bytes);

  const list = repo.cli(['list', '--state', 'DELETED', '--json']);
  assert.is(list.code, 0, list.stderr);
  assert.is((JSON.parse(list.stdout) as Rec[]).length, 2);
  assert.match(list.stderr, /cold store segment .* is damaged .*git backup recover/);
  const show = repo.cli(['show', first]);
  assert.is(show.code, 7, show.stderr);
  assert.is(show.stderr.trim().split('\n').length, 1, show.stderr);
  assert.match(show.stderr, /cannot be read .*git backup recover/);
  const ci = repo.cli(['ci']);
  assert.is(ci.code, 7, ci.stdout + ci.stderr);
  assert.match(ci.stdout, /FAIL store cold store segment/);

  assert.match(ok(repo, ['recover']), /repaired: the cold store segment \d{4}-\d{2} was damaged .*3 tombstone\(s\), 1 of them from the notes/);
  const after = repo.cli(['list', '--state', 'DELETED', '--json']);
  assert.is(after.stderr, '');
  assert.is((JSON.parse(after.stdout) as Rec[]).length, 3);
  assert.is(repo.json<Rec>(['show', first]).state, 'DELETED');
  ok(repo, ['ci']);
  assert.match(ok(repo, ['recover']), /0 repair\(s\), 0 problem\(s\)/);
});

for (const kind of ['a FIFO', 'a directory'] as const) {
  test(`a cold segment replaced by ${kind}: read as damaged, a delete into it still writes the index, recover writes it again`, () => {
    const repo = tempRepo();
    const ids: string[] = [];
    for (const n of [1, 2, 3]) {
      repo.write('a.txt', `work ${n}\n`);
      ids.push(repo.json<Rec>(['create', '-m', `m${n}`]).id);
    }
    for (const id of ids.slice(0, 2)) ok(repo, ['delete', '--yes', '--force', id]);
    const dir = join(repo.dir, '.git', 'backup', 'cold');
    const [name] = readdirSync(dir);
    const segment = join(dir, name!);
    rmSync(segment);
    if (kind === 'a FIFO') execFileSync('mkfifo', [segment]);
    else mkdirSync(segment);

    const list = repo.cli(['list', '--state', 'DELETED', '--json'], { timeoutMs: 20_000 });
    assert.is(list.code, 0, list.stderr);
    assert.match(list.stderr, /cold store segment .* is damaged .*git backup recover/);
    // The compaction of this delete appends to the segment: it could not (ESPIPE, EISDIR), and
    // the index was left behind the notes by every delete of that month.
    const del = repo.cli(['delete', '--yes', '--force', ids[2]!], { timeoutMs: 20_000 });
    assert.is(del.code, 0, del.stderr);
    assert.not.match(del.stderr, /could not be written/);
    const ci = repo.cli(['ci'], { timeoutMs: 20_000 });
    assert.is(ci.code, 7, ci.stdout + ci.stderr);

    // It failed with "unexpected error" (exit 1) before: the repair it names could not be made.
    assert.match(ok(repo, ['recover']), /repaired: the cold store segment \d{4}-\d{2} was damaged .*3 tombstone\(s\)/);
    const after = repo.cli(['list', '--state', 'DELETED', '--json']);
    assert.is(after.stderr, '');
    assert.equal((JSON.parse(after.stdout) as Rec[]).map((b) => b.id).sort(), [...ids].sort());
    ok(repo, ['ci']);
    assert.match(ok(repo, ['recover']), /0 repair\(s\), 0 problem\(s\)/);
  });
}

test('the store directory replaced by a file: one line and exit 7 naming what to do; git commit is unaffected; recover after moving it aside', () => {
  const repo = tempRepo();
  install(repo);
  const env = withShim({ GIT_BACKUP_HOOK_MODE: 'sync' });
  repo.write('a.txt', 'work\n');
  const id = repo.json<Rec>(['create', '-m', 'w'], { env }).id;
  const store = join(repo.dir, '.git', 'backup');
  rmSync(store, { recursive: true });
  writeFileSync(store, 'not a directory\n');
  for (const args of [['list'], ['status'], ['create', '-m', 'x']]) {
    const r = repo.cli(args, { env });
    assert.is(r.code, 7, `${args.join(' ')}: ${r.stderr}`);
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /\.git\/backup is not a directory .*move it aside .*git backup recover/);
    assert.not.match(r.stderr, /unexpected error/);
  }
  repo.git(['add', 'a.txt'], { env });
  const commit = spawnSync('git', ['commit', '-q', '-m', 'work'], { cwd: repo.dir, env, encoding: 'utf8' });
  assert.is(commit.status, 0, commit.stderr);
  renameSync(store, `${store}.damaged`);
  ok(repo, ['recover']);
  assert.ok(repo.json<Rec[]>(['list']).some((b) => b.id === id));
});

test.run();
