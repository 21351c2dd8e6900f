// Issue 8: one truth. The notes are written first and db.json is derived from them, so no damage
// to the index, no gc and no lost write can make the two disagree for good.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, statSync, truncateSync } from 'node:fs';
import { tempRepo } from '../helpers/repo.js';
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
test.run();
