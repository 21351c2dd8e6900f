// Issue 8: one truth. The notes are written first and db.json is derived from them, so no damage
// to the index, no gc and no lost write can make the two disagree for good.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { spawnSync } from 'node:child_process';
import { archivedAndLive, dbPath, ok, type Rec } from '../helpers/truth.js';
import { tempRepo } from '../helpers/repo.js';
import { runUntil } from '../helpers/pause.js';

test('falling back to db.json.prev does not undo the last move (it is replayed from the notes)', () => {
  const { repo, archived } = archivedAndLive();
  const id = repo.json<Rec>(['create', '--allow-empty', '-m', 'third']).id; // prev now has `archived` ARCHIVED
  ok(repo, ['transition', id, 'CLEANABLE']); // the last move: only db.json has it
  writeFileSync(dbPath(repo), 'garbage');
  const r = repo.cli(['show', id, '--json']);
  assert.is(r.code, 0, r.stderr);
  assert.is((JSON.parse(r.stdout) as Rec).state, 'CLEANABLE');
  assert.match(r.stderr, /using generation \d+ from .*db\.json\.prev/);
  assert.is(repo.json<Rec>(['show', archived]).state, 'ARCHIVED');
});
test('a read racing the first write of a new store reports nothing missing, also when that write ends while it reads', async () => {
  const repo = tempRepo();
  repo.write('a.txt', 'a');
  // The first create: ref and note written, db.json not yet, the lock held.
  const writer = await runUntil(repo, ['create', '-m', 'first'], 'store:after-notes');
  // A reader (a hook drain, status) finds no index and builds it from the notes...
  const reader = await runUntil(repo, ['list', '--json'], 'store:after-load');
  // ...while the write ends and lets the lock go.
  const w = await writer.resume();
  assert.is(w.code, 0, w.stderr);
  const r = await reader.resume();
  assert.is(r.code, 0, r.stderr);
  assert.not.match(r.stderr, /no index/);
  assert.ok(statSync(dbPath(repo)).isFile());
});

test('db.json and db.json.prev both deleted: list, plain recover and show know every backup, archived ones too', () => {
  const { repo, archived, live } = archivedAndLive();
  rmSync(dbPath(repo));
  rmSync(dbPath(repo) + '.prev');
  // The lock held by a live writer: the first write of a new store is under way (notes and ref
  // first, db.json a moment later); a reader takes what the notes say and reports nothing missing.
  const lock = `${dbPath(repo)}.lock`;
  mkdirSync(lock);
  writeFileSync(`${lock}/owner`, `t0k3n ${process.pid} ${hostname()}`);
  const during = repo.cli(['list', '--json']);
  assert.is(during.code, 0, during.stderr);
  assert.is((JSON.parse(during.stdout) as Rec[]).length, 2);
  assert.not.match(during.stderr, /no index/);
  // The same lock left by a process killed with -9: the index is missing, and the reader says so.
  writeFileSync(`${lock}/owner`, `t0k3n ${spawnSync('true').pid} ${hostname()}`);
  const list = repo.cli(['list', '--json']);
  rmSync(lock, { recursive: true });
  assert.is(list.code, 0, list.stderr);
  assert.match(list.stderr, /no index at .*db\.json; built it from refs/);
  const ids = (JSON.parse(list.stdout) as Rec[]).map((b) => b.id).sort();
  assert.equal(ids, [archived, live].sort());
  ok(repo, ['recover']);
  assert.ok(statSync(dbPath(repo)).isFile(), 'recover wrote the index again');
  assert.is(repo.json<Rec>(['show', archived]).state, 'ARCHIVED');
  ok(repo, ['verify']);
});
test.run();
