// Issue 8: one truth. The notes are written first and db.json is derived from them, so no damage
// to the index, no gc and no lost write can make the two disagree for good.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, statSync, truncateSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { tempRepo } from '../helpers/repo.js';
import { runUntil } from '../helpers/pause.js';
import { archivedAndLive, dbPath, ok, type Rec } from '../helpers/truth.js';

test('a deleted backup stays deleted after gc --now, delete and recover --rebuild', () => {
  const repo = tempRepo();
  repo.write('x.txt', 'doomed\n');
  const id = repo.json<Rec>(['create', '--allow-empty', '-m', 'doomed']).id;
  ok(repo, ['transition', id, 'CLEANABLE']);
  ok(repo, ['archive', id]);
  ok(repo, ['gc', '--now']); // prunes the snapshot commit the note hangs on
  ok(repo, ['delete', id, '--yes']);
  ok(repo, ['recover', '--rebuild']);
  assert.is(repo.json<Rec>(['show', id]).state, 'DELETED');
  ok(repo, ['verify']);
  ok(repo, ['ci']);
  const again = repo.cli(['recover']);
  assert.is(again.code, 0, again.stdout + again.stderr);
  assert.match(again.stdout, /0 repair\(s\), 0 problem\(s\)/);
});
test('a torn db.json (header intact) blocks no write: create, recover and recover --rebuild exit 0', () => {
  const { repo, archived } = archivedAndLive();
  const size = statSync(dbPath(repo)).size;
  truncateSync(dbPath(repo), Math.floor(size / 2));
  assert.match(readFileSync(dbPath(repo), 'utf8'), /^\{"schema":1,"generation":\d+,/, 'the header survived');
  repo.write('c.txt', 'more\n');
  const r = repo.cli(['create', '--allow-empty', '-m', 'after the tear']);
  assert.is(r.code, 0, r.stderr);
  ok(repo, ['recover']);
  truncateSync(dbPath(repo), Math.floor(statSync(dbPath(repo)).size / 2));
  ok(repo, ['recover', '--rebuild']);
  assert.is(repo.json<Rec>(['show', archived]).state, 'ARCHIVED');
  ok(repo, ['ci']);
});
test('delete all or nothing: a ref gone by hand is no obstacle; a ref moved elsewhere refuses with nothing recorded', () => {
  const repo = tempRepo();
  repo.write('a.txt', 'one\n');
  const gone = repo.json<Rec>(['create', '-m', 'ref gone']).id;
  repo.write('a.txt', 'two\n');
  const moved = repo.json<Rec>(['create', '-m', 'ref moved']).id;
  repo.git(['update-ref', '-d', `refs/backups/${gone}`]);
  ok(repo, ['delete', gone, '--yes', '--force']);
  assert.is(repo.json<Rec>(['show', gone]).state, 'DELETED');
  const notesBefore = repo.git(['rev-parse', 'refs/notes/backups']);
  repo.git(['update-ref', `refs/backups/${moved}`, 'HEAD']);
  const r = repo.cli(['delete', moved, '--yes', '--force']);
  assert.is(r.code, 3, r.stderr);
  assert.match(r.stderr, /left as it was/);
  assert.is(repo.json<Rec>(['show', moved]).state, 'CREATED');
  assert.is(repo.git(['rev-parse', 'refs/notes/backups']), notesBefore, 'no note line written');
  assert.is(repo.git(['rev-parse', `refs/backups/${moved}`]), repo.git(['rev-parse', 'HEAD']), 'the moved ref is left alone');
  // The way out the message gives (recover leaves a moved ref alone: it promised otherwise; adversarial campaign).
  const fix = /point it back with: (git update-ref \S+ [0-9a-f]{40})/.exec(r.stderr)?.[1];
  assert.ok(fix, r.stderr);
  repo.git(fix!.split(' ').slice(1));
  ok(repo, ['delete', moved, '--yes', '--force']);
  assert.is(repo.json<Rec>(['show', moved]).state, 'DELETED');
});

test('the same with the refs packed (read from packed-refs, not listed): a packed ref moved elsewhere refuses, a packed ref in place is removed', () => {
  const repo = tempRepo();
  repo.write('a.txt', 'one\n');
  const kept = repo.json<Rec>(['create', '-m', 'packed, in place']).id;
  repo.write('a.txt', 'two\n');
  const moved = repo.json<Rec>(['create', '-m', 'packed, moved']).id;
  repo.git(['update-ref', `refs/backups/${moved}`, 'HEAD']);
  repo.git(['pack-refs', '--all']);
  assert.not.ok(existsSync(join(repo.dir, '.git', 'refs', 'backups', moved)), 'packed');
  const r = repo.cli(['delete', moved, '--yes', '--force']);
  assert.is(r.code, 3, r.stderr);
  assert.is(repo.json<Rec>(['show', moved]).state, 'CREATED');
  ok(repo, ['delete', kept, '--yes', '--force']);
  assert.is(repo.json<Rec>(['show', kept]).state, 'DELETED');
  assert.is(repo.cli(['ci']).code, 0);
  assert.throws(() => repo.git(['rev-parse', '--verify', '-q', `refs/backups/${kept}`]), 'its ref is gone');
});

test('an automatic batch goes on without a backup whose ref was moved by hand, and leaves that one as it was', () => {
  const repo = tempRepo();
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    repo.write('a.txt', `version ${i}\n`);
    ids.push(repo.json<Rec>(['create', '-m', `b${i}`]).id);
    ok(repo, ['transition', ids[i]!, 'CLEANABLE', '--force']);
  }
  repo.git(['update-ref', `refs/backups/${ids[0]}`, 'HEAD']);
  ok(repo, ['emergency', '--yes']);
  assert.is(repo.json<Rec>(['show', ids[0]!]).state, 'CLEANABLE');
  assert.is(repo.git(['rev-parse', `refs/backups/${ids[0]}`]), repo.git(['rev-parse', 'HEAD']));
  for (const id of ids.slice(1)) assert.is(repo.json<Rec>(['show', id]).state, 'ARCHIVED');
});

