// refs/notes/backups moved by another git process between the read of its tip and a note write
// (git copying notes during an amend or rebase, notes.rewriteRef): the write is built again on the
// new tip, and a ref that keeps moving is exit 5 in one line, the backup unchanged. Before, the
// third refusal was exit 1 "unexpected error".
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { CLI, TEST_ENV, tempRepo, type CliResult, type TestRepo } from '../helpers/repo.js';
import { ok, type Rec } from '../helpers/truth.js';
import { runUntil } from '../helpers/pause.js';

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

test('a create whose notes ref moved before its ref-and-note transaction: neither went in, and it is written again on the new tip', async () => {
  const repo = tempRepo();
  repo.write('w.txt', 'work\n');
  const first = repo.json<Rec>(['create', '-m', 'one']).id;
  repo.write('w.txt', 'more work\n');
  const paused = await runUntil(repo, ['create', '-m', 'two', '--json'], 'notes:before-transaction');
  const moved = moveNotesRef(repo, 'moved by another writer');
  const r = await paused.resume();
  assert.is(r.code, 0, r.stderr);
  const ids = repo.json<Rec[]>(['list']).map((b) => b.id);
  assert.is(ids.length, 2);
  const second = ids.find((i) => i !== first)!;
  assert.match(repo.git(['notes', '--ref=backups', 'show', `refs/backups/${second}`]), /"event":"created"/);
  assert.is(repo.git(['merge-base', '--is-ancestor', moved, 'refs/notes/backups']), '', "built on the other writer's commit");
  ok(repo, ['ci']);
  assert.match(ok(repo, ['recover']), /0 repair\(s\), 0 problem\(s\)/);
});

test.run();
