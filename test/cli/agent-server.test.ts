// The checkpoint server of a coding agent's hooks (hook/agent-server.ts, hook/agent-client.ts),
// real processes throughout: the first hook takes its checkpoint itself and starts the worktree's
// server; later hooks are served by it and get the same checkpoints; a server killed under a
// checkpoint, one of another build or environment, a stale socket, a socket directory others may
// enter: the hook takes the checkpoint itself, exit 0, and nothing is lost.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, realpathSync, statSync, utimesSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ok } from '../helpers/truth.js';
import { EVENT, checkpoints, hook, servers, setUp, socketThere, stopAll, until } from '../helpers/agent-server.js';
import { packageCopy } from '../helpers/package-copy.js';
import { socketPathFor } from '../../src/hook/agent-client.js';


test('the first hook starts the server; later hooks are served the same checkpoints; an idle server ends and takes its socket', async () => {
  const s = setUp({ GIT_BACKUP_AGENT_IDLE_MS: '2000' });
  try {
    s.repo.write('a.txt', 'one\n');
    const first = hook(s);
    assert.is(first.code, 0, first.stderr);
    assert.not.ok(first.served);
    await until('the server', () => servers(s).length === 1 && socketThere(s));
    assert.is(statSync(s.socketDir).mode & 0o777, 0o700, 'a directory only this user may enter');
    s.repo.write('a.txt', 'two\n');
    const second = hook(s);
    assert.is(second.code, 0, second.stderr);
    assert.ok(second.served, second.stderr);
    const again = hook(s); // nothing changed since: the newest checkpoint is returned
    assert.ok(again.served, again.stderr);
    const made = checkpoints(s.repo);
    assert.is(made.length, 2);
    for (const b of made) assert.ok(['session:sess-1', 'undo-point'].every((l) => b.labels.includes(l)), JSON.stringify(b.labels));
    // Served checkpoints are undo points like any: undo rewinds the last step.
    s.repo.write('a.txt', 'three\n');
    assert.ok(hook(s).served);
    assert.is(s.repo.cli(['undo', '--yes']).code, 0);
    assert.is(readFileSync(join(s.repo.dir, 'a.txt'), 'utf8'), 'three\n', 'back to the tree of the last checkpoint');
    ok(s.repo, ['ci']);
    await until('the idle server to end', () => servers(s).length === 0 && !socketThere(s), 15_000);
  } finally {
    stopAll(s);
  }
});

test('a server killed under a checkpoint: the hook takes it itself; the socket it left is taken over by the next server', async () => {
  const s = setUp();
  try {
    s.repo.write('a.txt', 'one\n');
    // The server inherits the first hook's environment: it stops before each checkpoint it serves.
    assert.is(hook(s, { GIT_BACKUP_TEST_PAUSE_AT: 'agent-server:checkpoint' }).code, 0);
    await until('the server', () => servers(s).length === 1 && socketThere(s));
    const [pid] = servers(s);
    s.repo.write('a.txt', 'two\n');
    const child = spawn(process.execPath, [s.cli, 'hook', 'agent', 'claude-code'], { cwd: s.repo.dir, env: { ...s.env, GIT_BACKUP_TEST_PAUSE_AT: 'agent-server:checkpoint' } });
    const exited = new Promise<number | null>((r) => child.on('close', r));
    child.stdin.end(EVENT(s.repo));
    const log = join(s.repo.dir, '.git', 'backup', 'backup.log');
    await until('the server to pause', () => existsSync(log) && readFileSync(log, 'utf8').includes('test pause at agent-server:checkpoint'));
    process.kill(pid!, 'SIGKILL');
    assert.is(await exited, 0);
    assert.is(checkpoints(s.repo).length, 2, "the second hook's checkpoint, taken by the hook");
    assert.ok(socketThere(s), 'a socket nobody listens at');
    s.repo.write('a.txt', 'three\n');
    const third = hook(s);
    assert.is(third.code, 0);
    assert.not.ok(third.served);
    await until('a new server', () => servers(s).length === 1);
    s.repo.write('a.txt', 'four\n');
    await until('it listens', () => hook(s).served);
    assert.is(checkpoints(s.repo).length, 4);
    ok(s.repo, ['ci']);
    assert.match(ok(s.repo, ['recover']), /0 repair\(s\), 0 problem\(s\)/);
  } finally {
    stopAll(s);
  }
});

