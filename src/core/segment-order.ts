// The order of `git backup log` (every backup's history, oldest event first) and of `list --state
// DELETED` (newest backup first). A year of agent checkpoints is a million backups, most of them
// tombstones in the cold store: they are merged one segment (one month of ids) at a time instead
// of all held and sorted at once (2.3 GB and 40 s before the first line of `log` at 1,000,000
// records). A backup's id names the second it was made, so a segment's backups were made in its
// month and have no event before it begins: what is held from the segments read so far and
// falls on the near side of that month can be printed before the next segment is read.
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

/** Items added a batch at a time and taken out in order as soon as no later batch can come before them. */
export class HeldInOrder<T> {
  private held: T[] = [];
  constructor(private readonly sorted: (items: T[]) => T[]) {}

  add(items: Iterable<T>): void {
    for (const item of items) this.held.push(item);
  }

  /** The items held that `due` says may go now, in order; the others stay. */
  take(due: (item: T) => boolean): T[] {
    const out: T[] = [];
    const kept: T[] = [];
    for (const item of this.held) (due(item) ? out : kept).push(item);
    this.held = kept;
    return this.sorted(out);
  }

  /** Everything still held, in order. */
  rest(): T[] {
    const out = this.sorted(this.held);
    this.held = [];
    return out;
  }
}

/** Events of a batch of backups, for HeldInOrder (sorted by time: `new HeldInOrder(inTimeOrder)`). */
export function eventsOf(records: readonly BackupRecord[]): LogEvent[] {
  const out: LogEvent[] = [];
  for (const r of records) r.history.forEach((entry, seq) => out.push({ id: r.id, entry, seq }));
  return out;
}

export const inTimeOrder = (events: LogEvent[]): LogEvent[] => events.sort(byTime);

/** The first instant of a `YYYY-MM` segment's month, ms (null: `other`, ids that name no date). */
function monthStart(segment: string): number | null {
  const m = /^(\d{4})-(\d{2})$/.exec(segment);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, 1) : null;
}

/** A day: clones whose clocks differ (an item further off than that prints out of order, never goes missing). */
const SLACK_MS = 86_400_000;

/**
 * For `log`: the order to read the cold segments in, oldest first (`other` before them all: it may
 * hold any time), each with the instant before which no event of its backups or of a later
 * segment's can be dated: its month's first day, less a day.
 */
export function segmentFloors(segments: readonly string[]): { segment: string; floor: string }[] {
  const floor = (s: string) => {
    const start = monthStart(s);
    return start === null ? '' : new Date(start - SLACK_MS).toISOString();
  };
  return [...segments].map((segment) => ({ segment, floor: floor(segment) })).sort((a, b) => (a.floor < b.floor ? -1 : a.floor > b.floor ? 1 : 0));
}

/**
 * For `list`, newest first: the order to read the cold segments in, newest first (`other` before
 * them all), each with the creation time (ms) at or after which no backup of it or of an older
 * segment was made: the first day of the month after, plus a day.
 */
export function segmentCeilings(segments: readonly string[]): { segment: string; ceiling: number }[] {
  const ceiling = (s: string) => {
    const start = monthStart(s);
    if (start === null) return Infinity;
    const d = new Date(start);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) + SLACK_MS;
  };
  return [...segments].map((segment) => ({ segment, ceiling: ceiling(segment) })).sort((a, b) => b.ceiling - a.ceiling);
}
