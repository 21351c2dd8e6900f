// DISK_SPACE (design.md §Triggers), pure: from the disk facts, how many bytes must go, and which backups free
// them, in order, stopping as soon as the prediction is back under the threshold or quota.
//
// Levels of the store's filesystem (percent used): warning only alerts; critical runs the
// configured strategy; emergency runs at least `aggressive`. The quota (bytes the backups hold
// exclusively) runs the configured strategy when exceeded.
// Strategies (candidates never include pinned backups, DELETED ones, or backups freeing 0 bytes):
//   conservative — CONFIRMED/CLEANABLE with confidence ≥ autoCleanupConfidence, not kept → ARCHIVED
//   aggressive   — any CONFIRMED/CLEANABLE/ARCHIVED not kept → DELETED (never CREATED/PENDING)
//   nuclear      — keep rules ignored; CREATED/PENDING only with the user's consent (emergency --force)
// Order: high-confidence (≥ threshold) oldest first, then the rest by confidence, highest first
// (ties oldest first): what is surely safe goes first, and among that the stalest.
import type { BackupConfig, DiskStrategy } from '../config.js';
import type { Confidence } from '../confidence.js';
import { conflictingAction } from '../lifecycle.js';
import type { BackupRecord, BackupState } from '../types.js';
import type { KeepReason } from './keep.js';
import { keptForContent, type Held, type PolicyMove, type UniqueContent } from './plan.js';

export type DiskLevel = 'ok' | 'warning' | 'critical' | 'emergency';
const LEVELS: readonly DiskLevel[] = ['ok', 'warning', 'critical', 'emergency'];
export const levelRank = (l: DiskLevel) => LEVELS.indexOf(l);

export interface DiskFacts {
  /** Percent used of the store's filesystem, already net of bytes freed but not yet pruned; null: unknown. */
  usedPercent: number | null;
  totalBytes: number | null;
  /** Bytes all backups hold exclusively (no branch, tag or remote reaches them); null: not measured. */
  exclusiveBytes: number | null;
}

export function diskLevel(usedPercent: number | null, disk: BackupConfig['disk']): DiskLevel {
  if (usedPercent === null) return 'ok';
  if (usedPercent >= disk.emergency) return 'emergency';
  if (usedPercent >= disk.critical) return 'critical';
  if (usedPercent >= disk.warning) return 'warning';
  return 'ok';
}

export interface DiskNeed {
  level: DiskLevel;
  /** Bytes to free to get under the crossed threshold and under the quota (0: nothing to do). */
  bytes: number;
  strategy: DiskStrategy | null;
  why: string[];
}

const STRENGTH: readonly DiskStrategy[] = ['conservative', 'aggressive', 'nuclear'];
const stronger = (a: DiskStrategy, b: DiskStrategy) => (STRENGTH.indexOf(a) >= STRENGTH.indexOf(b) ? a : b);

export function diskNeed(facts: DiskFacts, disk: BackupConfig['disk'], strategyOverride: DiskStrategy | null = null): DiskNeed {
  const level = diskLevel(facts.usedPercent, disk);
  const why: string[] = [];
  let bytes = 0;
  let strategy: DiskStrategy | null = null;
  if ((level === 'critical' || level === 'emergency') && facts.totalBytes !== null && facts.usedPercent !== null) {
    // Back strictly under the critical threshold.
    const over = Math.floor(((facts.usedPercent - disk.critical) / 100) * facts.totalBytes) + 1;
    bytes = Math.max(bytes, over);
    strategy = level === 'emergency' ? stronger(disk.strategy, 'aggressive') : disk.strategy;
    why.push(`disk ${facts.usedPercent.toFixed(1)}% used ≥ ${level} ${level === 'emergency' ? disk.emergency : disk.critical}%`);
  }
  if (disk.quota !== null && facts.exclusiveBytes !== null && facts.exclusiveBytes > disk.quota) {
    bytes = Math.max(bytes, facts.exclusiveBytes - disk.quota);
    strategy = strategy ? stronger(strategy, disk.strategy) : disk.strategy;
    why.push(`backups hold ${facts.exclusiveBytes} bytes exclusively > quota ${disk.quota}`);
  }
  if (strategyOverride) strategy = strategyOverride;
  return { level, bytes, strategy: bytes > 0 || strategyOverride ? strategy : null, why };
}

