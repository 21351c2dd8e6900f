// Restore touches only what it should (issue 10): a path-limited backup's paths only, the sparse
// cone only, identical files left alone (mtime kept), submodule pointers reported; and create makes
// no empty or duplicate backups.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { tempRepo, type TestRepo } from '../helpers/repo.js';

interface Created {
  id: string;
  created: boolean;
  reused: boolean;
}
interface Restored {
  written: number;
  unchanged: number;
  overwritten: string[];
  safety_backup: string | null;
  outside_sparse: string[];
  submodules_not_restored: { path: string; commit: string }[];
}

const mtime = (repo: TestRepo, p: string) => statSync(join(repo.dir, p)).mtimeMs;
/** Put a file's mtime in the past, so a rewrite would show. */
const age = (repo: TestRepo, p: string) => utimesSync(join(repo.dir, p), new Date(2020, 0, 1), new Date(2020, 0, 1));

test('a path-limited backup restores its own paths only; other edits stay', () => {
  const repo = tempRepo();
  repo.write('notes.local', 'v1\n');
  repo.write('a.txt', 'a\n');
  repo.commitAll('base');
  repo.write('notes.local', 'mine\n');
  const b = repo.json<Created>(['create', '-m', 'notes', 'notes.local']);
  repo.write('notes.local', 'later\n');
  repo.write('a.txt', 'edited elsewhere\n');
  const r = repo.json<Restored>(['restore', b.id]);
  assert.is(repo.read('notes.local'), 'mine\n');
  assert.is(repo.read('a.txt'), 'edited elsewhere\n', 'a file outside the backup is not reset to HEAD');
  assert.equal(r.overwritten, ['notes.local']);
  assert.is(r.written, 1);
});

test('identical files are not rewritten: a no-op restore keeps every mtime', () => {
  const repo = tempRepo();
  for (let i = 0; i < 20; i++) repo.write(`f${i}.txt`, `${i}\n`);
  repo.commitAll('base');
  repo.write('f1.txt', 'changed\n');
  repo.write('new.txt', 'new\n');
  const b = repo.json<Created>(['create']);
  for (const p of ['f0.txt', 'f1.txt', 'new.txt']) age(repo, p);
  const before = ['f0.txt', 'f1.txt', 'new.txt'].map((p) => mtime(repo, p));
  const r = repo.json<Restored>(['restore', b.id]);
  assert.is(r.written, 0);
  assert.is(r.safety_backup, null, 'nothing overwritten, nothing to back up');
  assert.equal(['f0.txt', 'f1.txt', 'new.txt'].map((p) => mtime(repo, p)), before);
  // One file differs: only it is written.
  repo.write('f1.txt', 'drifted\n');
  age(repo, 'f1.txt');
  const r2 = repo.json<Restored>(['restore', b.id]);
  assert.is(r2.written, 1);
  assert.is(repo.read('f1.txt'), 'changed\n');
  assert.is(mtime(repo, 'new.txt'), before[2]);
});

test('in a sparse checkout only the cone is written, unless --no-sparse', () => {
  const repo = tempRepo();
  for (const d of ['in', 'out']) for (let i = 0; i < 5; i++) repo.write(`${d}/f${i}.txt`, `${d}${i}\n`);
  repo.commitAll('base');
  repo.git(['sparse-checkout', 'set', '--cone', 'in']);
  repo.write('in/f0.txt', 'edited\n');
  const b = repo.json<Created>(['create', 'in/f0.txt']);
  const whole = repo.json<Created>(['create', '--allow-empty']);
  repo.write('in/f0.txt', 'again\n');
  const r = repo.json<Restored>(['restore', whole.id]);
  assert.is(repo.read('in/f0.txt'), 'edited\n');
  assert.is(r.written, 1);
  assert.ok(r.outside_sparse.includes('out/f0.txt'), 'files outside the cone are reported, not written');
  assert.is(repo.git(['ls-files', '-t', 'out/f0.txt']).slice(0, 1), 'S', 'the cone is intact');
  assert.is(repo.git(['status', '--porcelain']), ' M in/f0.txt', 'nothing outside the cone appeared');
  // The user's paths outside the cone: still skipped, and said so.
  const human = repo.cli(['restore', b.id]);
  assert.is(human.code, 0, human.stderr);
  const forced = repo.json<Restored>(['restore', '--no-sparse', whole.id, 'out/f1.txt']);
  assert.is(forced.written, 1);
  assert.is(repo.read('out/f1.txt'), 'out1\n');
});

