// The default, detached mode: hooks return at once and drains apply every event exactly once, even
// when commits race each other and when a drain is killed at an arbitrary instant.
import { test } from '../helpers/shard.js';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, scratchDir, type TestRepo } from '../helpers/repo.js';
import { eventLines, eventLogSize, installedRepo, readDb, sleep, withShim, withoutShim } from '../helpers/hooks.js';

function asyncEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = withShim({ GIT_BACKUP_LOCK_STALE_MS: '2000', ...extra });
  delete env.GIT_BACKUP_HOOK_MODE;
  return env;
}

/** Wait until every appended event is applied and no drain holds the drain lock. */
async function settle(repo: TestRepo, limitMs: number): Promise<void> {
  const deadline = Date.now() + limitMs;
  const lock = join(repo.dir, '.git', 'backup', 'drain.lock');
  while (Date.now() < deadline) {
    if ((readDb(repo).events_offset ?? 0) === eventLogSize(repo) && !existsSync(lock)) return;
    await sleep(100);
  }
  throw new Error(`events not drained within ${limitMs} ms: offset ${readDb(repo).events_offset} of ${eventLogSize(repo)}`);
}

test('20 rapid commits in detached mode: exactly 20 events, each applied once', async () => {
  const repo = installedRepo();
  const env = asyncEnv();
  for (let i = 0; i < 20; i++) {
    repo.write('n.txt', String(i));
    repo.git(['add', 'n.txt']);
    const r = spawnSync('git', ['commit', '-q', '-m', `c${i}`], { cwd: repo.dir, env, encoding: 'utf8' });
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stderr, '', 'a detached drain says nothing on the terminal');
  }
  await settle(repo, 40_000);
  assert.is(eventLines(repo).length, 20);
  const db = readDb(repo);
  assert.is(db.events_applied, 20);
  assert.is(db.events_offset, eventLogSize(repo));
});

test('commits from parallel processes: no event lost or doubled', async () => {
  const repo = installedRepo();
  const env = asyncEnv();
  // Parallel `git commit` would fight over index.lock; parallel worktrees commit independently.
  const wts: string[] = [];
  const wtRoot = scratchDir('gb-wt-');
  for (let w = 0; w < 3; w++) {
    const dir = join(wtRoot, `wt${w}`);
    repo.git(['worktree', 'add', '-q', '-b', `w${w}`, dir]);
    wts.push(dir);
  }
  const run = (cwd: string) =>
    new Promise<void>((resolve, reject) => {
      const script = 'for i in 1 2 3 4 5; do git commit -q --allow-empty -m "c$i" || exit 1; done';
      const child = spawn('sh', ['-c', script], { cwd, env, stdio: 'ignore' });
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`exit ${code}`))));
    });
  await Promise.all(wts.map(run));
  await settle(repo, 40_000);
  assert.is(eventLines(repo).length, 15);
  assert.is(readDb(repo).events_applied, 15);
});

test('a drain killed with SIGKILL at any moment applies nothing twice and loses nothing', async () => {
  const repo = installedRepo();
  const env = asyncEnv();
  for (let round = 0; round < 6; round++) {
    // Events wait: git-backup is not on PATH for these commits.
    for (let i = 0; i < 5; i++) repo.git(['commit', '-q', '--allow-empty', '-m', `r${round}-${i}`], { env: withoutShim() });
    const child = spawn(process.execPath, [CLI, 'hook', 'drain', '--repo', repo.dir], { cwd: repo.dir, env, stdio: 'ignore' });
    // Listen before sleeping: a drain that finishes first must not leave us waiting for a 'close' already gone.
    const closed = new Promise((r) => child.on('close', r));
    await sleep(40 + Math.floor(Math.random() * 200));
    child.kill('SIGKILL');
    await closed;
    const db = readDb(repo);
    assert.ok((db.events_applied ?? 0) * 1 <= eventLines(repo).length);
    // The killed drain's locks name a process that is gone: the next drain takes them over at once.
  }
  const store = join(repo.dir, '.git', 'backup');
  const before = readdirSync(store).join(' ');
  const r = spawnSync(process.execPath, [CLI, 'hook', 'drain', '--repo', repo.dir], { cwd: repo.dir, env, encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  const db = readDb(repo);
  const log = existsSync(join(store, 'backup.log')) ? readFileSync(join(store, 'backup.log'), 'utf8') : '';
  if (db.events_applied !== 30) console.error(`store before the last drain: ${before}\nafter: ${readdirSync(store).join(' ')}\nlog: ${log}\nstderr: ${r.stderr}`);
  assert.is(eventLines(repo).length, 30);
  assert.is(db.events_applied, 30, 'every event applied exactly once');
  assert.is(db.events_offset, eventLogSize(repo));
});

test.run();
