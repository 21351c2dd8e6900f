// Issue 8: one truth. The notes are written first and db.json is derived from them, so no damage
// to the index, no gc and no lost write can make the two disagree for good.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, constants as fsc, mkdirSync, openSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { install, withShim } from '../helpers/hooks.js';
import { archivedAndLive, dbPath, ok, type Rec } from '../helpers/truth.js';

test('db.json replaced by a directory: no EISDIR crash; create works and the directory is kept aside', () => {
  const { repo, live } = archivedAndLive();
  rmSync(dbPath(repo));
  mkdirSync(dbPath(repo));
  const list = repo.cli(['list', '--json']);
  assert.is(list.code, 0, list.stderr);
  assert.ok((JSON.parse(list.stdout) as Rec[]).some((b) => b.id === live));
  repo.write('d.txt', 'new\n');
  const made = repo.cli(['create', '--allow-empty', '-m', 'over a directory']);
  assert.is(made.code, 0, made.stderr);
  assert.ok(statSync(dbPath(repo)).isFile());
  ok(repo, ['recover']);
});
test('db.json replaced by a FIFO: read as damaged, never waited on; create works', () => {
  const { repo, live } = archivedAndLive();
  rmSync(dbPath(repo));
  execFileSync('mkfifo', [dbPath(repo)]);
  // Before, every command opened the FIFO and waited for a writer that never came.
  const list = repo.cli(['list', '--json'], { timeoutMs: 20_000 });
  assert.is(list.code, 0, list.stderr);
  assert.ok((JSON.parse(list.stdout) as Rec[]).some((b) => b.id === live));
  repo.write('f.txt', 'new\n');
  const made = repo.cli(['create', '--allow-empty', '-m', 'over a fifo'], { timeoutMs: 20_000 });
  assert.is(made.code, 0, made.stderr);
  assert.ok(statSync(dbPath(repo)).isFile());
});

test('db.json replaced by a FIFO: status, ci and a commit whose hook drains in the foreground are never held by it', () => {
  const { repo, live } = archivedAndLive();
  install(repo);
  rmSync(dbPath(repo));
  execFileSync('mkfifo', [dbPath(repo)]);
  try {
    // They read only the head of db.json (readHead), which opened the FIFO and waited for a writer.
    for (const args of [['status'], ['ci']]) {
      const r = repo.cli(args, { timeoutMs: 20_000 });
      assert.ok(r.code !== -1, `${args.join(' ')} waited on the FIFO`);
    }
    repo.write('c.txt', 'committed\n');
    repo.git(['add', 'c.txt']);
    const commit = spawnSync('git', ['commit', '-q', '-m', 'over a fifo'], { cwd: repo.dir, env: withShim({ GIT_BACKUP_HOOK_MODE: 'sync' }), encoding: 'utf8', timeout: 20_000 });
    assert.is(commit.status, 0, `git commit: ${commit.error ?? commit.stderr}`);
    assert.ok((JSON.parse(ok(repo, ['list', '--json'])) as Rec[]).some((b) => b.id === live));
  } finally {
    // A reader still blocked on the FIFO (the build before) gets its end of file and goes.
    try {
      closeSync(openSync(dbPath(repo), fsc.O_WRONLY | fsc.O_NONBLOCK));
    } catch {
      // no reader left: nothing waits
    }
  }
});

test('degraded: both generations damaged, create still takes the backup (ref + note), status says DEGRADED, recover repairs', () => {
  const { repo, live } = archivedAndLive();
  writeFileSync(dbPath(repo), '{"schema":1,"generation":9,"backups":[{"id":');
  writeFileSync(dbPath(repo) + '.prev', 'garbage');
  const status = repo.cli(['status']);
  assert.is(status.code, 0, status.stderr);
  assert.match(status.stdout, /index: DEGRADED: .*git backup recover/);
  repo.write('e.txt', 'still protected\n');
  const made = repo.cli(['create', '--allow-empty', '-m', 'while degraded', '--json']);
  assert.is(made.code, 0, made.stderr);
  const id = (JSON.parse(made.stdout) as Rec).id;
  assert.is(repo.git(['rev-parse', `refs/backups/${id}`]).length, 40);
  assert.match(repo.git(['notes', '--ref=backups', 'show', `refs/backups/${id}`]), /"event":"created"/);
  ok(repo, ['recover']);
  const after = repo.json<Rec[]>(['list']).map((b) => b.id);
  assert.ok(after.includes(id) && after.includes(live));
  assert.not.match(ok(repo, ['status']), /DEGRADED/);
  ok(repo, ['ci']);
});

test.run();
