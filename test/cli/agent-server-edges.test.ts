// The checkpoint server of a coding agent's hooks (hook/agent-server.ts) at its edges, real
// processes throughout: a checkpoint the server could not take (what it keeps gone stale under it)
// is declined, the hook takes it itself, never answered "ok" with nothing taken; a temporary
// directory too deep for a socket's path never puts the socket outside a private directory.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { CLI, TEST_ENV, scratchDir } from '../helpers/repo.js';
import { ok } from '../helpers/truth.js';
import { EVENT, checkpoints, hook, servers, setUp, socketThere, stopAll, until, withServer } from '../helpers/agent-server.js';
import { socketPathFor } from '../../src/hook/agent-client.js';

test('a worktree deleted and made again under a running server: the hook still gets its checkpoint', async () => {
  const s = setUp();
  try {
    await withServer(s);
    // The project cloned again where it was (the server's store, its scratch directory, gone with it).
    rmSync(s.repo.dir, { recursive: true, force: true });
    mkdirSync(s.repo.dir);
    s.repo.git(['init', '-q', '-b', 'main']);
    s.repo.write('README.md', '# again\n');
    s.repo.commitAll('initial');
    s.repo.write('a.txt', 'three\n');
    const r = hook(s);
    assert.is(r.code, 0);
    const made = checkpoints(s.repo);
    assert.is(made.length, 1, r.stderr);
    ok(s.repo, ['ci']);
  } finally {
    stopAll(s);
  }
});

test('a temporary directory too deep for a socket path: the socket still in a private directory of its own name, and served', async () => {
  const deep = join(scratchDir(), 'd'.repeat(60), 'e'.repeat(40));
  mkdirSync(deep, { recursive: true });
  const s = setUp({ TMPDIR: deep });
  const socket = socketPathFor(realpathSync(s.repo.dir), s.env);
  s.socketDir = socket; // its server told from any other by its socket (servers())
  try {
    assert.ok(Buffer.byteLength(socket) <= 103, socket);
    s.repo.write('a.txt', 'one\n');
    hook(s);
    await until('the server', () => servers(s).length === 1 && existsSync(socket));
    assert.ok(statSync(socket).isSocket());
    assert.is(statSync(dirname(socket)).mode & 0o077, 0);
    assert.equal(readdirSync(dirname(deep)), ['e'.repeat(40)], 'nothing made beside the temporary directory');
    s.repo.write('a.txt', 'two\n');
    await until('a served hook', () => hook(s).served);
    assert.is(checkpoints(s.repo).length, 2);
  } finally {
    stopAll(s);
  }
});

test("a connection that brings no request (another server's check that this one listens) does not keep the server from ending when idle", async () => {
  const s = setUp({ GIT_BACKUP_AGENT_IDLE_MS: '1500' });
  try {
    s.repo.write('a.txt', 'one\n');
    hook(s);
    await until('the server', () => servers(s).length === 1 && socketThere(s));
    const socket = socketPathFor(realpathSync(s.repo.dir), s.env);
    await new Promise<void>((resolve, reject) => {
      const c = connect(socket);
      c.on('connect', () => (c.destroy(), resolve()));
      c.on('error', reject);
    });
    await until('the idle server to end', () => servers(s).length === 0, 8_000);
  } finally {
    stopAll(s);
  }
});

test('a temporary directory that is a file (the socket directory cannot be looked at): exit 0, nothing printed, the checkpoint taken', () => {
  const tmpFile = join(scratchDir(), 'not-a-directory');
  writeFileSync(tmpFile, '');
  const s = setUp({ TMPDIR: tmpFile, GIT_BACKUP_DEBUG: '' });
  s.repo.write('a.txt', 'one\n');
  const r = spawnSync(process.execPath, [CLI, 'hook', 'agent', 'claude-code'], { cwd: s.repo.dir, env: s.env, input: EVENT(s.repo), encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout + r.stderr, '');
  assert.is(checkpoints(s.repo).length, 1);
});

test("variables every hook sets aside (GIT_EDITOR, GIT_CONFIG_COUNT...) in the agent's environment: its hooks are still served", async () => {
  const s = setUp({ GIT_EDITOR: 'vi', GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'core.pager', GIT_CONFIG_VALUE_0: 'less' });
  try {
    await withServer(s);
    assert.is(checkpoints(s.repo).length, 2);
  } finally {
    stopAll(s);
  }
});

test('hook agent-server by hand with the wrong arguments: exit 2, one line, nothing started', () => {
  for (const args of [[], ['only-a-socket'], ['a', 'b', 'c']]) {
    const r = spawnSync(process.execPath, [CLI, 'hook', 'agent-server', ...args], { encoding: 'utf8', env: TEST_ENV });
    assert.is(r.status, 2, args.join(' '));
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /usage: git backup hook agent-server SOCKET TOP/);
  }
});

test.run();
