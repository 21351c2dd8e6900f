// What `git backup list` and `status` show: filtering, sorting, limiting and counting records.

import { usageError } from './errors.js';
import { parseDuration } from './duration.js';
import type { AppendView, BackupRecord, BackupState, StoreData } from './types.js';
import { BACKUP_STATES } from './types.js';

export const SORT_KEYS = ['age', 'size', 'confidence'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export interface ListQuery {
  /**
   * States to show. Empty means every state except DELETED: a deleted backup is a tombstone, not
   * something the user can act on, so by default it would only be noise. `--state DELETED` shows them.
   */
  states: BackupState[];
  sort: SortKey;
  /** At most this many, after sorting; null for all. */
  limit: number | null;
  /** Finding things (`list --label --branch --grep --since`); missing matches everything. */
  match?: RecordMatch;
}

/** Every given condition must hold. */
export interface RecordMatch {
  /** Labels the backup must all carry. */
  labels: string[];
  /** Branch it was taken on. */
  branch: string | null;
  /** Text its message contains (case-insensitive). */
  grep: string | null;
  /** Taken at or after this instant (ISO). */
  since: string | null;
}

function matches(r: BackupRecord, m: RecordMatch): boolean {
  if (!m.labels.every((l) => r.labels.includes(l))) return false;
  if (m.branch !== null && r.branch !== m.branch) return false;
  if (m.grep !== null && !r.message.toLowerCase().includes(m.grep.toLowerCase())) return false;
  if (m.since !== null && Date.parse(r.created_at) < Date.parse(m.since)) return false;
  return true;
}

/** `--since` as a duration back from now (`2d`, `36h`) or a date/instant (`2026-11-20`); the instant, ISO. */
export function parseSince(text: string, now: Date): string {
  const ms = parseDuration(text);
  if (ms !== null) return new Date(now.getTime() - ms).toISOString();
  const t = Date.parse(text.trim());
  if (!/^\d{4}-\d{2}-\d{2}/.test(text.trim()) || Number.isNaN(t)) throw usageError(`--since wants a duration (36h, 14d) or a date (2026-11-20), not ${JSON.stringify(text)}`);
  return new Date(t).toISOString();
}

export const DEFAULT_QUERY: ListQuery = { states: [], sort: 'age', limit: null };

/** Case-insensitive state name; unknown → USAGE (2) naming the valid ones. */
export function parseState(s: string): BackupState {
  const up = s.trim().toUpperCase();
  const found = BACKUP_STATES.find((st) => st === up);
  if (!found) throw usageError(`unknown state ${JSON.stringify(s)}; states are ${BACKUP_STATES.join(', ')}`);
  return found;
}

export function parseSort(s: string): SortKey {
  const low = s.trim().toLowerCase();
  const found = SORT_KEYS.find((k) => k === low);
  if (!found) throw usageError(`unknown sort ${JSON.stringify(s)}; use one of ${SORT_KEYS.join(', ')}`);
  return found;
}

/** A non-negative integer, written in plain decimal. */
export function parseLimit(s: string): number {
  if (!/^\d{1,9}$/.test(s.trim())) throw usageError(`--limit wants a whole number of 0 or more, not ${JSON.stringify(s)}`);
  return Number(s.trim());
}

/**
 * Sorted by `key` descending, ties by id ascending (queryBackups' order), each key computed once:
 * with 10,000 backups Date.parse in the comparator would run ~280,000 times.
 */
export function byKeyDescending<T extends { id: string }>(rows: readonly T[], key: (row: T) => number): T[] {
  const keys = rows.map(key);
  const compare = (a: number, b: number) => {
    const d = keys[b]! - keys[a]!;
    if (d > 0) return 1;
    if (d < 0) return -1;
    const x = rows[a]!.id;
    const y = rows[b]!.id;
    return x < y ? -1 : x > y ? 1 : 0;
  };
  // Records are kept in the order they were made: oldest first is the usual input, so it is
  // looked for before sorting (a sort of 100,000 was a tenth of `list --json` over them).
  const n = rows.length;
  let ascending = true;
  for (let i = 1; i < n && ascending; i++) ascending = compare(i, i - 1) < 0;
  if (ascending) return [...rows].reverse();
  const order = rows.map((_, i) => i);
  order.sort(compare);
  return order.map((i) => rows[i]!);
}

/** The sort key of `--sort age`: the creation time (a date that does not parse sorts last). */
export function ageKey(createdAt: string): number {
  const t = Date.parse(createdAt);
  return Number.isNaN(t) ? -Infinity : t;
}

/**
 * Filter, sort and limit. Does not modify `records`. Sorts are descending (newest, largest, most
 * confident first: the ones a user deciding what to clean looks at first); ties break by id
 * ascending so output is stable from run to run.
 */
export function queryBackups(records: readonly BackupRecord[], q: ListQuery): BackupRecord[] {
  if (q.limit !== null && (!Number.isInteger(q.limit) || q.limit < 0)) {
    throw usageError(`--limit wants a whole number of 0 or more, not ${q.limit}`);
  }
  const wanted = new Set<BackupState>(q.states);
  const keep = wanted.size === 0 ? (r: BackupRecord) => r.state !== 'DELETED' : (r: BackupRecord) => wanted.has(r.state);
  const m = q.match;
  const picked = records.filter((r) => keep(r) && (!m || matches(r, m)));

  const sorted = byKeyDescending(picked, (r) => {
    switch (q.sort) {
      case 'age':
        return ageKey(r.created_at);
      case 'size':
        return r.bytes;
      case 'confidence':
        // Unknown confidence sorts after every known one, 0 included.
        return r.confidence ?? -Infinity;
    }
  });
  return q.limit === null ? sorted : sorted.slice(0, q.limit);
}

export interface Summary {
  /** Every state, zeros included, so consumers need not guess which keys exist. */
  counts: Record<BackupState, number>;
  /** All records, DELETED (tombstones) included. */
  total: number;
  /** Records that are not DELETED. */
  live: number;
  /** Bytes protected by the backups that are not DELETED. */
  bytes: number;
  /** Pinned backups that are not DELETED. */
  pinned: number;
}

export function summarize(records: readonly BackupRecord[]): Summary {
  const counts = Object.fromEntries(BACKUP_STATES.map((s) => [s, 0])) as Record<BackupState, number>;
  let bytes = 0;
  let live = 0;
  let pinned = 0;
  for (const r of records) {
    counts[r.state]++;
    if (r.state === 'DELETED') continue;
    live++;
    bytes += r.bytes;
    if (r.pinned) pinned++;
  }
  return { counts, total: records.length, live, bytes, pinned };
}

/** The AppendView of a whole, parsed index. */
export function appendViewOf(data: StoreData): AppendView {
  return {
    ids: data.backups.map((b) => b.id),
    cold: data.cold,
    newestFirst: () => [...data.backups].sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)),
    add: (record) => void data.backups.push(record),
  };
}

/** `summary` less what `minus` counts, plus what `plus` counts (records changed or added without reading the others). */
export function adjustSummary(summary: Summary, minus: Summary, plus: Summary): Summary {
  const counts = { ...summary.counts };
  for (const s of BACKUP_STATES) counts[s] += plus.counts[s] - minus.counts[s];
  const by = (k: 'total' | 'live' | 'bytes' | 'pinned') => summary[k] + plus[k] - minus[k];
  return { counts, total: by('total'), live: by('live'), bytes: by('bytes'), pinned: by('pinned') };
}