test('a ref to a snapshot object that is gone: recover removes it so git works again, and says the content is lost', () => {
  const repo = tempRepo();
  repo.write('a.txt', 'lost\n');
  const id = repo.json<Rec>(['create', '-m', 'object goes']).id;
  const sha = repo.git(['rev-parse', `refs/backups/${id}`]);
  unlinkSync(join(repo.dir, '.git', 'objects', sha.slice(0, 2), sha.slice(2)));
  assert.throws(() => repo.git(['log', '--all', '--oneline']), 'git itself fails on the broken ref');
  const restore = repo.cli(['restore', id]);
  assert.is(restore.code, 4);
  assert.match(restore.stderr, /missing from this repository/);
  const rec = repo.cli(['recover']);
  assert.is(rec.code, 7, rec.stdout + rec.stderr);
  assert.match(rec.stdout, /removed the ref/);
  repo.git(['log', '--all', '--oneline']);
  ok(repo, ['delete', id, '--yes', '--force']);
  ok(repo, ['recover']);
});


test('a refs/backups/<id> made a symbolic ref to a branch by hand: delete removes the backup ref, never the branch it names (adversarial campaign)', () => {
  const repo = tempRepo();
  repo.write('a.txt', 'one\n');
  const id = repo.json<Rec>(['create', '-m', 'symref']).id;
  const snap = repo.git(['rev-parse', `refs/backups/${id}`]);
  repo.git(['branch', 'keepme', snap]);
  repo.git(['symbolic-ref', `refs/backups/${id}`, 'refs/heads/keepme']);
  ok(repo, ['delete', id, '--yes', '--force']);
  assert.is(repo.json<Rec>(['show', id]).state, 'DELETED');
  assert.is(repo.git(['rev-parse', '--verify', '-q', 'refs/heads/keepme']), snap, "the user's branch is still there");
  assert.throws(() => repo.git(['rev-parse', '--verify', '-q', `refs/backups/${id}`]), 'the backup ref is gone');
  ok(repo, ['ci']);
});

