// Issue 9: a store the hook cannot write to does not swallow the event. The hook says so in one
// line, keeps the event beside the store, `status` reports it in one line, and once the store can be
// written again the next drain applies it and reconcile catches the state up.
//
// The tests run as root, which file modes do not stop; events.log is made unwritable by putting a
// directory in its place (the append fails with EISDIR, as it would with EACCES or EROFS).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempRepo } from '../helpers/repo.js';
import { eventLines, install, readDb, withShim } from '../helpers/hooks.js';

test('unwritable events.log: one line from the hook, one line in status, applied by the next drain that can write', () => {
  const repo = tempRepo();
  install(repo);
  const env = withShim({ GIT_BACKUP_HOOK_MODE: 'sync' });
  repo.git(['checkout', '-q', '-b', 'feature'], { env });
  repo.write('w.txt', 'work\n');
  const { id } = repo.json<{ id: string }>(['create', '--allow-empty', '-m', 'w'], { env });
  const store = join(repo.dir, '.git', 'backup');
  renameSync(join(store, 'events.log'), join(store, 'events.log.aside'));
  mkdirSync(join(store, 'events.log'));

  repo.git(['add', 'w.txt'], { env });
  const r = spawnSync('git', ['commit', '-q', '-m', 'work'], { cwd: repo.dir, env, encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.is(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /cannot write .*events\.log; the post-commit event was not recorded/);

  const status = repo.cli(['status'], { env });
  assert.is(status.code, 0, status.stderr);
  const missed = status.stdout.split('\n').filter((l) => l.startsWith('hook events not recorded'));
  assert.equal(missed.length, 1, status.stdout);
  assert.match(missed[0]!, /^hook events not recorded: 1 /);
  assert.is(repo.json<{ events_missed: number }>(['status'], { env }).events_missed, 1);

  // Writable again: the next git command's drain takes the missed event and reconcile moves the backup.
  rmdirSync(join(store, 'events.log'));
  renameSync(join(store, 'events.log.aside'), join(store, 'events.log'));
  repo.git(['commit', '-q', '--allow-empty', '-m', 'next'], { env });
  const db = readDb(repo);
  assert.is(db.events_applied, eventLines(repo).length);
  assert.ok(eventLines(repo).some((l) => l.includes('\tpost-commit\t') ), 'the missed event is in the log');
  assert.is(db.backups.find((b) => b.id === id)?.state, 'PENDING');
  assert.is(repo.json<{ events_missed: number }>(['status'], { env }).events_missed, 0);
});

test('FIFOs in place of events.log, drain.pid and backup.log: git commit never waits on them (both hook modes)', () => {
  const repo = tempRepo();
  install(repo);
  const store = join(repo.dir, '.git', 'backup');
  repo.write('w.txt', 'work\n');
  const { id } = repo.json<{ id: string }>(['create', '--allow-empty', '-m', 'w'], { env: withShim() });
  for (const name of ['events.log', 'drain.pid', 'backup.log']) {
    rmSync(join(store, name), { force: true });
    execFileSync('mkfifo', [join(store, name)]);
  }
  repo.git(['add', 'w.txt']);
  for (const mode of ['sync', 'detached']) {
    const env = withShim(mode === 'sync' ? { GIT_BACKUP_HOOK_MODE: 'sync' } : {});
    const r = spawnSync('git', ['commit', '-q', '--allow-empty', '-m', mode], { cwd: repo.dir, env, encoding: 'utf8', timeout: 20_000 });
    assert.is(r.status, 0, `${mode}: ${r.error ?? r.stderr}`);
    assert.match(r.stderr, /cannot write .*events\.log; the post-commit event was not recorded/);
  }
  // Files again: the next commit's drain takes the events kept beside the store, and the backup moves.
  for (const name of ['events.log', 'drain.pid', 'backup.log']) rmSync(join(store, name));
  repo.git(['commit', '-q', '--allow-empty', '-m', 'next'], { env: withShim({ GIT_BACKUP_HOOK_MODE: 'sync' }) });
  assert.is(readDb(repo).backups.find((b) => b.id === id)?.state, 'CONFIRMED', 'committed on main, the integration branch');
  assert.is(repo.json<{ events_missed: number }>(['status'], { env: withShim() }).events_missed, 0);
});

test.run();
