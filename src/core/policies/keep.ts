// Keep rules (design.md §Triggers, backup.keep.*): which backups automatic cleanup must leave alone. Pure.
// Evaluated over the backups that still exist (not DELETED), by creation time (UTC):
//   last N   — the N newest;
//   daily N  — the newest of each of the N most recent days that have a backup;
//   weekly N — the newest of each of the N most recent ISO weeks that have a backup;
//   pinned   — always.
import type { BackupRecord } from '../types.js';
import { DAY_MS } from '../duration.js';

export interface KeepRules {
  last: number;
  daily: number;
  weekly: number;
}

export type KeepReason = 'pinned' | 'keep.last' | 'keep.daily' | 'keep.weekly';

type Input = Pick<BackupRecord, 'id' | 'state' | 'created_at' | 'pinned'>;

/** ISO-8601 week of a UTC instant, as "YYYY-Www" (the week's Thursday decides the year). */
export function isoWeek(iso: string): string {
  const d = new Date(iso);
  const day = (d.getUTCDay() + 6) % 7; // Monday = 0
  const thursday = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day + 3));
  // The ISO week number is the ordinal of the week's Thursday within its year, in weeks.
  const jan1 = Date.UTC(thursday.getUTCFullYear(), 0, 1);
  const week = 1 + Math.floor((thursday.getTime() - jan1) / (7 * DAY_MS));
  return `${thursday.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/** Newest first; ties by id descending (ids start with the time, then hex). */
const newestFirst = (a: Input, b: Input) => (a.created_at !== b.created_at ? (a.created_at < b.created_at ? 1 : -1) : a.id < b.id ? 1 : -1);

function newestPerBucket(sorted: Input[], bucket: (r: Input) => string, n: number): Input[] {
  const out: Input[] = [];
  const seen = new Set<string>();
  for (const r of sorted) {
    if (out.length >= n) break;
    const b = bucket(r);
    if (seen.has(b)) continue;
    seen.add(b);
    out.push(r);
  }
  return out;
}

/** id → the first reason it is kept (pinned, then last, daily, weekly). */
export function keptBackups(records: readonly Input[], rules: KeepRules): Map<string, KeepReason> {
  const live = records.filter((r) => r.state !== 'DELETED').sort(newestFirst);
  const kept = new Map<string, KeepReason>();
  const add = (rs: Input[], why: KeepReason) => rs.forEach((r) => kept.has(r.id) || kept.set(r.id, why));
  add(live.filter((r) => r.pinned), 'pinned');
  add(live.slice(0, Math.max(0, rules.last)), 'keep.last');
  add(newestPerBucket(live, (r) => r.created_at.slice(0, 10), Math.max(0, rules.daily)), 'keep.daily');
  add(newestPerBucket(live, (r) => isoWeek(r.created_at), Math.max(0, rules.weekly)), 'keep.weekly');
  return kept;
}