test('refs/notes/backups made a symbolic ref to a user branch by hand: recover repairs the notes ref itself and leaves the branch where it was', () => {
  const repo = tempRepo();
  repo.write('a.txt', 'one\n');
  const id = repo.json<Rec>(['create', '-m', 'before the symbolic notes ref']).id;
  repo.write('b.txt', 'user work\n');
  const user = repo.commitAll('user work');
  repo.git(['branch', 'keep', user]);
  repo.git(['symbolic-ref', 'refs/notes/backups', 'refs/heads/keep']);
  assert.match(ok(repo, ['recover']), /refs\/notes\/backups was damaged/);
  assert.is(repo.git(['rev-parse', 'refs/heads/keep']), user, "the user's branch was not moved to the notes commit");
  assert.throws(() => repo.git(['symbolic-ref', '-q', 'refs/notes/backups']), 'the notes ref is a ref of its own again');
  assert.is(repo.json<Rec>(['show', id]).state, 'CREATED');
  ok(repo, ['ci']);
});

test('a notes tree that lost a fan-out tree object (its top still sound): ci says so (exit 7), recover starts the notes again from the index, then both exit 0', () => {
  const repo = tempRepo();
  const ids: string[] = [];
  for (const k of [1, 2, 3]) {
    repo.write('a.txt', `work ${k}\n`);
    ids.push(repo.json<Rec>(['create', '-m', `b${k}`]).id);
  }
  // The same notes laid out one level deep (as git lays out many); the tree objects written loose
  // (git mktree), so one can be removed as a damaged disk or a partial copy loses it.
  const notes = repo.git(['notes', '--ref=refs/notes/backups', 'list']).split('\n').filter(Boolean).map((l) => l.split(' ') as [string, string]);
  const byDir = new Map<string, string[]>();
  for (const [blob, object] of notes) byDir.set(object.slice(0, 2), [...(byDir.get(object.slice(0, 2)) ?? []), `100644 blob ${blob}\t${object.slice(2)}`]);
  const top = [...byDir].map(([dir, entries]) => `040000 tree ${repo.git(['mktree'], { input: entries.join('\n') + '\n' })}\t${dir}`);
  const tree = repo.git(['mktree'], { input: top.join('\n') + '\n' });
  const tip = repo.git(['rev-parse', 'refs/notes/backups']);
  repo.git(['update-ref', 'refs/notes/backups', repo.git(['commit-tree', tree, '-p', tip, '-m', 'fanned out'])]);
  ok(repo, ['status']); // the index catches up with the fanned-out notes (they say the same)
  const lost = repo.git(['rev-parse', `refs/notes/backups:${notes[0]![1].slice(0, 2)}`]);
  unlinkSync(join(repo.dir, '.git', 'objects', lost.slice(0, 2), lost.slice(2)));
  const ci = repo.cli(['ci']);
  assert.is(ci.code, 7, ci.stdout + ci.stderr);
  assert.match(ci.stderr, /git backup recover/);
  assert.match(ok(repo, ['recover']), /whose notes tree cannot be read/);
  ok(repo, ['ci']);
  assert.is(repo.git(['notes', '--ref=refs/notes/backups', 'list']).split('\n').filter(Boolean).length, 3, 'every backup noted again');
  assert.match(ok(repo, ['recover']), /0 repair\(s\), 0 problem\(s\)/);
  for (const id of ids) assert.is(repo.json<Rec>(['show', id]).state, 'CREATED');
});

