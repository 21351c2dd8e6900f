// Another git process holding refs/notes/backups' lock (a rebase rewriting notes, `git notes`, or
// one that died holding it): a note write waits it out, and a lock that stays is exit 5 with one
// line naming the lock file, nothing changed. Before, `create` exited 1 with git's own message.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, TEST_ENV, tempRepo, type CliResult, type TestRepo } from '../helpers/repo.js';
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

const POINT = 'notes:before-import';

/** Another writer's commit on refs/notes/backups (the same notes, a new commit): the ref moves. */
function moveNotesRef(repo: TestRepo, message: string): string {
  const tip = repo.git(['rev-parse', 'refs/notes/backups']);
  const next = repo.git(['commit-tree', `${tip}^{tree}`, '-p', tip, '-m', message]);
  repo.git(['update-ref', 'refs/notes/backups', next, tip]);
  return next;
}

/**
 * `git backup args` with the notes ref moved by another writer (as git's notes.rewriteRef does
 * during an amend) each time the command is about to hand fast-import a commit built on the tip it
 * read, for the first `moves` times (Infinity: every time).
 */
function withNotesMovedUnder(repo: TestRepo, args: string[], moves: number): Promise<CliResult & { moved: number }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: repo.dir, env: { ...TEST_ENV, GIT_BACKUP_TEST_PAUSE_AT: POINT } });
    let stdout = '';
    let stderr = '';
    let moved = 0;
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
      const pauses = stderr.split(`test pause at ${POINT}`).length - 1;
      while (moved < pauses) {
        if (moved < moves) moveNotesRef(repo, `moved ${moved}`);
        moved++;
        child.kill('SIGUSR1');
      }
    });
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr: stderr.replace(new RegExp(`git-backup: test pause at ${POINT}\\n`, 'g'), ''), moved }));
  });
}

test('the notes ref moved under a write three times (an amend loop beside it): the write is built again and lands', async () => {
  const repo = tempRepo();
  repo.write('w.txt', 'work\n');
  const id = repo.json<Rec>(['create', '-m', 'one']).id;
  const r = await withNotesMovedUnder(repo, ['transition', id, 'CLEANABLE'], 3);
  assert.is(r.code, 0, r.stderr);
  assert.ok(r.moved >= 4, `passed the point ${r.moved} times`);
  assert.is(repo.json<Rec>(['show', id]).state, 'CLEANABLE');
  assert.match(repo.git(['log', '--format=%s', 'refs/notes/backups']), /moved 2/, 'built on the other writer\'s commits');
  ok(repo, ['ci']);
  assert.match(ok(repo, ['recover']), /0 repair\(s\), 0 problem\(s\)/);
});

test('the notes ref moving under every attempt: exit 5 in one line, the backup unchanged', async () => {
  const repo = tempRepo();
  repo.write('w.txt', 'work\n');
  const id = repo.json<Rec>(['create', '-m', 'one']).id;
  const r = await withNotesMovedUnder(repo, ['transition', id, 'CLEANABLE'], Infinity);
  assert.is(r.code, 5, r.stdout + r.stderr);
  assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /refs\/notes\/backups kept moving .* the change was not recorded/);
  assert.is(repo.json<Rec>(['show', id]).state, 'CREATED');
  ok(repo, ['ci']);
});

test.run();
