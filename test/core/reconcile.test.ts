// Reconcile decisions, CI checks and durations as pure functions: plain data in, decisions out.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CommitGraph, type CommitInfo } from '../../src/core/graph.js';
import { planByAncestry, planByPatch, type ReconcileBackup } from '../../src/core/reconcile.js';
import { checkHistory, checkMaxAge, parseMaxAges } from '../../src/core/ci.js';
import { formatDuration, parseDuration } from '../../src/core/duration.js';
import { formatNoteLine, parseNoteLines, type TimedNoteEvent } from '../../src/core/notes-format.js';

const T0 = Date.parse('2026-01-01T00:00:00Z') / 1000;
/** base <- c1 <- c2 (feature); base <- m1 (main) <- M (merge of c2) */
function graph(): CommitGraph {
  const c: [string, CommitInfo][] = [
    ['base', { parents: [], time: T0 }],
    ['c1', { parents: ['base'], time: T0 + 100 }],
    ['c2', { parents: ['c1'], time: T0 + 200 }],
    ['m1', { parents: ['base'], time: T0 + 150 }],
    ['M', { parents: ['m1', 'c2'], time: T0 + 300 }],
  ];
  return new CommitGraph(new Map(c));
}
const backup = (over: Partial<ReconcileBackup> = {}): ReconcileBackup => ({
  id: 'b1', state: 'CREATED', branch: 'feature', base: 'base', created_at: new Date((T0 + 50) * 1000).toISOString(), pending_commit: null, ...over,
});

test('CREATED -> PENDING at the branch tip; PENDING -> CONFIRMED by the merge that brought it in', () => {
  const facts = { graph: graph(), branches: new Map([['feature', 'c2']]), integration: { name: 'main', tip: 'M' } };
  const { plans, patchQueries } = planByAncestry([backup()], facts);
  assert.is(patchQueries.length, 0);
  assert.equal(plans[0]!.steps.map((s) => [s.to, s.facts]), [['PENDING', { pending_commit: 'c2' }], ['CONFIRMED', { confirmed_by: 'M' }]]);
});

test('commits older than the backup, a tip equal to base, a deleted branch: no move', () => {
  const g = graph();
  const late = backup({ created_at: new Date((T0 + 500) * 1000).toISOString() });
  assert.is(planByAncestry([late], { graph: g, branches: new Map([['feature', 'c2']]), integration: null }).plans.length, 0);
  assert.is(planByAncestry([backup()], { graph: g, branches: new Map([['feature', 'base']]), integration: null }).plans.length, 0);
  assert.is(planByAncestry([backup()], { graph: g, branches: new Map(), integration: null }).plans.length, 0);
  // Not descending from base: m1 does not contain c1.
  assert.is(planByAncestry([backup({ base: 'c1' })], { graph: g, branches: new Map([['feature', 'm1']]), integration: null }).plans.length, 0);
});

test('PENDING follows a rewritten branch as a facts change; unmerged pending commits go to the patch pass', () => {
  const g = graph();
  const { plans, patchQueries } = planByAncestry([backup({ state: 'PENDING', pending_commit: 'c1' })], {
    graph: g, branches: new Map([['feature', 'c2']]), integration: { name: 'main', tip: 'm1' },
  });
  assert.equal(plans[0]!.facts, { pending_commit: 'c2' });
  assert.equal(patchQueries.map((q) => q.pending), ['c2']);
  planByPatch(patchQueries, { pending: new Map([['c2', { own: 'p-own', combined: 'p-all' }]]), integration: new Map([['p-all', 'S']]) }, 'main', plans);
  assert.equal(plans[0]!.steps.map((s) => [s.to, s.facts.confirmed_by, /squash/.test(s.reason)]), [['CONFIRMED', 'S', true]]);
});

