// The automatic push (issue 11, docs/remote.md), continued from remote-drain.test.ts: in sync mode,
// while a detached drain pushes to a slow remote, the next commit neither waits nor leaves its event
// unapplied; backup.remote naming no remote is a failed attempt like any other.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { drainsRunning, eventLogSize, install, readDb, withShim } from '../helpers/hooks.js';
import { nextOutcome, setup, sleep } from '../helpers/remote.js';

test('sync mode: while a detached drain pushes to a slow remote, the next commit neither waits nor leaves its event unapplied', async () => {
  const { a, store } = setup();
  install(a);
  // A remote that works but takes seconds per push (a large backup over a slow link).
  writeFileSync(join(store.dir, 'hooks', 'pre-receive'), '#!/bin/sh\nsleep 3\n');
  chmodSync(join(store.dir, 'hooks', 'pre-receive'), 0o755);
  a.write('wip.txt', 'work\n');
  a.json(['create', '-m', 'wip']);
  a.write('other.txt', 'one\n');
  a.git(['add', 'other.txt']);
  a.git(['commit', '-q', '-m', 'one'], { env: withShim() }); // the push is due: a detached drain makes it
  const pushing = join(a.dir, '.git', 'backup', 'push.lock');
  for (const deadline = Date.now() + 20_000; !existsSync(pushing); await sleep(50)) {
    if (Date.now() > deadline) throw new Error('the detached drain never started pushing');
  }
  a.write('other.txt', 'two\n');
  const c0 = Date.now();
  a.git(['commit', '-q', '-am', 'two'], { env: withShim() });
  const took = Date.now() - c0;
  assert.ok(existsSync(pushing), 'the push was still under way during the second commit');
  assert.ok(took < 1500, `the second commit waited ${took} ms`);
  assert.is(readDb(a).events_offset, eventLogSize(a), 'its event was applied before git returned');
  assert.match(a.cli(['status']).stdout, /push to backup: in progress/);
  assert.is((await nextOutcome(a, null)).ok, true);
  assert.not.match(a.cli(['status']).stdout, /in progress/);
});

test('backup.remote naming no remote: a failed attempt like any other (status says so; no push, no detached drain, until the interval has passed)', () => {
  const { a } = setup();
  install(a);
  a.git(['config', 'backup.remote', 'nosuchremote']); // a typo, or a remote removed since
  a.write('wip.txt', 'work\n');
  a.json(['create', '-m', 'wip']);
  const r = a.cli(['push']);
  assert.is(r.code, 2, r.stderr);
  assert.match(a.cli(['status']).stdout, /last push to nosuchremote failed at .*no remote named/);
  a.write('other.txt', 'x\n');
  a.git(['add', 'other.txt']);
  a.git(['commit', '-q', '-m', 'c'], { env: withShim() });
  assert.equal(drainsRunning(a.dir), [], 'no detached drain started for a push that is not due');
});

test.run();
