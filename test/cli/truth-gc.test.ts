// Issue 8: one truth. The notes are written first and db.json is derived from them, so no damage
// to the index, no gc and no lost write can make the two disagree for good.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, statSync, truncateSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { tempRepo } from '../helpers/repo.js';
import { archivedAndLive, dbPath, ok, oneBackup, type Rec } from '../helpers/truth.js';

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
  const { repo, id, snap: sha } = oneBackup('object goes');
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


test.run();
