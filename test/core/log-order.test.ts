// `git backup log` merged a cold segment at a time (core/log-order.ts): the same events, in time
// order, as sorting them all at once, printed as soon as no later segment can come before them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LogMerge, byTime, segmentFloors, type LogEvent } from '../../src/core/log-order.js';
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

test('merged segment by segment, a log is what one sort of every event gives; each part printable when taken', () => {
  // Backups made over five months; some deleted months later (their last event in a later
  // segment's time), some live (in the index: any age); two events at the same millisecond.
  const all: BackupRecord[] = [];
  let seed = 7;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
  for (let k = 0; k < 400; k++) {
    const made = Date.UTC(2026, rnd(5), 1 + rnd(28), rnd(24), rnd(60), rnd(60));
    const at = new Date(made).toISOString();
    const history = [entry(at, 'CREATED')];
    if (rnd(3) > 0) history.push(entry(new Date(made + rnd(120) * 86_400_000).toISOString(), 'DELETED'));
    if (k % 50 === 0) history.push(entry(history[history.length - 1]!.at, 'DELETED')); // the same instant: history order kept
    all.push(record(`${stamp(at)}${(4096 + k).toString(16)}`, ...history));
  }
  const hot = all.filter((r) => r.history.length === 1);
  const cold = all.filter((r) => r.history.length > 1);
  const expected: LogEvent[] = all.flatMap((r) => r.history.map((entry, seq) => ({ id: r.id, entry, seq }))).sort(byTime);

  const merge = new LogMerge();
  merge.add(hot);
  const printed: LogEvent[] = [];
  const segments = [...new Set(cold.map((r) => segmentOf(r.id)))];
  for (const { segment, floor } of segmentFloors(segments)) {
    const part = merge.takeBefore(floor);
    // Nothing printed now may come after anything a later segment holds.
    const later = cold.filter((r) => segmentOf(r.id) >= segment).flatMap((r) => r.history.map((e) => e.at));
    for (const e of part) assert.ok(later.every((at) => at >= e.entry.at), `${e.id} printed before a later segment's earlier event`);
    printed.push(...part);
    merge.add(cold.filter((r) => segmentOf(r.id) === segment));
  }
  printed.push(...merge.rest());
  assert.equal(printed, expected);
  assert.ok(segments.length >= 5);
});

test.run();
