// The order of `git backup log`: every backup's history, oldest event first. A year of agent
// checkpoints is a million backups, most of them tombstones in the cold store: their events are
// merged one segment (one month of ids) at a time instead of all held and sorted at once (2.3 GB
// and 40 s before the first line at 1,000,000 records). A backup's id names the second it was
// made, so a segment's backups have no event before its month begins; what is held from earlier
// batches and dated before that can be printed.
import type { BackupRecord, HistoryEntry } from './types.js';

export interface LogEvent {
  id: string;
  entry: HistoryEntry;
  /** Its place in the backup's history (a backup's moves in one millisecond keep their order). */
  seq: number;
}

/** Time order; the same time: by backup id, then by history. */
export function byTime(a: LogEvent, b: LogEvent): number {
  if (a.entry.at !== b.entry.at) return a.entry.at < b.entry.at ? -1 : 1;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return a.seq - b.seq;
}

/**
 * Events added a batch of backups at a time, taken in time order as soon as no later batch can
 * come before them.
 */
export class LogMerge {
  private held: LogEvent[] = [];

  add(records: readonly BackupRecord[]): void {
    for (const r of records) r.history.forEach((entry, seq) => this.held.push({ id: r.id, entry, seq }));
  }

  /** The events held that are dated before `floor`, in order; the others stay. */
  takeBefore(floor: string): LogEvent[] {
    const out: LogEvent[] = [];
    const kept: LogEvent[] = [];
    for (const e of this.held) (e.entry.at < floor ? out : kept).push(e);
    this.held = kept;
    return out.sort(byTime);
  }

  /** Everything still held, in order. */
  rest(): LogEvent[] {
    const out = this.held.sort(byTime);
    this.held = [];
    return out;
  }
}

/**
 * The order to read the cold segments in (`YYYY-MM` names, and `other` for ids that do not start
 * with a date, which may hold any time and so come first), each with the time before which no
 * event of its backups or of any later segment's can be dated: its month's first day, less a day
 * for clones whose clocks differ (an event dated earlier still than that prints out of order,
 * never goes missing).
 */
export function segmentFloors(segments: readonly string[]): { segment: string; floor: string }[] {
  const floor = (s: string): string => {
    const m = /^(\d{4})-(\d{2})$/.exec(s);
    if (!m) return '';
    const start = Date.UTC(Number(m[1]), Number(m[2]) - 1, 1) - 86_400_000;
    return new Date(start).toISOString();
  };
  return [...segments].sort((a, b) => (floor(a) < floor(b) ? -1 : floor(a) > floor(b) ? 1 : 0)).map((segment) => ({ segment, floor: floor(segment) }));
}