test('a hook of another environment gets a server of its own, checkpoints under its own identity; one of another build ends the server', async () => {
  // Its own copy of the package: making the bundle another build must not touch the one the files running beside this one use.
  const pkg = packageCopy();
  const s = setUp({}, join(pkg, 'bin', 'git-backup.cjs'));
  const main = join(pkg, 'dist', 'bundle', 'hook', 'main.cjs');
  const { atime, mtime } = statSync(main);
  try {
    s.repo.write('a.txt', 'one\n');
    hook(s);
    await until('the server', () => servers(s).length === 1 && socketThere(s));
    const mine = servers(s)[0]!;
    s.repo.write('a.txt', 'two\n');
    const other = { GIT_AUTHOR_NAME: 'Someone Else' };
    const first = hook(s, other);
    assert.is(first.code, 0);
    assert.not.ok(first.served, 'not the first server: its own, started now');
    assert.is(checkpoints(s.repo).length, 2);
    assert.is(s.repo.git(['log', '-1', '--format=%an', checkpoints(s.repo)[0]!.snapshot]), 'Someone Else', 'taken with its own identity');
    await until('a second server', () => servers(s).length === 2);
    s.repo.write('a.txt', 'three\n');
    await until('it serves', () => hook(s, other).served);
    assert.is(s.repo.git(['log', '-1', '--format=%an', checkpoints(s.repo)[0]!.snapshot]), 'Someone Else');
    s.repo.write('a.txt', 'four\n');
    assert.ok(hook(s).served, 'the first environment still has its own');
    assert.is(s.repo.git(['log', '-1', '--format=%an', checkpoints(s.repo)[0]!.snapshot]), 'Test Author');
    // Another build (the bundle reinstalled): declined, and the server ends.
    utimesSync(main, atime, new Date(mtime.getTime() + 1000));
    s.repo.write('a.txt', 'five\n');
    const newer = hook(s);
    assert.match(newer.stderr, /declined: another build/);
    assert.is(checkpoints(s.repo).length, 5);
    await until('the old server to end', () => !servers(s).includes(mine));
  } finally {
    utimesSync(main, atime, mtime);
    stopAll(s);
  }
});

test('a socket directory others may enter (a server there may not be ours): never asked, no server started, every hook takes its checkpoint itself', async () => {
  const s = setUp();
  mkdirSync(s.socketDir, { recursive: true });
  chmodSync(s.socketDir, 0o755);
  // Someone's server that answers "ok" and takes nothing.
  const fake = createServer({ allowHalfOpen: true }, (c) => c.end('ok\n'));
  await new Promise<void>((r) => fake.listen(socketPathFor(realpathSync(s.repo.dir), s.env), r));
  try {
    for (const v of ['one', 'two', 'three']) {
      s.repo.write('a.txt', `${v}\n`);
      const r = hook(s);
      assert.is(r.code, 0);
      assert.not.ok(r.served, r.stderr);
    }
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(servers(s), []);
    assert.is(checkpoints(s.repo).length, 3);
    // And with the server turned off, none is even tried, whatever the directory.
    fake.close();
    chmodSync(s.socketDir, 0o700);
    s.repo.write('a.txt', 'four\n');
    assert.not.ok(hook(s, { GIT_BACKUP_AGENT_SERVER: 'off' }).served);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(servers(s), []);
    assert.is(checkpoints(s.repo).length, 4);
  } finally {
    fake.close();
    stopAll(s);
  }
});

test.run();