export interface DiskPlanInput {
  records: readonly BackupRecord[];
  need: DiskNeed;
  /** Bytes the other policies' moves of this evaluation already free. */
  alreadyFreed: number;
  /** Predicted bytes freed by removing each backup's content (its objects nothing else reaches). */
  freedBy: ReadonlyMap<string, number>;
  confidence: (r: BackupRecord) => Confidence;
  /** Unique paths per backup: no deletion while any (unless the user consents in an emergency). */
  unique: UniqueContent;
  kept: ReadonlyMap<string, KeepReason>;
  threshold: number;
  /** Backups another policy moves in this evaluation: left for the next one. */
  exclude: ReadonlySet<string>;
  now: Date;
  /** nuclear from `emergency --force`: the user consents to CREATED/PENDING too. */
  userConsent: boolean;
  trigger: 'DISK_SPACE' | 'USER';
}

function candidateStates(s: DiskStrategy, consent: boolean): BackupState[] {
  if (s === 'conservative') return ['CONFIRMED', 'CLEANABLE'];
  if (s === 'aggressive') return ['CONFIRMED', 'CLEANABLE', 'ARCHIVED'];
  return consent ? ['CREATED', 'PENDING', 'CONFIRMED', 'CLEANABLE', 'ARCHIVED'] : ['CONFIRMED', 'CLEANABLE', 'ARCHIVED'];
}

function stepsTo(from: BackupState, target: 'ARCHIVED' | 'DELETED'): BackupState[] {
  if (from === 'CONFIRMED') return ['CLEANABLE', target];
  return [target];
}

export interface DiskPlan {
  moves: PolicyMove[];
  /** Candidates it would have deleted but keeps for their unique content. */
  kept: Held[];
}

export function planDisk(p: DiskPlanInput): DiskPlan {
  const { need } = p;
  let remaining = need.bytes - p.alreadyFreed;
  if (!need.strategy || remaining <= 0) return { moves: [], kept: [] };
  const strategy = need.strategy;
  const states = new Set(candidateStates(strategy, p.userConsent));
  const target = strategy === 'conservative' ? 'ARCHIVED' : 'DELETED';
  const scored = p.records
    .filter((r) => states.has(r.state) && !r.pinned && !p.exclude.has(r.id))
    .filter((r) => strategy === 'nuclear' || !p.kept.has(r.id))
    // Removing a backup whose objects something else reaches frees nothing: leave it (unless the
    // user asked for everything: an emergency has an infinite need).
    .filter((r) => need.bytes === Infinity || (p.freedBy.get(r.id) ?? 0) > 0)
    .filter((r) => p.trigger === 'USER' || !conflictingAction(r, 'DISK_SPACE', p.now))
    .map((r) => ({ r, c: p.confidence(r).total }))
    .filter(({ c }) => strategy !== 'conservative' || c >= p.threshold);
  scored.sort((a, b) => {
    const ta = a.c >= p.threshold ? 0 : 1;
    const tb = b.c >= p.threshold ? 0 : 1;
    if (ta !== tb) return ta - tb;
    if (ta === 1 && a.c !== b.c) return b.c - a.c;
    return a.r.created_at < b.r.created_at ? -1 : a.r.created_at > b.r.created_at ? 1 : a.r.id < b.r.id ? -1 : 1;
  });
  const moves: PolicyMove[] = [];
  const kept: Held[] = [];
  const consented = p.trigger === 'USER' && p.userConsent;
  for (const { r, c } of scored) {
    if (remaining <= 0) break;
    // Unique content is never deleted without the user's consent: archived instead (compressed,
    // verified, restorable), or left alone when it already is.
    const lost = target === 'DELETED' && !consented ? keptForContent(p.unique(r)) : null;
    const to = lost ? 'ARCHIVED' : target;
    if (lost && (r.state === 'ARCHIVED' || r.state === 'CREATED' || r.state === 'PENDING')) {
      kept.push({ id: r.id, state: r.state, why: `${strategy}: ${lost}`, confidence: c });
      continue;
    }
    const bytes = p.freedBy.get(r.id) ?? 0;
    remaining -= bytes;
    moves.push({
      id: r.id,
      from: r.state,
      steps: stepsTo(r.state, to),
      trigger: p.trigger,
      why: `${strategy}: ${need.why.join('; ') || 'emergency'}; frees ~${bytes} bytes${lost ? `; archived, not deleted: ${lost}` : ''}`,
      confidence: c,
      bytes,
    });
  }
  return { moves, kept };
}
