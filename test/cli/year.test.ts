// The year simulation end to end, compressed: the workload of test/core/policy-year.test.ts (a backup
// every other day on main, on feature branches merged days later or never, abandoned; pins) with real
// git, the real store, real archives and sometimes the real CLI, the clock advanced day by day
// (GIT_BACKUP_NOW / ctx.now), reconcile and tick every day. Retention and keep rules are scaled down
// (days instead of weeks) so that 24 days see every policy move: CREATED, PENDING and CONFIRMED →
// CLEANABLE, confident CLEANABLE → ARCHIVED (a real, verified archive), ARCHIVED → DELETED, and
// unconfident CLEANABLE waiting for the user. The same independent oracle (test/helpers/policy-oracle.ts)
// predicts every day's moves; checked every day: dry run = real tick, planned moves = the oracle's,
// nothing kept was moved, main work confirmed on its day; and at the end: final states = oracle,
// nothing un-integrated deleted. The full year under the default settings runs over the pure
// policies (test/core/policy-year.test.ts); YEAR_DAYS=365 runs this one longer.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { tempRepo } from '../helpers/repo.js';
import '../helpers/fixture.js';
import { openContext, type Context, type Output } from '../../src/app/context.js';
import { createBackup } from '../../src/app/create.js';
import { reconcile } from '../../src/app/reconcile.js';
import { setPinned } from '../../src/app/access.js';
import { evaluate, type TickReport } from '../../src/app/tick.js';
import { DAY, H, predict, workloadFor, type Model, type OracleConfig } from '../helpers/policy-oracle.js';

const START = Date.parse('2025-01-01T00:00:00.000Z');
const DAYS = Number(process.env.YEAR_DAYS ?? 24);
// Confidence of a confirmed, contained backup is 0.8 + 0.2 × age/30d: 0.82 is reached at 3 days.
const ORACLE: OracleConfig = {
  retention: { CREATED: 3, PENDING: 5, CONFIRMED: 1, CLEANABLE: 1, ARCHIVED: 3 },
  keep: { last: 1, daily: 1, weekly: 2 },
  threshold: 0.82,
};
process.env.GIT_BACKUP_TEST_DISK_USED_PERCENT = '10';

const silent: Output = { out: () => {}, outParts: () => {}, err: () => {}, interactive: false, ask: async () => '' };