test('recover --rebuild after a note lost a line the index has: the rebuilt index says what the notes then say (the catch-up is not written after the read it should be in; adversarial campaign)', () => {
  const repo = tempRepo();
  repo.write('a.txt', 'one\n');
  const id = repo.json<Rec>(['create', '-m', 'deleted, then its note trimmed']).id;
  const snap = repo.git(['rev-parse', `refs/backups/${id}`]);
  ok(repo, ['delete', id, '--yes', '--force']);
  // The note edited by hand with git notes: its DELETED line gone.
  const first = repo.git(['notes', '--ref=refs/notes/backups', 'show', snap]).split('\n')[0]!;
  repo.git(['notes', '--ref=refs/notes/backups', 'add', '-f', '-m', first, snap]);
  ok(repo, ['recover', '--rebuild']);
  const note = repo.git(['notes', '--ref=refs/notes/backups', 'show', snap]);
  const shown = repo.json<Rec>(['show', id]);
  assert.is(shown.state, /"to":"DELETED"/.test(note) ? 'DELETED' : 'CREATED', `index ${shown.state}, note:\n${note}`);
  assert.is(shown.state, 'DELETED', 'the index had the deletion and the notes were caught up with it');
  ok(repo, ['recover']);
  assert.is(repo.json<Rec>(['show', id]).state, 'DELETED');
  assert.throws(() => repo.git(['rev-parse', '--verify', '-q', `refs/backups/${id}`]), 'no ref brought back');
});

test('a ref under refs/backups/ not named like a backup (made by hand) is not adopted: no record no command can name, no second creation line in the note of a backup (adversarial campaign)', () => {
  const repo = tempRepo();
  repo.write('a.txt', 'one\n');
  const id = repo.json<Rec>(['create', '-m', 'real']).id;
  const snap = repo.git(['rev-parse', `refs/backups/${id}`]);
  repo.git(['update-ref', 'refs/backups/zzz', snap]);
  const r = repo.cli(['recover']);
  assert.match(r.stdout + r.stderr, /refs\/backups\/zzz is not named like a backup/);
  assert.equal(repo.json<Rec[]>(['list']).map((b) => b.id), [id]);
  assert.is(repo.git(['notes', '--ref=refs/notes/backups', 'show', snap]).split('\n').length, 1, 'one creation line');
  repo.cli(['recover', '--rebuild']);
  assert.equal(repo.json<Rec[]>(['list']).map((b) => b.id), [id]);
  ok(repo, ['ci']);
});

test('recover killed between putting a damaged notes ref back and writing the index history into it: the next recover still writes the deletions made meanwhile (adversarial campaign)', async () => {
  const repo = tempRepo();
  repo.write('a.txt', 'one\n');
  const id = repo.json<Rec>(['create', '-m', 'deleted while the notes ref was damaged']).id;
  const snap = repo.git(['rev-parse', `refs/backups/${id}`]);
  repo.write('b.txt', 'two\n');
  ok(repo, ['create', '-m', 'live']);
  repo.git(['update-ref', 'refs/notes/backups', repo.git(['hash-object', '-w', '--stdin'], { input: 'junk\n' })]);
  repo.cli(['delete', id, '--yes', '--force']); // the index only: the tombstone goes to the cold store
  const paused = await runUntil(repo, ['recover'], 'recover:notes-ref-replaced');
  await paused.kill();
  repo.cli(['recover']);
  assert.match(repo.git(['notes', '--ref=refs/notes/backups', 'show', snap]), /"to":"DELETED"/, 'the deletion reached the notes');
  assert.match(ok(repo, ['ci']), /1 DELETED/);
  ok(repo, ['recover', '--rebuild']);
  assert.is(repo.json<Rec>(['show', id]).state, 'DELETED');
});

test('a refs/backups/<id> made a dangling symbolic ref by hand: recover points the backup ref at its snapshot and creates no branch (adversarial campaign)', () => {
  const repo = tempRepo();
  repo.write('a.txt', 'one\n');
  const id = repo.json<Rec>(['create', '-m', 'dangling']).id;
  const snap = repo.git(['rev-parse', `refs/backups/${id}`]);
  repo.git(['update-ref', '-d', `refs/backups/${id}`]);
  repo.git(['symbolic-ref', `refs/backups/${id}`, 'refs/heads/ghost']);
  ok(repo, ['recover']);
  assert.throws(() => repo.git(['rev-parse', '--verify', '-q', 'refs/heads/ghost']), 'no branch made');
  assert.is(repo.git(['rev-parse', `refs/backups/${id}`]), snap);
  ok(repo, ['ci']);
});

test.run();
