// Reconcile decisions, CI checks and durations as pure functions: plain data in, decisions out.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CommitGraph, type CommitInfo } from '../../src/core/graph.js';
import { planByAncestry, planByPatch, type ReconcileBackup } from '../../src/core/reconcile.js';
import { checkHistory, checkMaxAge, parseMaxAges } from '../../src/core/ci.js';
import { formatDuration, parseDuration } from '../../src/core/duration.js';
import { formatNoteLine, parseNoteLines, type RecordFacts, type TimedNoteEvent } from '../../src/core/notes-format.js';
import { newRecord, toPublicJson } from '../../src/core/record.js';
import { remapBaseSuccessors, rewriteMap } from '../../src/core/rewrite.js';
import type { BackupRecord, BackupState } from '../../src/core/types.js';

const T0 = Date.parse('2026-01-01T00:00:00Z') / 1000;
/** Step facts without the content proof (tested on its own below). */
const bare = ({ content: _proof, ...rest }: RecordFacts) => rest;
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
  id: 'b1', state: 'CREATED', branch: 'feature', base: 'base', created_at: new Date((T0 + 50) * 1000).toISOString(), pending_commit: null, protects: [], ...over,
});

test('CREATED -> PENDING at the branch tip; PENDING -> CONFIRMED by the merge that brought it in', () => {
  const facts = { graph: graph(), branches: new Map([['feature', 'c2']]), integration: { name: 'main', tip: 'M' } };
  const { plans, patchQueries } = planByAncestry([backup()], facts);
  assert.is(patchQueries.length, 0);
  assert.equal(plans[0]!.steps.map((s) => [s.to, bare(s.facts)]), [['PENDING', { pending_commit: 'c2' }], ['CONFIRMED', { confirmed_by: 'M' }]]);
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

test('ci: a move merged in after DELETED (two clones, sync) is reported and the backup stays DELETED, as the replay has it', () => {
  const t = '2026-01-01T00:00:00.000Z';
  // This clone deleted it; another confirmed it a moment later; sync merged both notes.
  const v = checkHistory('x', [
    created('x', t),
    tr('x', '2026-01-01T00:00:01.000Z', 'CREATED', 'DELETED', 'USER', true),
    tr('x', '2026-01-01T00:00:02.000Z', 'CREATED', 'PENDING', 'USER'),
    tr('x', '2026-01-01T00:00:02.000Z', 'PENDING', 'CONFIRMED', 'USER'),
  ]);
  assert.is(v.state, 'DELETED');
  assert.is(v.since, '2026-01-01T00:00:01.000Z');
  assert.ok(v.problems.length >= 1, JSON.stringify(v.problems));
});

test('ci max-age and durations', () => {
  const limits = parseMaxAges(['pending=14d', 'CREATED=36h']);
  assert.equal([...limits], [['PENDING', 14 * 86_400_000], ['CREATED', 36 * 3_600_000]]);
  const v = { id: 'x', state: 'PENDING' as const, since: '2026-01-01T00:00:00.000Z', pending_commit: null, problems: [] };
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

// A backup whose base was rewritten (post-rewrite pairs), then reconcile. P <- X is the branch when
// the backup is taken on X at T0+50; an amend made X' (parent P, T0+100), a second amend X2
// (T0+120); a rebase replayed X as R (parent m1, T0+110), and W is work committed on R (T0+130).
function rewriteGraph(): CommitGraph {
  const c: [string, CommitInfo][] = [
    ['P', { parents: [], time: T0 - 100 }],
    ['X', { parents: ['P'], time: T0 }],
    ["X'", { parents: ['P'], time: T0 + 100 }],
    ['X2', { parents: ['P'], time: T0 + 120 }],
    ['m1', { parents: ['P'], time: T0 + 10 }],
    ['R', { parents: ['m1'], time: T0 + 110 }],
    ['W', { parents: ['R'], time: T0 + 130 }],
    ['Q', { parents: ['P'], time: T0 + 5 }],
    ["Q'", { parents: ['P'], time: T0 + 105 }],
  ];
  return new CommitGraph(new Map(c));
}
const AT = '2026-01-02T00:00:00.000Z';
function record(over: { id?: string; state?: BackupState; createdSec?: number; pending?: string | null } = {}): BackupRecord {
  const r = newRecord({
    id: over.id ?? 'b1', created_at: new Date((over.createdSec ?? T0 + 50) * 1000), message: '', branch: 'feature', base: 'X', snapshot: 's',
    paths: [], files: 1, bytes: 1, include_ignored: false, worktree: '/w', protects: [],
  });
  r.state = over.state ?? 'CREATED';
  r.pending_commit = over.pending ?? null;
  return r;
}
const planOn = (backups: BackupRecord[], tip: string, integration: { name: string; tip: string } | null = null) =>
  planByAncestry(backups, { graph: rewriteGraph(), branches: new Map([['feature', tip]]), integration }).plans;

test('base amended: CREATED -> PENDING at the amended commit, base kept, then CONFIRMED once merged', () => {
  const b = record();
  assert.is(planOn([b], "X'").length, 0, 'without the rewrite known, the amend does not descend from the base');
  assert.equal(remapBaseSuccessors([b], rewriteMap([['X', "X'"]]), true, AT), [{ id: 'b1', from: 'X', to: "X'" }]);
  assert.equal(b.base_successor, { commit: "X'", amended: true });
  assert.is(b.base, 'X', 'base is the snapshot\'s parent: never rewritten');
  assert.is(b.updated_at, AT);
  const plans = planOn([b], "X'");
  assert.equal(plans[0]!.steps.map((s) => [s.to, bare(s.facts)]), [['PENDING', { pending_commit: "X'" }]]);
  assert.match(plans[0]!.steps[0]!.reason, /rewritten as X'/);
  const merged = planOn([b], "X'", { name: 'main', tip: "X'" });
  assert.equal(merged[0]!.steps.map((s) => s.to), ['PENDING', 'CONFIRMED']);
});

test('a chain of rewrites (X -> X\' -> X2), in one event or across two, ends at the last commit', () => {
  const one = record();
  remapBaseSuccessors([one], rewriteMap([['X', "X'"], ["X'", 'X2']]), true, AT);
  assert.equal(one.base_successor, { commit: 'X2', amended: true });
  const two = record();
  remapBaseSuccessors([two], rewriteMap([['X', "X'"]]), true, AT);
  assert.equal(remapBaseSuccessors([two], rewriteMap([["X'", 'X2']]), false, AT), [{ id: 'b1', from: "X'", to: 'X2' }]);
  assert.equal(two.base_successor, { commit: 'X2', amended: true }, 'an amend anywhere in the chain counts');
  assert.equal(planOn([two], 'X2')[0]!.steps.map((s) => [s.to, bare(s.facts)]), [['PENDING', { pending_commit: 'X2' }]]);
});

test('a backup created after the amend is not moved by it', () => {
  const late = record({ createdSec: T0 + 101 });
  remapBaseSuccessors([late], rewriteMap([['X', "X'"]]), true, AT);
  assert.is(planOn([late], "X'").length, 0, "X' was committed before the backup: it cannot hold its work");
});

test('base rebased: the replayed base is not the work; a commit on it after the backup is', () => {
  const b = record();
  remapBaseSuccessors([b], rewriteMap([['X', 'R']]), false, AT);
  assert.equal(b.base_successor, { commit: 'R', amended: false });
  assert.is(planOn([b], 'R').length, 0);
  assert.equal(planOn([b], 'W')[0]!.steps.map((s) => [s.to, bare(s.facts)]), [['PENDING', { pending_commit: 'W' }]]);
  const late = record({ createdSec: T0 + 131 });
  remapBaseSuccessors([late], rewriteMap([['X', 'R']]), false, AT);
  assert.is(planOn([late], 'W').length, 0, 'W is older than this backup');
});

test('a rewrite of an unrelated commit changes nothing; DELETED and CONFIRMED backups are untouched', () => {
  const b = record();
  assert.equal(remapBaseSuccessors([b], rewriteMap([['Q', "Q'"]]), true, AT), []);
  assert.is(b.base_successor, undefined);
  assert.is(b.updated_at, b.created_at);
  assert.is(planOn([b], "Q'").length, 0);
  const gone = record({ id: 'd', state: 'DELETED' });
  const done = record({ id: 'c', state: 'CONFIRMED', pending: 'Z' });
  assert.equal(remapBaseSuccessors([gone, done], rewriteMap([['X', "X'"]]), true, AT), []);
  assert.is(gone.base_successor, undefined);
  assert.is(done.base_successor, undefined);
  assert.equal(remapBaseSuccessors([b], rewriteMap([]), true, AT), []);
});

test('PENDING backups learn the successor too, and keep following their branch after the base is rebased', () => {
  const b = record({ state: 'PENDING', pending: 'R' });
  remapBaseSuccessors([b], rewriteMap([['X', 'R']]), false, AT);
  assert.equal(planOn([b], 'W')[0]!.facts, { pending_commit: 'W' });
});

test('records without base_successor (older db.json) plan as before and print it as null', () => {
  const b = record();
  assert.not.ok('base_successor' in b);
  assert.is(toPublicJson(b).base_successor, null);
  b.base_successor = { commit: "X'", amended: true };
  const j = toPublicJson(b);
  assert.equal(j.base_successor, { commit: "X'", amended: true });
  j.base_successor!.commit = 'changed';
  assert.is(b.base_successor.commit, "X'", 'a copy');
});

test.run();