test('a compressed year: every tick as the oracle predicts, dry run = real, keep rules hold, nothing un-integrated deleted', async () => {
  const repo = tempRepo();
  repo.git(['config', 'backup.autoCleanupConfidence', String(ORACLE.threshold)]);
  for (const [state, days] of Object.entries(ORACLE.retention)) repo.git(['config', `backup.retention.${state.toLowerCase()}`, `${days}d`]);
  for (const [rule, n] of Object.entries(ORACLE.keep)) repo.git(['config', `backup.keep.${rule}`, String(n)]);
  const ctx: Context = await openContext(silent, repo.dir);
  const models = new Map<string, Model>();
  const pendingMerges: Model[] = [];
  let archiveWorks: boolean | null = null;
  let n = 0;
  let ticksMoved = 0;
  let cliTicks = 0;
  const started = Date.now();

  for (let day = 0; day < DAYS; day++) {
    const base = START + day * DAY;
    // 09:00 — maybe a backup.
    if (day % 2 === 0) {
      const i = n++;
      const { kind, branch, pin, mergeDay } = workloadFor(i, day);
      ctx.now = new Date(base + 9 * H + (i % 50) * 60_000);
      if (kind !== 'main') repo.git(['checkout', '-q', '-b', branch]);
      repo.write(`w/${i}.txt`, `work ${i}\n`);
      const made = await createBackup(ctx, { message: `b${i}`, includeIgnored: false, paths: [], cwd: repo.dir, pin: false, labels: [], trigger: 'USER' });
      assert.is(made.kind, 'created');
      if (made.kind !== 'created') continue;
      const r = made.record;
      const m: Model = { id: r.id, kind, created: ctx.now.getTime(), state: 'CREATED', entered: ctx.now.getTime(), pinned: false, everConfirmed: false, everPending: false, contained: false, mergeDay: null, branch };
      models.set(r.id, m);
      if (kind === 'abandoned') rmSync(join(repo.dir, `w/${i}.txt`));
      else repo.commitAll(`work ${i}`);
      if (pin) {
        await setPinned(ctx, r.id, true);
        m.pinned = true;
      }
      if (mergeDay !== null) {
        m.mergeDay = mergeDay;
        pendingMerges.push(m);
      }
      if (kind !== 'main') repo.git(['checkout', '-q', 'main']);
    }
    for (const m of pendingMerges.filter((p) => p.mergeDay === day)) repo.git(['merge', '-q', '--no-ff', '-m', `merge ${m.branch}`, m.branch]);
    // 09:50 — reconcile (what the hooks would do); the oracle follows git's facts.
    ctx.now = new Date(base + 9 * H + 50 * 60_000);
    const rec = await reconcile(ctx, { trigger: 'GIT_HOOK' });
    for (const mv of rec.moved) {
      const m = models.get(mv.id)!;
      assert.ok(m.state === mv.from, `${mv.id} ${m.state} vs ${mv.from}`);
      m.state = mv.to;
      m.entered = ctx.now.getTime();
      if (mv.to === 'PENDING') m.everPending = true;
      if (mv.to === 'CONFIRMED') {
        m.everConfirmed = true;
        m.contained = true; // its file reached main and is never changed again
      }
    }
    for (const m of models.values()) if (m.kind === 'main' && m.state === 'CREATED') assert.unreachable(`${m.id} not confirmed on its day`);

    // 12:00 — tick: dry run, then for real (through the CLI on some days).
    ctx.now = new Date(base + 12 * H);
    const cliDay = day % 8 === 7;
    const env = { GIT_BACKUP_NOW: ctx.now.toISOString(), GIT_BACKUP_TEST_DISK_USED_PERCENT: '10', GIT_BACKUP_AUTO: '' };
    if (cliDay) cliTicks++;
    const dry: TickReport = cliDay ? repo.json<TickReport>(['tick', '--dry-run'], { env }) : await evaluate(ctx, { dryRun: true });
    const real: TickReport = cliDay ? repo.json<TickReport>(['tick'], { env }) : await evaluate(ctx, { dryRun: false });
    assert.equal(real.moves, dry.moves, `day ${day}: dry run predicted the real tick`);
    assert.equal(real.failed, dry.failed, `day ${day}`);
    const { keep, moves } = predict([...models.values()], ctx.now.getTime(), ORACLE);
    const planned = new Map([...real.moves, ...real.failed].map((m) => [m.id, m.to]));
    assert.equal(new Map([...planned].sort()), new Map([...moves].sort()), `day ${day}: the oracle's plan`);
    for (const m of real.moves) assert.ok(!keep.has(m.id), `day ${day}: kept ${m.id} moved`);
    for (const m of [...real.moves, ...real.failed]) {
      if (m.to !== 'ARCHIVED') continue;
      const works = real.moves.includes(m);
      archiveWorks ??= works;
      assert.is(works, archiveWorks, `day ${day}: archiving ${archiveWorks ? 'worked before' : 'was unavailable before'}`);
    }
    for (const m of real.moves) {
      const model = models.get(m.id)!;
      model.state = m.to;
      model.entered = ctx.now.getTime();
      ticksMoved++;
    }
  }

  const index = await ctx.store.read();
  // Deleted backups leave the index for the cold store (docs/store.md): read them back for the tally.
  const hot = new Set(index.backups.map((b) => b.id));
  const final = { backups: [...index.backups, ...(await ctx.store.tombstones(index, { wanted: (id) => !hot.has(id) }))] };
  assert.is(final.backups.length, n);
  for (const b of final.backups) {
    assert.is(b.state, models.get(b.id)!.state, `${b.id} final state`);
    for (const e of b.history) if (e.to === 'DELETED') assert.ok(e.from === 'CLEANABLE' || e.from === 'ARCHIVED', `${b.id} deleted from ${e.from}`);
    if (!b.history.some((e) => e.to === 'CONFIRMED')) assert.ok(!b.history.some((e) => e.to === 'ARCHIVED' || e.to === 'DELETED'), `${b.id}: never integrated, never removed`);
    if (b.pinned) assert.ok(['CREATED', 'PENDING', 'CONFIRMED'].includes(b.state), `${b.id} pinned stays`);
  }
  const count = (s: string) => final.backups.filter((b) => b.state === s).length;
  assert.ok(ticksMoved > n / 2, `moved ${ticksMoved}`);
  assert.ok(archiveWorks, 'archiving is available: confident CLEANABLE backups were archived');
  // Confident backups go on to ARCHIVED and DELETED; un-integrated ones wait as CLEANABLE for the user.
  assert.ok(count('DELETED') >= 3, `long enough for archive then delete (${count('DELETED')} deleted)`);
  assert.ok(count('CLEANABLE') > 0, 'un-integrated work waits for the user');
  const byTime = (from: string, to: string) => final.backups.some((b) => b.history.some((e) => e.from === from && e.to === to && e.trigger === 'TIME_BASED'));
  for (const [from, to] of [['CREATED', 'CLEANABLE'], ['PENDING', 'CLEANABLE'], ['CONFIRMED', 'CLEANABLE'], ['CLEANABLE', 'ARCHIVED'], ['ARCHIVED', 'DELETED']] as const) {
    assert.ok(byTime(from, to), `some backup went ${from} → ${to} by time`);
  }
  assert.ok(cliTicks > 0, 'some ticks went through the CLI');
  console.log(`year (${DAYS} days): ${n} backups, ${ticksMoved} policy moves; archive ${archiveWorks ? 'available' : 'not available in this build'}; ` +
    `final ${['CREATED', 'PENDING', 'CONFIRMED', 'CLEANABLE', 'ARCHIVED', 'DELETED'].map((s) => `${s} ${count(s)}`).join(', ')}; ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

test.run();
