// The backup remote over a network transport (issue 11): `git daemon` on loopback. Push by URL, a
// second clone fetches by URL and restores; with the daemon down push fails in one line (exit 1) and
// status says so; once it is up the next push catches up.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir, TestRepo, TEST_ENV } from '../helpers/repo.js';
import { cloneOf, setup, type PushReport, type Rec } from '../helpers/remote.js';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function daemon(base: string, port: number): Promise<ChildProcess> {
  const child = spawn('git', ['daemon', '--export-all', '--enable=receive-pack', '--reuseaddr', '--listen=127.0.0.1', `--port=${port}`, `--base-path=${base}`, base], { env: TEST_ENV, stdio: 'ignore' });
  // Ready when it accepts a connection (ls-remote of an empty repository succeeds).
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((res) => {
      const p = spawn('git', ['ls-remote', `git://127.0.0.1:${port}/store.git`], { env: TEST_ENV, stdio: 'ignore' });
      p.on('close', (code) => res(code === 0));
    });
    if (ok) return child;
    await new Promise((res) => setTimeout(res, 50));
  }
  child.kill();
  throw new Error('git daemon did not start');
}

test('over git:// (git daemon on loopback): push by URL, a second clone fetches and restores; the remote down makes push fail in one line and status say so; a later push catches up', async () => {
  const { origin, a } = setup();
  const base = scratchDir('gb-daemon-');
  new TestRepo(base).git(['init', '-q', '--bare', 'store.git']);
  const port = await freePort();
  const url = `git://127.0.0.1:${port}/store.git`;
  a.git(['config', 'backup.remote', url]);
  a.write('net.txt', 'over the network\n');
  const id = a.json<Rec>(['create', '-m', 'net']).id;

  // Down: nothing listens yet. One line, exit 1, and status reports it.
  const down = a.cli(['push']);
  assert.is(down.code, 1);
  assert.is(down.stderr.trim().split('\n').length, 1, down.stderr);
  assert.match(down.stderr, /127\.0\.0\.1/);
  assert.match(a.cli(['status']).stdout, /last push to git:\/\/127\.0\.0\.1:\d+\/store\.git failed .*will retry/);

  const d = await daemon(base, port);
  try {
    const up = a.json<PushReport>(['push']);
    assert.equal([up.sent, up.verified, up.recorded], [1, 1, 1]);
    assert.match(a.cli(['status']).stdout, /last push to git:\/\/127\.0\.0\.1:\d+\/store\.git: ok/);
    assert.is(a.json<Rec>(['show', id]).copies[0]!.remote, url);

    const b = cloneOf(origin, 'clone-b');
    const got = b.json<{ snapshots: number; notes: boolean }>(['fetch', url]);
    assert.ok(got.notes);
    assert.is(got.snapshots, 1);
    const to = scratchDir('gb-restored-');
    assert.is(b.cli(['restore', id, '--to', to]).code, 0);
    assert.is(readFileSync(join(to, 'net.txt'), 'utf8'), 'over the network\n');
  } finally {
    d.kill();
  }
});

test.run();
