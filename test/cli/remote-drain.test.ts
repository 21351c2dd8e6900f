// The automatic push (issue 11, docs/remote.md): the drain after a commit pushes to backup.remote at
// most once per backup.remote.interval, always in a detached drain (a drain the commit waits for, in
// sync mode, hands a due push over). With the remote down the commit still succeeds, `status` says
// the push failed and will be retried, and a later drain (an interval on) catches up. A remote that
// accepts the connection and never answers is given up after backup.remote.timeout. Sync mode with
// a slow remote and a remote name that names none: remote-drain-sync.test.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type Server, type Socket } from 'node:net';
import { execFileSync } from 'node:child_process';
import { install, withShim } from '../helpers/hooks.js';
import { nextOutcome, outcome, setup, sleep, type Rec } from '../helpers/remote.js';

test('drain pushes: remote down → commit unaffected, status reports it; an interval later the next commit\'s drain pushes and records the copy', async () => {
  const { a, store } = setup();
  install(a);
  a.git(['config', 'backup.remote.interval', '10m']);
  a.git(['remote', 'set-url', 'backup', 'git://127.0.0.1:1/down.git']);
  a.write('wip.txt', 'work\n');
  const id = a.json<Rec>(['create', '-m', 'wip']).id;
  const t0 = Date.now();
  const at = (min: number) => withShim({ GIT_BACKUP_NOW: new Date(t0 + min * 60_000).toISOString() });

  a.write('other.txt', 'committed\n');
  a.git(['add', 'other.txt'], { env: at(0) });
  a.git(['commit', '-q', '-m', 'one'], { env: at(0) }); // throws if the commit failed
  const failed = await nextOutcome(a, null);
  assert.is(failed.ok, false);
  const down = a.cli(['status'], { env: at(0) });
  assert.match(down.stdout, /last push to backup failed at .*127\.0\.0\.1.*will retry/);
  assert.is(store.git(['for-each-ref', 'refs/backups/']), '');

  a.git(['remote', 'set-url', 'backup', store.dir]);
  a.write('other.txt', 'committed again\n');
  a.git(['commit', '-q', '-am', 'two'], { env: at(5) });
  await sleep(500); // a drain it started would have pushed by now (sync mode starts none unless a push is due)
  assert.equal(outcome(a), failed, 'within the interval: no push');
  assert.is(store.git(['for-each-ref', 'refs/backups/']), '');

  a.git(['commit', '-q', '--allow-empty', '-m', 'three'], { env: at(11) });
  assert.is((await nextOutcome(a, JSON.stringify(failed))).ok, true);
  assert.match(store.git(['for-each-ref', 'refs/backups/']), new RegExp(`refs/backups/${id}`), 'an interval later the drain pushed');
  assert.match(a.cli(['status'], { env: at(11) }).stdout, /last push to backup: ok/);
  assert.is(a.json<Rec>(['show', id]).copies.length, 1);
});

test('a remote that never answers: push gives up after backup.remote.timeout (exit 1, one line); a commit never waits for it', async () => {
  // Accepts connections (the kernel does, into the backlog) and never says a word.
  const held: Socket[] = [];
  const server: Server = createServer((s) => void held.push(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  try {
    const { a } = setup();
    install(a);
    const url = `http://127.0.0.1:${port}/silent.git`;
    a.git(['remote', 'set-url', 'backup', url]);
    a.git(['config', 'backup.remote.timeout', '2s']);
    a.git(['config', 'backup.remote.interval', '1s']);
    a.write('wip.txt', 'work\n');
    a.json<Rec>(['create', '-m', 'wip']);

    const p = a.cliAsync(['push']);
    const started = Date.now();
    const r = await p;
    const took = Date.now() - started;
    assert.is(r.code, 1, r.stderr);
    assert.match(r.stderr, /^git backup: .*timed out after 2 s \(backup\.remote\.timeout\)\n$/);
    assert.ok(took < 15_000, `gave up after ${took} ms`);
    // git's http helper (git remote-http) was stopped with it, not left running with its socket.
    const left = execFileSync('ps', ['-eo', 'pid=,args=']).toString().split('\n').filter((l) => l.includes(url));
    for (const l of left) process.kill(Number(l.trim().split(' ')[0]), 'SIGKILL');
    assert.equal(left, [], 'processes left after the timeout');

    // A commit in sync mode (the push is due again): its drain hands the push to a detached drain and returns.
    await sleep(1100);
    const before = JSON.stringify(outcome(a));
    a.write('other.txt', 'committed\n');
    a.git(['add', 'other.txt']);
    const c0 = Date.now();
    a.git(['commit', '-q', '-m', 'one'], { env: withShim() });
    assert.ok(Date.now() - c0 < 2_000, `the commit waited ${Date.now() - c0} ms`);
    const o = await nextOutcome(a, before);
    assert.is(o.ok, false);
    assert.match(o.error ?? '', /timed out/);
  } finally {
    for (const s of held) s.destroy();
    server.close();
  }
});

test.run();
