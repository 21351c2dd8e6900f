// Issue 9, bursts continued (burst.test.ts has the rebase and the 50 commits): rounds forced inside a
// burst apply events only and owe a reconcile that runs once it is quiet; in sync mode a held lock
// never blocks a commit for the lock timeout: the event waits for the next drain.
import { test } from '../helpers/shard.js';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI } from '../helpers/repo.js';
import { countedDrains, drainStarts, eventLines, eventLogSize, installedRepo, readDb, settle, withShim } from '../helpers/hooks.js';
import { runUntil } from '../helpers/pause.js';

test('rounds forced in the middle of a burst apply the events only; the reconcile they owe runs once it is quiet', async () => {
  const repo = installedRepo();
  // The bound on a burst's wait at 0: every look that finds the log grown forces a round at once,
  // so this short burst gets the rounds a burst longer than 10 s gets (events only, no reconcile).
  const { log, env } = countedDrains();
  const forced = { ...env, GIT_BACKUP_TEST_DRAIN_MAX_DELAY_MS: '0' };
  repo.git(['checkout', '-q', '-b', 'feature']);
  repo.write('w.txt', 'work\n');
  const { id } = repo.json<{ id: string }>(['create', '--allow-empty', '-m', 'w'], { env: forced });
  // Amends in the burst: their post-rewrite events are applied by rounds that do not reconcile.
  const script = 'git add w.txt; i=0; while [ $i -lt 30 ]; do i=$((i + 1)); echo "$i" > n.txt; git add n.txt && git commit -q -m "c$i" || exit 1; [ $((i % 7)) -eq 0 ] && { git commit -q --amend -m "c$i amended" || exit 1; }; done; exit 0';
  assert.is(spawnSync('sh', ['-c', script], { cwd: repo.dir, env: forced }).status, 0);
  await settle(repo);
  const db = readDb(repo);
  assert.is(eventLines(repo).length, 38, '30 post-commit, 4 amends (post-commit and post-rewrite each)');
  assert.is(db.events_applied, 38, 'each event applied once');
  assert.is(db.events_offset, eventLogSize(repo));
  assert.ok(drainStarts(log) >= 1);
  const b = db.backups.find((x) => x.id === id)!;
  assert.is(b.state, 'PENDING', 'the owed reconcile ran');
  assert.is(b.pending_commit, repo.git(['rev-parse', 'HEAD']), 'and followed the branch to its tip');
  const backupLog = join(repo.git(['rev-parse', '--absolute-git-dir']), 'backup', 'backup.log');
  assert.is(existsSync(backupLog) ? readFileSync(backupLog, 'utf8') : '', '', 'nothing went wrong');
});

test('sync mode: a store lock held by a live process does not hold the commit; the event waits for the next drain', async () => {
  const repo = installedRepo();
  repo.write('a.txt', 'a\n');
  // `create` paused right after its write, still holding the store lock (it stays there until told).
  const holder = await runUntil(repo, ['create', '--allow-empty', '-m', 'held'], 'store:before-notes', { GIT_BACKUP_LOCK_TIMEOUT_MS: '60000' });
  try {
    const env = withShim({ GIT_BACKUP_HOOK_MODE: 'sync', GIT_BACKUP_LOCK_TIMEOUT_MS: '60000' });
    const r = spawnSync('git', ['commit', '-q', '--allow-empty', '-m', 'while locked'], { cwd: repo.dir, env, encoding: 'utf8' });
    // The commit returned while the lock was still held: it did not wait for the holder.
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stderr, '');
    assert.ok((readDb(repo).events_offset ?? 0) < eventLogSize(repo), 'the event waits');
  } finally {
    await holder.resume();
  }
  const d = spawnSync(process.execPath, [CLI, 'hook', 'drain', '--repo', repo.dir], { cwd: repo.dir, env: withShim(), encoding: 'utf8' });
  assert.is(d.status, 0, d.stderr);
  assert.is(readDb(repo).events_applied, eventLines(repo).length, 'the next drain applied it');
});

test.run();
