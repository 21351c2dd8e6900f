// TIME_BASED (design.md §Triggers): per-state retention and keep rules, pure. One step per backup per evaluation:
// time in a state counts from the history entry that entered it, so each state gets its full
// retention (CLEANABLE is a visible grace period before anything is archived).
//   CREATED, PENDING, CONFIRMED → CLEANABLE after retention[state]
//   CLEANABLE → ARCHIVED after retention.CLEANABLE, only with confidence ≥ autoCleanupConfidence
//               (else it waits for the user, and the plan says so)
//   ARCHIVED → DELETED after retention.ARCHIVED, only when none of its content is unique (every
//               protected path held or superseded in the integration branch): else it stays
//               archived until the user deletes it, and the plan names the unique paths
// Kept backups (keep rules, pinned) are not moved at all. A backup on which a higher-priority trigger
// acted within the conflict window is left silently for the next evaluation.
import type { BackupConfig } from '../config.js';
import type { Confidence } from '../confidence.js';
import { conflictingAction } from '../lifecycle.js';
import type { BackupRecord, BackupState } from '../types.js';
import type { KeepReason } from './keep.js';
import { enteredAt, fmtDays, keptForContent, type Held, type PolicyMove, type UniqueContent } from './plan.js';

const NEXT: Partial<Record<BackupState, BackupState>> = {
  CREATED: 'CLEANABLE',
  PENDING: 'CLEANABLE',
  CONFIRMED: 'CLEANABLE',
  CLEANABLE: 'ARCHIVED',
  ARCHIVED: 'DELETED',
};

export interface Due {
  record: BackupRecord;
  to: BackupState;
  /** How long it has been in its state. */
  heldMs: number;
}

/** Backups whose retention is over, not kept, not deferred: the ones that need a confidence. */
export function dueForTime(
  records: readonly BackupRecord[],
  now: Date,
  config: Pick<BackupConfig, 'retention'>,
  kept: ReadonlyMap<string, KeepReason>,
): Due[] {
  const out: Due[] = [];
  for (const r of records) {
    const to = NEXT[r.state];
    if (!to || r.state === 'DELETED' || kept.has(r.id)) continue;
    const heldMs = now.getTime() - enteredAt(r);
    if (heldMs < config.retention[r.state as Exclude<BackupState, 'DELETED'>]) continue;
    if (conflictingAction(r, 'TIME_BASED', now)) continue;
    out.push({ record: r, to, heldMs });
  }
  return out;
}

export interface TimePlan {
  moves: PolicyMove[];
  waiting: Held[];
}

export function planTime(
  due: readonly Due[],
  config: Pick<BackupConfig, 'retention' | 'autoCleanupConfidence'>,
  confidence: (r: BackupRecord) => Confidence,
  unique: UniqueContent,
): TimePlan {
  const moves: PolicyMove[] = [];
  const waiting: Held[] = [];
  for (const { record: r, to, heldMs } of due) {
    const c = confidence(r).total;
    const limit = fmtDays(config.retention[r.state as Exclude<BackupState, 'DELETED'>]);
    const why = `${r.state} for ${fmtDays(heldMs)} (retention ${limit})`;
    if (to === 'ARCHIVED' && c < config.autoCleanupConfidence) {
      waiting.push({ id: r.id, state: r.state, why: `${why}, but confidence ${c} < ${config.autoCleanupConfidence}: waits for the user`, confidence: c });
      continue;
    }
    const lost = to === 'DELETED' ? keptForContent(unique(r)) : null;
    if (lost) {
      waiting.push({ id: r.id, state: r.state, why: `${why}, but ${lost}`, confidence: c });
      continue;
    }
    moves.push({ id: r.id, from: r.state, steps: [to], trigger: 'TIME_BASED', why, confidence: c, bytes: 0 });
  }
  return { moves, waiting };
}