test('unborn base: any commit after creation', () => {
  const g = new CommitGraph(new Map([['r', { parents: [], time: T0 + 60 }]]));
  const { plans } = planByAncestry([backup({ base: null, branch: 'main' })], { graph: g, branches: new Map([['main', 'r']]), integration: null });
  assert.equal(plans[0]!.steps.map((s) => s.to), ['PENDING']);
});

const ev = (at: string, e: TimedNoteEvent['event']): TimedNoteEvent => ({ at, event: e });
const created = (id: string, at: string) =>
  ev(at, { event: 'created', id, created_at: at, message: '', branch: 'main', base: null, snapshot: 's', paths: [], files: 0, bytes: 0, include_ignored: false, worktree: '/w', labels: [], pinned: false, trigger: 'USER', reason: 'created' });
const tr = (id: string, at: string, from: string, to: string, trigger = 'GIT_HOOK', forced = false) =>
  ev(at, { event: 'transition', id, from, to, trigger, reason: 'r', forced } as TimedNoteEvent['event']);

test('ci history: valid chains pass (same-millisecond steps in chain order); broken ones fail', () => {
  const t = '2026-01-01T00:00:00.000Z';
  const t2 = '2026-01-02T00:00:00.000Z';
  assert.equal(checkHistory('x', [created('x', t), tr('x', t2, 'PENDING', 'CONFIRMED'), tr('x', t2, 'CREATED', 'PENDING')]).problems, []);
  assert.is(checkHistory('x', [created('x', t), tr('x', t2, 'CREATED', 'CONFIRMED')]).problems.length, 1);
  assert.is(checkHistory('x', [created('x', t), tr('x', t2, 'CREATED', 'CONFIRMED', 'USER', true)]).problems.length, 0);
  assert.is(checkHistory('x', [created('x', t), tr('x', t2, 'CREATED', 'CONFIRMED', 'GIT_HOOK', true)]).problems.length, 1);
  assert.is(checkHistory('x', [created('x', t), tr('x', t2, 'PENDING', 'CONFIRMED')]).problems.length, 1);
  assert.is(checkHistory('x', [tr('x', t2, 'CREATED', 'PENDING')]).problems.length, 1);
  assert.is(checkHistory('x', [created('x', t2), tr('x', t, 'CREATED', 'PENDING')]).problems.length, 1);
});

test('ci max-age and durations', () => {
  const limits = parseMaxAges(['pending=14d', 'CREATED=36h']);
  assert.equal([...limits], [['PENDING', 14 * 86_400_000], ['CREATED', 36 * 3_600_000]]);
  const v = { id: 'x', state: 'PENDING' as const, since: '2026-01-01T00:00:00.000Z', problems: [] };
  assert.is(checkMaxAge(v, limits, new Date('2026-01-14T00:00:00Z')), null);
  assert.is(checkMaxAge(v, limits, new Date('2026-01-16T00:00:00Z'))!.check, 'max-age');
  assert.is(parseDuration('90m'), 90 * 60_000);
  assert.is(parseDuration('14 days'), null);
  assert.is(parseDuration('-1d'), null);
  assert.is(formatDuration(14 * 86_400_000), '2w');
  assert.is(formatDuration(36 * 3_600_000), '36h');
  assert.throws(() => parseMaxAges(['PENDING']));
});

test('drove lines: readable in git log, parsed back', () => {
  const line = formatNoteLine('2026-01-01T00:00:00.000Z', { event: 'drove', id: '20260101-000000-abcd', from: 'CREATED', to: 'PENDING', trigger: 'GIT_HOOK' });
  assert.is(line, '2026-01-01T00:00:00.000Z backup 20260101-000000-abcd: PENDING (from CREATED by GIT_HOOK)');
  const { events, skipped } = parseNoteLines(line + '\n');
  assert.equal(skipped, []);
  assert.equal(events[0]!.event, { event: 'drove', id: '20260101-000000-abcd', from: 'CREATED', to: 'PENDING', trigger: 'GIT_HOOK' });
});

test.run();
