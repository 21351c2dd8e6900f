// A year of simulated activity: ~180 backups, commits on main, feature branches merged days later,
// abandoned work, pins; the clock advanced day by day (GIT_BACKUP_NOW / ctx.now), reconcile and tick
// every day. An independent oracle (below, written from docs/policies.md, not from the code) predicts
// every day's moves; the test checks, every day: dry run = real tick, planned moves = the oracle's,
// nothing kept was moved; and at the end: final states = oracle, nothing un-integrated deleted.
// Archiving works or not depending on the build (the archive feature lands separately): the oracle
// learns which from the first archive attempt, then holds reality to it consistently.
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

const DAY = 86_400_000;
const H = 3_600_000;
const START = Date.parse('2025-01-01T00:00:00.000Z');
const DAYS = Number(process.env.YEAR_DAYS ?? 365);
const THRESHOLD = 0.9;
const RET = { CREATED: 30, PENDING: 60, CONFIRMED: 7, CLEANABLE: 7, ARCHIVED: 90 } as const;
process.env.GIT_BACKUP_TEST_DISK_USED_PERCENT = '10';

type Kind = 'main' | 'feature' | 'abandoned';
interface Model {
  id: string;
  kind: Kind;
  created: number;
  state: string;
  entered: number;
  pinned: boolean;
  everConfirmed: boolean;
  everPending: boolean;
  contained: boolean;
  mergeDay: number | null;
  branch: string;
}

const silent: Output = { out: () => {}, err: () => {}, interactive: false, ask: async () => '' };

// --- the oracle: docs/policies.md, re-derived ---------------------------------------------------
function isoWeek(t: number): string {
  const d = new Date(t);
  const dow = (d.getUTCDay() + 6) % 7;
  const thu = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) + (3 - dow) * DAY;
  const y = new Date(thu).getUTCFullYear();
  return `${y}:${Math.floor((thu - Date.UTC(y, 0, 1)) / DAY / 7)}`;
}
function kept(models: Model[]): Set<string> {
  const live = models.filter((m) => m.state !== 'DELETED').sort((a, b) => b.created - a.created);
  const out = new Set<string>(live.filter((m) => m.pinned).map((m) => m.id));
  live.slice(0, 5).forEach((m) => out.add(m.id));
  for (const [key, n] of [[(m: Model) => new Date(m.created).toISOString().slice(0, 10), 7], [(m: Model) => isoWeek(m.created), 4]] as const) {
    const seen = new Set<string>();
    for (const m of live) {
      if (seen.size >= n) break;
      const k = key(m);
      if (!seen.has(k)) {
        seen.add(k);
        out.add(m.id);
      }
    }
  }
  return out;
}
function confidence(m: Model, now: number): number {
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  const integ = m.everConfirmed ? 1 : m.everPending ? 0.3 : 0;
  const age = r3(Math.min(1, (now - m.created) / (30 * DAY)));
  // Containment: the content held in main's history (unique work scores 0: nothing of it is held).
  return r3(0.2 * integ + 0.4 * (m.contained ? 1 : 0) + 0.2 * age + 0.1 + 0.1);
}
function predict(models: Model[], now: number): { keep: Set<string>; moves: Map<string, string> } {
  const keep = kept(models);
  const moves = new Map<string, string>();
  for (const m of models) {
    if (keep.has(m.id) || m.state === 'DELETED') continue;
    const held = now - m.entered;
    const ret = RET[m.state as keyof typeof RET] * DAY;
    if (held < ret) continue;
    if (m.state === 'CLEANABLE') {
      if (confidence(m, now) >= THRESHOLD) moves.set(m.id, 'ARCHIVED');
    } else moves.set(m.id, m.state === 'ARCHIVED' ? 'DELETED' : 'CLEANABLE');
  }
  return { keep, moves };
}
// -------------------------------------------------------------------------------------------------

test('a year: every tick as the oracle predicts, dry run = real, keep rules hold, nothing un-integrated deleted', async () => {
  const repo = tempRepo();
  repo.git(['config', 'backup.autoCleanupConfidence', String(THRESHOLD)]);
  const ctx: Context = await openContext(silent, repo.dir);
  const models = new Map<string, Model>();
  const pendingMerges: Model[] = [];
  let archiveWorks: boolean | null = null;
  let n = 0;
  let ticksMoved = 0;
  const started = Date.now();

  for (let day = 0; day < DAYS; day++) {
    const base = START + day * DAY;
    // 09:00 — maybe a backup.
    if (day % 2 === 0) {
      const i = n++;
      const kind: Kind = i % 10 < 6 ? 'main' : i % 10 < 8 ? 'feature' : 'abandoned';
      const branch = kind === 'main' ? 'main' : `${kind}-${i}`;
      ctx.now = new Date(base + 9 * H + (i % 50) * 60_000);
      if (kind !== 'main') repo.git(['checkout', '-q', '-b', branch]);
      repo.write(`w/${i}.txt`, `work ${i}\n`);
      const r = await createBackup(ctx, { message: `b${i}`, includeIgnored: false, paths: [], cwd: repo.dir, pin: false, labels: [], trigger: 'USER' });
      const m: Model = { id: r.id, kind, created: ctx.now.getTime(), state: 'CREATED', entered: ctx.now.getTime(), pinned: false, everConfirmed: false, everPending: false, contained: false, mergeDay: null, branch };
      models.set(r.id, m);
      if (kind === 'abandoned') rmSync(join(repo.dir, `w/${i}.txt`));
      else repo.commitAll(`work ${i}`);
      if (kind === 'main' && i % 25 === 0) {
        await setPinned(ctx, r.id, true);
        m.pinned = true;
      }
      if (kind === 'feature' && i % 5 !== 0) {
        m.mergeDay = day + 2 + (i % 5);
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
    const cliDay = day % 61 === 60;
    const env = { GIT_BACKUP_NOW: ctx.now.toISOString(), GIT_BACKUP_TEST_DISK_USED_PERCENT: '10', GIT_BACKUP_AUTO: '' };
    const dry: TickReport = cliDay ? repo.json<TickReport>(['tick', '--dry-run'], { env }) : await evaluate(ctx, { dryRun: true });
    const real: TickReport = cliDay ? repo.json<TickReport>(['tick'], { env }) : await evaluate(ctx, { dryRun: false });
    assert.equal(real.moves, dry.moves, `day ${day}: dry run predicted the real tick`);
    assert.equal(real.failed, dry.failed, `day ${day}`);
    const { keep, moves } = predict([...models.values()], ctx.now.getTime());
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

  const final = await ctx.store.read();
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
  assert.ok(count('DELETED') > 50, `a year is long enough for archive then delete (${count('DELETED')} deleted)`);
  assert.ok(count('CLEANABLE') > 0, 'un-integrated work waits for the user');
  console.log(`year: ${n} backups, ${ticksMoved} policy moves; archive ${archiveWorks ? 'available' : 'not available in this build'}; ` +
    `final ${['CREATED', 'PENDING', 'CONFIRMED', 'CLEANABLE', 'ARCHIVED', 'DELETED'].map((s) => `${s} ${count(s)}`).join(', ')}; ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

test.run();
