// A year of simulated activity over the pure policies: ~180 backups, commits on main, feature branches
// merged days later (one in twenty never), abandoned work, pins; the clock advanced day by day. Each
// day the git-driven moves happen as reconcile makes them (CREATED → PENDING → CONFIRMED when the work
// is committed / merged: test/cli/reconcile.test.ts proves those on real git), then the time policy
// is evaluated with the default configuration (keep rules, retention, confidence threshold 0.9) and
// its plan is held against an independent oracle (test/helpers/policy-oracle.ts, from
// docs/policies.md). Checked every day: planned moves = the oracle's, nothing kept moved, no
// deferral, nothing waiting that the oracle would move; at the end: nothing un-integrated archived
// or deleted, pins stay, confident backups archived and then deleted.
// test/cli/year.test.ts runs the same workload end to end (real git, store, archives, the CLI),
// over fewer days with retention scaled down.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { confidenceOf } from '../../src/core/confidence.js';
import { keptBackups } from '../../src/core/policies/keep.js';
import { dueForTime, planTime } from '../../src/core/policies/time.js';
import { DEFAULT_CONFIG, type BackupConfig } from '../../src/core/config.js';
import { newRecord } from '../../src/core/record.js';
import { applyTransition } from '../../src/core/lifecycle.js';
import type { ContentProof } from '../../src/core/content.js';
import type { BackupRecord, BackupState, Trigger } from '../../src/core/types.js';
import { DAY, H, predict, workloadFor, type Model, type OracleConfig } from '../helpers/policy-oracle.js';

const START = Date.parse('2025-01-01T00:00:00.000Z');
const DAYS = 365;
const DEFAULTS: OracleConfig = {
  retention: { CREATED: 30, PENDING: 60, CONFIRMED: 7, CLEANABLE: 7, ARCHIVED: 90 },
  keep: { last: 5, daily: 7, weekly: 4 },
  threshold: 0.9,
};
// The defaults (with the year test's threshold 0.9), then settings under which each keep rule and the
// confidence threshold decide on their own (with the defaults, keep.daily covers keep.last, and age
// makes every confirmed backup confident long before it would be archived).
const SETTINGS: [string, OracleConfig][] = [
  ['defaults', DEFAULTS],
  ['keep.last only, short retention, threshold 0.85', { retention: { CREATED: 10, PENDING: 20, CONFIRMED: 2, CLEANABLE: 2, ARCHIVED: 15 }, keep: { last: 3, daily: 0, weekly: 0 }, threshold: 0.85 }],
  ['keep.weekly only, threshold 0.95', { retention: { CREATED: 14, PENDING: 21, CONFIRMED: 3, CLEANABLE: 4, ARCHIVED: 30 }, keep: { last: 0, daily: 0, weekly: 2 }, threshold: 0.95 }],
  ['keep.daily only, threshold 0.8', { retention: { CREATED: 5, PENDING: 9, CONFIRMED: 1, CLEANABLE: 1, ARCHIVED: 7 }, keep: { last: 0, daily: 3, weekly: 0 }, threshold: 0.8 }],
];

const configOf = (o: OracleConfig): BackupConfig => ({
  ...DEFAULT_CONFIG,
  retention: Object.fromEntries(Object.entries(o.retention).map(([s, d]) => [s, d * DAY])) as BackupConfig['retention'],
  keep: o.keep,
  autoCleanupConfidence: o.threshold,
});

test('the oracle reads the documented defaults', () => {
  for (const [s, d] of Object.entries(DEFAULTS.retention)) assert.is(DEFAULT_CONFIG.retention[s as keyof OracleConfig['retention']], d * DAY, s);
  assert.equal(DEFAULT_CONFIG.keep, DEFAULTS.keep);
});

