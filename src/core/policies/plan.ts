// What a policy evaluation decides: moves (with why and confidence), and what it leaves and why.
import type { BackupRecord, BackupState, Trigger } from '../types.js';
import { DAY_MS } from '../duration.js';
import { listed } from '../content.js';

export interface PolicyMove {
  id: string;
  from: BackupState;
  /** The states passed through, in order. */
  steps: BackupState[];
  trigger: Extract<Trigger, 'TIME_BASED' | 'DISK_SPACE' | 'USER'>;
  why: string;
  confidence: number;
  /** Predicted bytes this move frees from the object database (disk policy; 0 for the others). */
  bytes: number;
}

/** A backup the policy would move but does not, and why (waits for the user, deferred). */
export interface Held {
  id: string;
  state: BackupState;
  why: string;
  confidence: number | null;
}


/** When the backup entered its current state: the last history entry that led there. */
export function enteredAt(r: { state: BackupState; created_at: string; history: readonly { to: BackupState; at: string }[] }): number {
  for (let i = r.history.length - 1; i >= 0; i--) if (r.history[i]!.to === r.state) return Date.parse(r.history[i]!.at);
  return Date.parse(r.created_at);
}

export const fmtDays = (ms: number) => (ms % DAY_MS === 0 ? `${ms / DAY_MS}d` : `${(ms / DAY_MS).toFixed(1)}d`);

/**
 * A backup's unique paths (what deleting it would lose); null when nothing is proven about its
 * content, which counts as unique. Read at the edge from the integration branch (app/content.ts).
 */
export type UniqueContent = (r: BackupRecord) => readonly string[] | null;

/**
 * Whether verified copies on backup remotes stand in for unique content (design.md §Lifecycle,
 * docs/remote.md): `needed` (backup.copies) > 0 and at least that many distinct remotes hold a
 * verified copy. 0 = off: only containment in history proves anything.
 */
export function copiesProve(r: Pick<BackupRecord, 'copies'>, needed: number): boolean {
  return needed > 0 && new Set((r.copies ?? []).map((c) => c.remote)).size >= needed;
}

/** Why an automatic trigger may not delete it (design.md §Lifecycle proof before deletion), or null when it may. */
export function keptForContent(unique: readonly string[] | null): string | null {
  if (unique === null) return 'what it protects is not proven held anywhere else: kept until you delete it';
  if (unique.length === 0) return null;
  return `it holds unique content (${listed(unique)}): kept until you delete it`;
}
