// Issue 8: recover racing live writers (tick, transition, a hook drain) never "repairs" a write in
// progress, and a move is never dated before the backup it moves was created.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tempRepo } from '../helpers/repo.js';
import { runUntil } from '../helpers/pause.js';
import { ok, type Rec } from '../helpers/truth.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('recover started 0-0.4 s after tick, transition and a hook drain: every recover exits 0, then ci and recover exit 0', async () => {
  const repo = tempRepo();
  ok(repo, ['install']);
  repo.git(['checkout', '-q', '-b', 'feature']);
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    repo.write(`w${i}.txt`, `work ${i}\n`);
    ids.push(repo.json<Rec>(['create', '--allow-empty', '-m', `w${i}`]).id);
  }
  const later = { GIT_BACKUP_NOW: new Date(Date.now() + 90 * 86_400_000).toISOString() };
  const writers = [
    () => repo.cliAsync(['transition', ids[0]!, 'CLEANABLE']),
    () => repo.cliAsync(['tick'], { env: later }), // 90 days on: the time policy moves the rest
    () => {
      repo.write('w1.txt', 'committed\n');
      repo.git(['add', 'w1.txt']);
      repo.git(['commit', '-q', '-m', 'w1'], { env: { GIT_BACKUP_HOOK_MODE: 'async' } });
      return repo.cliAsync(['hook', 'drain']);
    },
  ];
  for (const [i, start] of writers.entries()) {
    const writer = start();
    await sleep([0, 150, 400][i]!);
    const rec = await repo.cliAsync(['recover']);
    assert.is(rec.code, 0, `round ${i}: ${rec.stdout}${rec.stderr}`);
    assert.not.match(rec.stdout, /its note lacked/, 'nothing in progress was taken for damage');
    const w = await writer;
    assert.ok([0, 6].includes(w.code), `round ${i} writer: ${w.stdout}${w.stderr}`);
  }
  const ci = repo.cli(['ci']);
  assert.is(ci.code, 0, ci.stdout + ci.stderr);
  assert.match(ok(repo, ['recover']), /0 repair\(s\), 0 problem\(s\)/);
});

test('a reconcile that read the clock before a backup was created dates its move after the creation', async () => {
  const repo = tempRepo();
  repo.git(['checkout', '-q', '-b', 'feature']);
  // The reconcile starts (and reads the clock) first, and waits.
  const early = await runUntil(repo, ['reconcile'], 'context:opened');
  await sleep(1100);
  repo.write('late.txt', 'work\n');
  const id = repo.json<Rec>(['create', '--allow-empty', '-m', 'created while reconcile waited']).id;
  repo.commitAll('the work, committed');
  const done = await early.resume();
  assert.is(done.code, 0, done.stderr);
  const b = repo.json<Rec>(['show', id]);
  assert.is(b.state, 'PENDING');
  for (const h of b.history) assert.ok(h.at >= b.created_at, `${h.from}→${h.to} at ${h.at} is before the creation ${b.created_at}`);
  ok(repo, ['ci']);
});

test.run();
