// Issue 9: bursts of git events cost about one drain. A 20-commit rebase starts one drain (at its post-rewrite)
// (counted by a shim that notes each start, the drains themselves being the real CLI), and every
// event is still applied exactly once. The rounds forced inside a burst and sync mode against a held
// lock are in burst-rounds.test.ts.
import { test } from '../helpers/shard.js';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { countedDrains, drainStarts, eventLines, eventLogSize, installedRepo, readDb, settle } from '../helpers/hooks.js';

test('a 20-commit rebase starts one drain, at its post-rewrite, and every event is applied exactly once', async () => {
  const repo = installedRepo();
  const { log, env } = countedDrains();
  const git = (args: string[]) => {
    const r = spawnSync('git', args, { cwd: repo.dir, env, encoding: 'utf8' });
    assert.is(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };
  git(['checkout', '-q', '-b', 'feature']);
  repo.write('work.txt', 'in progress\n');
  const { id } = repo.json<{ id: string }>(['create', '--allow-empty', '-m', 'before the feature'], { env });
  // 20 commits on the feature (one script: a burst of its own), main moves on meanwhile.
  const script = 'i=0; while [ $i -lt 20 ]; do i=$((i + 1)); echo "$i" > "f$i.txt"; git add "f$i.txt" && git commit -q -m "f$i" || exit 1; done';
  assert.is(spawnSync('sh', ['-c', `git add work.txt && ${script}`], { cwd: repo.dir, env }).status, 0);
  git(['checkout', '-q', 'main']);
  repo.write('main.txt', 'main moved\n');
  git(['add', 'main.txt']);
  git(['commit', '-q', '-m', 'main moves']);
  git(['checkout', '-q', 'feature']);
  await settle(repo);
  writeFileSync(log, '');
  const eventsBefore = eventLines(repo).length;

  git(['rebase', '-q', 'main']);
  await settle(repo);
  // The replayed commits' post-commits record nothing (their hook skips our code): pre-rebase and post-rewrite.
  assert.equal(eventLines(repo).slice(eventsBefore).map((l) => l.split('\t')[2]), ['pre-rebase', 'post-rewrite']);
  // pre-rebase and the 20 post-commits start none (rebase-merge is
  // there); post-rewrite starts one, once the rebase is done: nothing of ours runs beside the rebase.
  const drains = drainStarts(log);
  assert.is(drains, 1, `the rebase started ${drains} drains`);
  assert.is(readFileSync(log, 'utf8').split(' ')[1], git(['rev-parse', 'HEAD']), 'the drain started at the rebased tip');
  const db = readDb(repo);
  assert.is(db.events_applied, eventLines(repo).length, 'every event applied once');
  assert.is(db.events_offset, eventLogSize(repo));
  const b = db.backups.find((x) => x.id === id)!;
  assert.is(b.state, 'PENDING');
  assert.is(b.pending_commit, git(['rev-parse', 'HEAD']), 'pending commit followed the rebase');
});

test('50 back-to-back commits: few drains, each event applied once, PENDING once the burst ends', async () => {
  const repo = installedRepo();
  const { log, env } = countedDrains();
  repo.git(['checkout', '-q', '-b', 'feature']);
  repo.write('w.txt', 'work\n');
  const { id } = repo.json<{ id: string }>(['create', '--allow-empty', '-m', 'w'], { env });
  const script = 'git add w.txt; i=0; while [ $i -lt 50 ]; do i=$((i + 1)); echo "$i" > n.txt; git add n.txt && git commit -q -m "c$i" || exit 1; done';
  assert.is(spawnSync('sh', ['-c', script], { cwd: repo.dir, env }).status, 0);
  await settle(repo);
  const db = readDb(repo);
  assert.is(eventLines(repo).length, 50);
  assert.is(db.events_applied, 50);
  // A new drain only after a pause longer than the quiet time and the linger together (seconds);
  // on an idle machine, one. Generous: this machine is shared.
  assert.ok(drainStarts(log) <= 10, `${drainStarts(log)} drains for 50 commits`);
  assert.is(db.backups.find((x) => x.id === id)!.state, 'PENDING');
});

test.run();


