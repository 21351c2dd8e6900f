// `git backup log` and `list --state DELETED` merged a cold segment at a time (core/segment-order.ts):
// the same order as sorting everything at once, each part printed as soon as no later segment can
// come before it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HeldInOrder, byTime, eventsOf, inTimeOrder, segmentCeilings, segmentFloors, type LogEvent } from '../../src/core/segment-order.js';
import { ageKey, byKeyDescending } from '../../src/core/query.js';
import { segmentOf } from '../../src/core/cold.js';
import type { BackupRecord, HistoryEntry } from '../../src/core/types.js';

const entry = (at: string, to: HistoryEntry['to']): HistoryEntry => ({ at, from: null, to, trigger: 'USER', reason: '', forced: false });
const record = (id: string, ...history: HistoryEntry[]) => ({ id, history }) as unknown as BackupRecord;
const stamp = (iso: string) => `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}-`;

test('segments are read oldest first, ids that name no date before them; each with the day before its month as floor', () => {
  assert.equal(segmentFloors(['2026-03', 'other', '2025-12', '2026-01']), [
    { segment: 'other', floor: '' },
    { segment: '2025-12', floor: '2025-11-30T00:00:00.000Z' },
    { segment: '2026-01', floor: '2025-12-31T00:00:00.000Z' },
    { segment: '2026-03', floor: '2026-02-28T00:00:00.000Z' },
  ]);
});

/**
 * Backups made over five months; some deleted months later (their last event in a later segment's
 * time), some live (in the index: any age); events at the same millisecond; two made in the same second.
 */
function aYear(): { hot: BackupRecord[]; cold: BackupRecord[] } {
  const all: BackupRecord[] = [];
  let seed = 7;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
  for (let k = 0; k < 400; k++) {
    const made = Date.UTC(2026, rnd(5), 1 + rnd(28), rnd(24), rnd(60), rnd(60));
    const at = new Date(made).toISOString();
    const history = [entry(at, 'CREATED')];
    if (rnd(3) > 0) history.push(entry(new Date(made + rnd(120) * 86_400_000).toISOString(), 'DELETED'));
    if (k % 50 === 0) history.push(entry(history[history.length - 1]!.at, 'DELETED')); // the same instant: history order kept
    all.push({ ...record(`${stamp(at)}${(4096 + k).toString(16)}`, ...history), created_at: at } as BackupRecord);
    if (k === 7) all.push({ ...record(`${stamp(at)}${(8192 + k).toString(16)}`, entry(at, 'CREATED'), entry(at, 'DELETED')), created_at: at } as BackupRecord);
  }
  return { hot: all.filter((r) => r.history.length === 1), cold: all.filter((r) => r.history.length > 1) };
}

test('merged segment by segment, a log is what one sort of every event gives; each part printable when taken', () => {
  const { hot, cold } = aYear();
  const all = [...hot, ...cold];
  const expected: LogEvent[] = all.flatMap((r) => r.history.map((entry, seq) => ({ id: r.id, entry, seq }))).sort(byTime);

  const merge = new HeldInOrder(inTimeOrder);
  merge.add(eventsOf(hot));
  const printed: LogEvent[] = [];
  const segments = [...new Set(cold.map((r) => segmentOf(r.id)))];
  for (const { segment, floor } of segmentFloors(segments)) {
    const part = merge.take((e) => e.entry.at < floor);
    // Nothing printed now may come after anything a later segment holds.
    const later = cold.filter((r) => segmentOf(r.id) >= segment).flatMap((r) => r.history.map((e) => e.at));
    for (const e of part) assert.ok(later.every((at) => at >= e.entry.at), `${e.id} printed before a later segment's earlier event`);
    printed.push(...part);
    merge.add(eventsOf(cold.filter((r) => segmentOf(r.id) === segment)));
  }
  printed.push(...merge.rest());
  assert.equal(printed, expected);
  assert.ok(segments.length >= 5);
});

test('merged segment by segment newest first, a list is what one sort of every backup gives', () => {
  const { hot, cold } = aYear();
  const newestFirst = (rs: BackupRecord[]) => byKeyDescending(rs, (r) => ageKey(r.created_at));
  const expected = newestFirst([...hot, ...cold]);
  const merge = new HeldInOrder(newestFirst);
  merge.add(hot);
  const printed: BackupRecord[] = [];
  const segments = [...new Set(cold.map((r) => segmentOf(r.id)))];
  const order = segmentCeilings(segments);
  assert.equal(order.map((o) => o.segment), [...segments].sort().reverse(), 'newest segment first');
  for (const { segment, ceiling } of order) {
    const part = merge.take((r) => ageKey(r.created_at) >= ceiling);
    const later = cold.filter((r) => segmentOf(r.id) <= segment).map((r) => ageKey(r.created_at));
    for (const r of part) assert.ok(later.every((t) => t < ageKey(r.created_at)), `${r.id} printed before a newer backup of a segment not read yet`);
    printed.push(...part);
    merge.add(cold.filter((r) => segmentOf(r.id) === segment));
  }
  printed.push(...merge.rest());
  assert.equal(printed.map((r) => r.id), expected.map((r) => r.id));
  assert.equal(segmentCeilings(['other', '2026-12']), [{ segment: 'other', ceiling: Infinity }, { segment: '2026-12', ceiling: Date.UTC(2027, 0, 2) }]);
});

test.run();