test('sparse checkout: an edited file outside the cone is in the backups, so restore --no-sparse loses nothing', () => {
  // git add -u skips paths outside the sparse patterns even when the file is on disk and git
  // status shows it modified: no backup held the edit, and restore --no-sparse overwrote it with
  // an undo point holding HEAD's version. A path-limited create there failed outright (exit 1).
  const repo = tempRepo();
  repo.write('in/a.txt', 'in\n');
  repo.write('out/b.txt', 'v1\n');
  repo.commitAll('base');
  repo.write('out/b.txt', 'v2\n');
  const v2 = repo.json<Created>(['create', '-m', 'v2', 'out']);
  repo.git(['checkout', '--', 'out/b.txt']);
  repo.git(['sparse-checkout', 'set', 'in']);
  repo.write('out/b.txt', 'precious local edit\n');
  assert.is(repo.git(['status', '--porcelain']), ' M out/b.txt');
  const r = repo.json<Restored>(['restore', '--no-sparse', v2.id]);
  assert.is(repo.read('out/b.txt'), 'v2\n');
  assert.ok(r.safety_backup);
  assert.is(repo.git(['show', `refs/backups/${r.safety_backup}:out/b.txt`]), 'precious local edit', 'the undo point holds the edit');
  repo.json(['undo', '--yes']);
  assert.is(repo.read('out/b.txt'), 'precious local edit\n');
  // A path-limited backup of it, and of a path outside the cone that is not on disk.
  const mine = repo.cli(['create', '-m', 'mine', 'out']);
  assert.is(mine.code, 0, mine.stderr);
  repo.git(['checkout', '--', 'out/b.txt']);
  repo.git(['sparse-checkout', 'reapply']);
  assert.is(repo.git(['ls-files', '-t', 'out/b.txt']).slice(0, 1), 'S');
  assert.is(repo.cli(['create', '-m', 'not there', 'out/b.txt']).code, 0, 'a skip-worktree path is no error');
});

test('a submodule pointer is reported as not restored', () => {
  const sub = tempRepo();
  const repo = tempRepo();
  repo.git(['-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', sub.dir, 'sub']);
  repo.commitAll('with submodule');
  sub.write('more.txt', 'more\n');
  const next = sub.commitAll('more');
  repo.git(['-C', 'sub', '-c', 'protocol.file.allow=always', 'pull', '-q', 'origin', 'main']);
  repo.write('x.txt', 'x\n');
  const b = repo.json<Created>(['create']);
  const r = repo.json<Restored>(['restore', b.id]);
  assert.equal(r.submodules_not_restored, [{ path: 'sub', commit: next }]);
  const human = repo.cli(['restore', b.id]);
  assert.match(human.stdout, new RegExp(`submodule sub not restored: the backup had commit ${next}`));
});

test('create with nothing to protect makes no backup; an identical one returns the newest', () => {
  const repo = tempRepo();
  const empty = repo.cli(['create', '-m', 'clean tree']);
  assert.is(empty.code, 0);
  assert.match(empty.stdout, /^nothing to back up/);
  assert.is(repo.json<{ created: boolean }>(['create']).created, false);
  assert.is(repo.git(['for-each-ref', 'refs/backups/']), '');
  repo.write('a.txt', 'work\n');
  const first = repo.json<Created>(['create']);
  assert.ok(first.created);
  const again = repo.json<Created>(['create', '-m', 'same again']);
  assert.is(again.reused, true);
  assert.is(again.id, first.id);
  const forced = repo.json<Created>(['create', '--allow-empty']);
  assert.is(forced.created, true);
  assert.is.not(forced.id, first.id);
  repo.write('a.txt', 'more work\n');
  assert.is(repo.json<Created>(['create']).created, true);
  assert.is(repo.git(['for-each-ref', 'refs/backups/']).split('\n').length, 3);
});

test.run();
