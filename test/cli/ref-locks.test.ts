// Another git process holding a lock on our refs (a rebase rewriting notes, `git notes`, `git
// pack-refs`, or one that died holding it), or moving refs/notes/backups under a write: the write
// waits it out or builds again, and a lock that stays is exit 5 with one line naming the lock file,
// nothing changed. Before, `create` exited 1 with git's own message, and `delete` said exit 3 "it
// no longer points at" for a packed-refs.lock.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempRepo } from '../helpers/repo.js';
import { ok, type Rec } from '../helpers/truth.js';

function lockedRepo() {
  const repo = tempRepo();
  repo.write('v.txt', 'first\n');
  const first = repo.json<Rec>(['create', '-m', 'first']).id;
  const lock = join(repo.dir, '.git', 'refs', 'notes', 'backups.lock');
  writeFileSync(lock, '');
  return { repo, first, lock };
}

test('a notes ref lock released after a moment: create waits it out and takes the backup', async () => {
  const { repo, first, lock } = lockedRepo();
  repo.write('w.txt', 'work\n');
  const running = repo.cliAsync(['create', '-m', 'second']);
  await new Promise((done) => setTimeout(done, 400));
  assert.ok(existsSync(lock), 'the lock was still held 400 ms in');
  rmSync(lock);
  const r = await running;
  assert.is(r.code, 0, r.stderr);
  const ids = repo.json<Rec[]>(['list', '--json']).map((b) => b.id);
  assert.is(ids.length, 2);
  assert.ok(ids.includes(first));
  ok(repo, ['ci']);
});

test('a notes ref lock that stays: create exits 5 naming the lock, and nothing changed', () => {
  const { repo, lock } = lockedRepo();
  const refsBefore = repo.git(['for-each-ref', 'refs/backups/', 'refs/notes/']);
  const dbBefore = repo.read('.git/backup/db.json');
  repo.write('w.txt', 'work\n');
  const r = repo.cli(['create', '-m', 'second']);
  assert.is(r.code, 5, r.stdout + r.stderr);
  assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.ok(r.stderr.includes(lock), r.stderr);
  assert.match(r.stderr, /the change was not recorded/);
  assert.is(repo.git(['for-each-ref', 'refs/backups/', 'refs/notes/']), refsBefore, 'no ref left behind');
  assert.is(repo.read('.git/backup/db.json'), dbBefore);
  rmSync(lock);
  ok(repo, ['ci']);
  assert.match(ok(repo, ['recover']), /0 repair\(s\), 0 problem\(s\)/);
});

test('a ref in the notes ref\'s way (refs/notes/backups/x) is no lock: create fails at once with git\'s words, not exit 5 naming a lock file', () => {
  const repo = tempRepo();
  repo.git(['notes', '--ref=backups/x', 'add', '-m', 'not ours', 'HEAD']);
  repo.write('w.txt', 'work\n');
  const r = repo.cli(['create', '-m', 'blocked']);
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.not.match(r.stderr, /locked by another git process/);
  assert.match(r.stderr, /'refs\/notes\/backups\/x' exists/);
  assert.is(repo.git(['for-each-ref', 'refs/backups/']), '', 'no ref left behind');
});

test('a packed-refs.lock that stays: delete exits 5 naming it, and recover deletes the ref once it is gone', () => {
  const repo = tempRepo();
  repo.write('w.txt', 'work\n');
  const id = repo.json<Rec>(['create', '-m', 'one']).id;
  const lock = join(repo.dir, '.git', 'packed-refs.lock');
  writeFileSync(lock, '');
  const r = repo.cli(['delete', id, '--yes', '--force']);
  assert.is(r.code, 5, r.stdout + r.stderr);
  assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.ok(r.stderr.includes(lock), r.stderr);
  assert.match(r.stderr, /git backup recover deletes the ref/);
  rmSync(lock);
  assert.match(ok(repo, ['recover']), new RegExp(id));
  assert.is(repo.git(['for-each-ref', `refs/backups/${id}`]), '', 'the ref is gone');
  ok(repo, ['ci']);
});

test.run();