for (const [name, ORACLE] of SETTINGS) test(`a year over the pure policies (${name}): every day as the oracle predicts, keep rules hold, nothing un-integrated removed`, () => {
  const CONFIG = configOf(ORACLE);
  const records = new Map<string, BackupRecord>();
  const models = new Map<string, Model>();
  const move = (r: BackupRecord, to: BackupState, at: number, trigger: Trigger) => {
    applyTransition(r, { at: new Date(at).toISOString(), from: r.state, to, trigger, reason: 'simulated', forced: false });
    const m = models.get(r.id)!;
    m.state = to;
    m.entered = at;
    if (to === 'PENDING') m.everPending = true;
    if (to === 'CONFIRMED') {
      m.everConfirmed = true;
      m.contained = true; // its file reached main and is never changed again
    }
  };
  let n = 0;
  let ticksMoved = 0;
  let waited = 0;
  const contained = (r: BackupRecord) => models.get(r.id)!.contained;
  // The content proof the model stands for: held in main's history once merged, else unique.
  const proofOf = (r: BackupRecord): ContentProof => ({ history: 'integration', tip: 'm', files: 1, held: contained(r) ? 1 : 0, superseded: [], uncommitted: [], unique: contained(r) ? [] : ['w.txt'], commits: [] });

  for (let day = 0; day < DAYS; day++) {
    const base = START + day * DAY;
    // 09:00 — maybe a backup.
    if (day % 2 === 0) {
      const i = n++;
      const w = workloadFor(i, day);
      const at = base + 9 * H + (i % 50) * 60_000;
      const id = `${new Date(at).toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-')}-${(0x1000 + i).toString(16)}`;
      const r = newRecord({ id, created_at: new Date(at), message: `b${i}`, branch: w.branch, base: 'b'.repeat(40), snapshot: String(i).padStart(40, '0'), paths: [], files: 1, bytes: 10, include_ignored: false, worktree: '/w', pinned: w.pin });
      records.set(id, r);
      models.set(id, { id, kind: w.kind, created: at, state: 'CREATED', entered: at, pinned: w.pin, everConfirmed: false, everPending: false, contained: false, mergeDay: w.mergeDay, branch: w.branch });
    }
    // 09:50 — what reconcile does: committed work PENDING, work on main (merged or committed there) CONFIRMED.
    const reconcileAt = base + 9 * H + 50 * 60_000;
    for (const r of records.values()) {
      const m = models.get(r.id)!;
      if (m.kind !== 'abandoned' && r.state === 'CREATED') move(r, 'PENDING', reconcileAt, 'GIT_HOOK');
      if (r.state === 'PENDING' && (m.kind === 'main' || m.mergeDay === day)) move(r, 'CONFIRMED', reconcileAt, 'GIT_HOOK');
    }
    // 12:00 — the time policy.
    const now = new Date(base + 12 * H);
    const all = [...records.values()];
    const keep = keptBackups(all, CONFIG.keep);
    const due = dueForTime(all, now, CONFIG, keep);
    const plan = planTime(due, CONFIG, (r) => confidenceOf(r, now, proofOf(r)), (r) => proofOf(r).unique);
    const oracle = predict([...models.values()], now.getTime(), ORACLE);
    assert.equal([...keep.keys()].sort(), [...oracle.keep].sort(), `day ${day}: kept`);
    const planned = new Map(plan.moves.map((m) => [m.id, m.steps.at(-1)!]));
    assert.equal(new Map([...planned].sort()), new Map([...oracle.moves].sort()), `day ${day}: the oracle's plan`);
    for (const m of plan.moves) assert.is(m.steps.length, 1, `day ${day}: one step`);
    for (const w of plan.waiting) assert.not.ok(oracle.moves.has(w.id), `day ${day}: ${w.id} waits but the oracle moves it`);
    waited += plan.waiting.length;
    for (const m of plan.moves) {
      move(records.get(m.id)!, m.steps[0]!, now.getTime(), 'TIME_BASED');
      ticksMoved++;
    }
  }

  const final = [...records.values()];
  assert.is(final.length, n);
  for (const b of final) {
    assert.is(b.state, models.get(b.id)!.state);
    for (const e of b.history) if (e.to === 'DELETED') assert.ok(e.from === 'CLEANABLE' || e.from === 'ARCHIVED', `${b.id} deleted from ${e.from}`);
    if (!b.history.some((e) => e.to === 'CONFIRMED')) assert.ok(!b.history.some((e) => e.to === 'ARCHIVED' || e.to === 'DELETED'), `${b.id}: never integrated, never removed`);
    if (b.pinned) assert.ok(['CREATED', 'PENDING', 'CONFIRMED'].includes(b.state), `${b.id} pinned stays`);
  }
  const count = (s: string) => final.filter((b) => b.state === s).length;
  assert.ok(ticksMoved > n / 2, `moved ${ticksMoved}`);
  assert.ok(count('DELETED') > 50, `a year is long enough for archive then delete (${count('DELETED')} deleted)`);
  assert.ok(count('CLEANABLE') > 0, 'un-integrated work waits for the user');
  assert.ok(waited > 0, 'some CLEANABLE backups waited for the user');
  const reached = (s: BackupState, from: BackupState) => final.some((b) => b.history.some((e) => e.from === from && e.to === s && e.trigger === 'TIME_BASED'));
  for (const [from, to] of [['CREATED', 'CLEANABLE'], ['PENDING', 'CLEANABLE'], ['CONFIRMED', 'CLEANABLE'], ['CLEANABLE', 'ARCHIVED'], ['ARCHIVED', 'DELETED']] as const) {
    assert.ok(reached(to, from), `some backup went ${from} → ${to} by time`);
  }
});

test.run();
