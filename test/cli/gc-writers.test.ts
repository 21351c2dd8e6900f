// gc --now and the commands writing objects no ref reaches yet (src/store/object-writers.ts): a
// hostile test ran gc --now beside create and restore and lost a backup; two reviews found ways the
// markers could hold writers back for good, or let a gc that was held up prune beside them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { CLI, TEST_ENV, tempRepo } from '../helpers/repo.js';
import { runUntil } from '../helpers/pause.js';
import { ok, type Rec } from '../helpers/truth.js';

test('gc --now beside a create that has written its snapshot but not its ref: prunes nothing, the backup is whole', async () => {
  const repo = tempRepo();
  repo.write('x.txt', 'precious, not committed\n');
  const paused = await runUntil(repo, ['create', '-m', 'racing gc', '--json'], 'create:after-snapshot');
  const gc = repo.cli(['gc', '--now']); // git prune --expire=now would take the snapshot's objects
  assert.is(gc.code, 5, gc.stderr);
  assert.match(gc.stderr, /nothing was pruned: run it again once it is done/);
  const done = await paused.resume();
  assert.is(done.code, 0, done.stderr);
  const [id] = repo.git(['for-each-ref', '--format=%(refname:lstrip=2)', 'refs/backups']).split('\n');
  repo.git(['rev-list', '--objects', `refs/backups/${id}`]); // throws if an object is gone
  ok(repo, ['verify']);
  repo.write('x.txt', 'overwritten\n');
  ok(repo, ['restore', id!]);
  assert.is(readFileSync(join(repo.dir, 'x.txt'), 'utf8'), 'precious, not committed\n');
  ok(repo, ['gc', '--now']);
});

test('a create that starts while gc --now prunes waits for it, then makes a whole backup', async () => {
  const repo = tempRepo();
  repo.write('x.txt', 'written while gc ran\n');
  const gc = await runUntil(repo, ['gc', '--now'], 'gc:after-repack'); // it has looked at the writers: none
  const create = runUntil(repo, ['create', '-m', 'during gc'], 'create:after-snapshot');
  const early = await Promise.race([create.then(() => 'wrote its snapshot'), new Promise((r) => setTimeout(() => r('waiting'), 1500))]);
  if (early !== 'waiting') await Promise.all([gc.kill(), create.then((c) => c.kill())]); // fail without leaving them paused
  assert.is(early, 'waiting', 'no object is written while the gc that did not see it runs');
  assert.is((await gc.resume()).code, 0);
  const done = await (await create).resume();
  assert.is(done.code, 0, done.stderr);
  const [id] = repo.git(['for-each-ref', '--format=%(refname:lstrip=2)', 'refs/backups']).split('\n');
  repo.git(['rev-list', '--objects', `refs/backups/${id}`]);
  ok(repo, ['verify']);
});

test('a gc marker nobody touches any more (its pid reused, say) does not hold a create back', () => {
  const repo = tempRepo();
  repo.write('x.txt', 'work\n');
  ok(repo, ['status']);
  const writers = join(repo.dir, '.git', 'backup', 'writers');
  mkdirSync(writers, { recursive: true });
  const marker = join(writers, `gc.${process.pid}.0a1b2c3d.${hostname()}`); // a live pid: this test's own
  writeFileSync(marker, '');
  const stale = new Date(Date.now() - 60_000);
  utimesSync(marker, stale, stale);
  // Held back for good, it would be killed here (a hang guard, not a speed check).
  const r = spawnSync(process.execPath, [CLI, 'create', '-m', 'not held back'], { cwd: repo.dir, env: TEST_ENV, encoding: 'utf8', timeout: 30_000 });
  assert.is(r.status, 0, r.stderr);
});

test('a gc --now that writers took for gone (its marker removed while it was held up) stops before pruning', async () => {
  const repo = tempRepo();
  repo.write('y.txt', 'to keep for now\n');
  const id = repo.json<Rec>(['create', '-m', 'deleted']).id;
  const blob = repo.git(['rev-parse', `refs/backups/${id}^3:y.txt`]);
  ok(repo, ['delete', id, '--yes', '--force']);
  const gc = await runUntil(repo, ['gc', '--now'], 'gc:after-repack');
  const writers = join(repo.dir, '.git', 'backup', 'writers');
  for (const name of readdirSync(writers)) if (name.startsWith('gc.')) unlinkSync(join(writers, name)); // as a writer does with a stale one
  const done = await gc.resume();
  assert.is(done.code, 1, done.stderr);
  assert.match(done.stderr, /run it again/);
  repo.git(['cat-file', '-e', blob]); // not pruned
  ok(repo, ['gc', '--now']);
  assert.throws(() => repo.git(['cat-file', '-e', blob]));
});

test('gc --now is not held back by the marker of a writer that is gone', () => {
  const repo = tempRepo();
  repo.write('y.txt', 'to be pruned\n');
  const id = repo.json<Rec>(['create', '-m', 'gone soon']).id;
  const blob = repo.git(['rev-parse', `refs/backups/${id}^3:y.txt`]); // untracked: the third parent
  ok(repo, ['delete', id, '--yes', '--force']);
  const writers = join(repo.dir, '.git', 'backup', 'writers');
  mkdirSync(writers, { recursive: true });
  const marker = join(writers, `999999.0a1b2c3d.${hostname()}`); // a pid that is not running
  writeFileSync(marker, '');
  const hourAgo = new Date(Date.now() - 3600_000);
  utimesSync(marker, hourAgo, hourAgo);
  repo.write('y.txt', 'changed\n');
  ok(repo, ['gc', '--now']);
  assert.is(repo.cli(['--version']).code, 0);
  assert.throws(() => repo.git(['cat-file', '-e', blob]), 'the deleted backup\'s content was pruned');
});

test.run();
