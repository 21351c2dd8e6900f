// Events carried by the reconcile's write (Store.carry) were applied up to the end of events.log
// at write time, so a commit whose event came in while the reconcile worked (its facts read before
// that commit) counted as applied: the drain found nothing waiting and left, and the backup that
// commit holds stayed CREATED until the next git event (hostile campaign 47: three worktrees
// committing at once). Carried events stop where the log ended when the round began.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { CLI, TEST_ENV } from '../helpers/repo.js';
import { runUntil } from '../helpers/pause.js';
import { eventLines, eventLogSize, installedRepo, readDb, sleep, withoutShim } from '../helpers/hooks.js';

test('an event appended while the reconcile waits to write is not counted as applied by that write; the drain goes round for it', async () => {
  const repo = installedRepo();
  const git = (args: string[]) => {
    const r = spawnSync('git', args, { cwd: repo.dir, env: withoutShim({ GIT_BACKUP_HOOK_MODE: '' }), encoding: 'utf8' });
    assert.is(r.status, 0, r.stderr);
  };
  repo.write('a.txt', 'a\n');
  const a = repo.json<{ id: string }>(['create', '-m', 'a', '--json']).id;
  git(['add', 'a.txt']);
  git(['commit', '-q', '-m', 'a']); // the hook records it; no git-backup on PATH, so no drain
  repo.write('b.txt', 'b\n');
  const b = repo.json<{ id: string }>(['create', '-m', 'b', '--json']).id;
  assert.is(eventLines(repo).length, 1);
  // Another command holds the store lock (paused in its write): the drain reads its facts (a's
  // commit), then waits for the lock to write its moves; b's commit lands meanwhile.
  const holder = await runUntil(repo, ['pin', a], 'store:before-notes');
  const drain = new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [CLI, 'hook', 'drain', '--repo', repo.dir], { cwd: repo.dir, env: { ...TEST_ENV, GIT_BACKUP_HOOK_MODE: '' } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stderr }));
  });
  await sleep(2500);
  git(['add', 'b.txt']);
  git(['commit', '-q', '-m', 'b']);
  assert.is(eventLines(repo).length, 2);
  assert.is((await holder.resume()).code, 0);
  const done = await drain;
  assert.is(done.code, 0, done.stderr);
  const db = readDb(repo);
  assert.is(db.events_offset, eventLogSize(repo));
  assert.is.not(db.backups.find((x) => x.id === a)?.state, 'CREATED');
  assert.is.not(db.backups.find((x) => x.id === b)?.state, 'CREATED', 'b was committed, its event counted as applied, and no reconcile saw it');
});

test.run();
