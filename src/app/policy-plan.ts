// Plan one policy evaluation: read the facts (store without the lock, config, disk, git), then let
// the pure policies decide. `tick` applies the plan; `tick --dry-run` and `emergency` print it.
import type { Context } from './context.js';
import type { BackupConfig } from '../core/config.js';
import { confidenceOf, type Confidence } from '../core/confidence.js';
import { keptBackups, type KeepReason } from '../core/policies/keep.js';
import { dueForTime, planTime } from '../core/policies/time.js';
import { diskNeed, planDisk, type DiskLevel, type DiskNeed } from '../core/policies/disk.js';
import { copiesProve, type Held, type PolicyMove } from '../core/policies/plan.js';
import { othersIn } from './clone.js';
import type { BackupRecord, StoreData } from '../core/types.js';
import { readCleanupProofs, type CleanupProofs } from './content.js';
import type { ContentProof } from '../core/content.js';
import { uniqueUsage } from '../git/disk-usage.js';
import { exclusiveBytes, keepingTips, readFs, unprunedBytes } from './disk-facts.js';
import { holdsRef } from '../core/lifecycle.js';

export type PlanMode = 'tick' | 'emergency';

export interface DiskReport {
  level: DiskLevel;
  used_percent: number | null;
  total_bytes: number | null;
  /** Bytes of removed backups that git has not pruned yet (already subtracted from used_percent). */
  unpruned_bytes: number;
  exclusive_bytes: number | null;
  quota: number | null;
  strategy: string | null;
  need_bytes: number;
  predicted_freed: number;
}

export interface PolicyPlan {
  at: string;
  mode: PlanMode;
  time: PolicyMove[];
  disk: PolicyMove[];
  waiting: Held[];
  kept: { id: string; why: KeepReason }[];
  diskReport: DiskReport;
  /** The store as the plan saw it (for alerts: the disk level seen last time). */
  seen: StoreData;
  /** The content verdicts the plan rests on (kept in db.json by a real tick). */
  content: CleanupProofs;
}


export async function planPolicies(ctx: Context, config: BackupConfig, mode: PlanMode, consent = false): Promise<PolicyPlan> {
  const data = await ctx.store.read();
  // Another clone's backups (fetched or synced) are moved by that clone only (docs/remote.md).
  const foreign = await othersIn(ctx, data.backups);
  const records = data.backups.filter((r) => !foreign(r));
  const now = ctx.now;
  const kept = keptBackups(records, config.keep);
  const due = mode === 'tick' ? dueForTime(records, now, config, kept) : [];

  // Disk facts. The quota needs one rev-list; the filesystem reading none unless it is critical.
  const fs = await readFs(ctx.store.paths.dir);
  const live = records.filter(holdsRef);
  const needTips = config.disk.quota !== null || mode === 'emergency' || (fs !== null && fs.usedPercent >= config.disk.critical);
  const tips = needTips && live.length ? await keepingTips(ctx.repo) : [];
  const exclusive = config.disk.quota !== null ? await exclusiveBytes(ctx.repo, records, tips) : null;
  let unpruned = 0;
  let used = fs?.usedPercent ?? null;
  if (fs && used !== null && used >= config.disk.critical) {
    unpruned = await unprunedBytes(ctx.repo, records, tips);
    used = Math.max(0, used - (unpruned / fs.totalBytes) * 100);
  }
  const facts = { usedPercent: used, totalBytes: fs?.totalBytes ?? null, exclusiveBytes: exclusive };
  const need: DiskNeed =
    mode === 'emergency'
      ? { ...diskNeed(facts, config.disk), bytes: Infinity, strategy: 'nuclear', why: ['emergency requested by the user'] }
      : diskNeed(facts, config.disk);

  const freedBy = new Map<string, number>();
  if (need.bytes > 0 && need.strategy && live.length) {
    const bySnap = await uniqueUsage(ctx.repo, live.map((r) => r.snapshot), tips);
    for (const r of live) freedBy.set(r.id, bySnap.get(r.snapshot) ?? 0);
  }

  // Confidence and the deletion guard need the content proof: read only for the backups something
  // may happen to (archived ones included: their entries are kept in the record).
  const wanted = new Map<string, BackupRecord>();
  for (const d of due) wanted.set(d.record.id, d.record);
  if (need.bytes > 0) for (const r of records) if (r.state !== 'DELETED') wanted.set(r.id, r);
  const content = wanted.size ? await readCleanupProofs(ctx, [...wanted.values()]) : { proofs: new Map<string, ContentProof | null>(), protects: new Map(), authors: new Map() };
  const proofOf = (r: BackupRecord) => content.proofs.get(r.id) ?? null;
  // What deleting it would lose: its unique paths; null when nothing is proven (counts as unique).
  // With backup.copies N, N verified remote copies prove it as well as history does.
  const unique = (r: BackupRecord): string[] | null => (copiesProve(r, config.copies) ? [] : (proofOf(r)?.unique ?? null));
  const memo = new Map<string, Confidence>();
  const confidence = (r: BackupRecord): Confidence => {
    let c = memo.get(r.id);
    if (!c) memo.set(r.id, (c = confidenceOf(r, now, proofOf(r))));
    return c;
  };

  const time = planTime(due, config, confidence, unique);
  // Moves that take a ref away (to ARCHIVED or DELETED from a state that has one) free its bytes.
  const removes = (m: PolicyMove) => m.from !== 'ARCHIVED' && ['ARCHIVED', 'DELETED'].includes(m.steps[m.steps.length - 1]!);
  const alreadyFreed = time.moves.filter(removes).reduce((n, m) => n + (freedBy.get(m.id) ?? 0), 0);
  const disk = planDisk({
    records,
    need,
    alreadyFreed,
    freedBy,
    confidence,
    unique,
    kept,
    threshold: config.autoCleanupConfidence,
    // A backup the time policy archives or deletes is already freed; one it only marks CLEANABLE the
    // disk policy may take further (its move passes through CLEANABLE), and then replaces the time move.
    exclude: new Set(time.moves.filter(removes).map((m) => m.id)),
    now,
    userConsent: consent,
    trigger: mode === 'emergency' ? 'USER' : 'DISK_SPACE',
  });
  const takenByDisk = new Set(disk.moves.map((m) => m.id));
  return {
    at: now.toISOString(),
    mode,
    time: time.moves.filter((m) => !takenByDisk.has(m.id)),
    disk: disk.moves,
    waiting: [...time.waiting, ...disk.kept],
    content,
    // What the keep rules kept: nuclear passes them by, so a backup the plan moves is not listed.
    kept: [...kept].filter(([id]) => !takenByDisk.has(id)).map(([id, why]) => ({ id, why })),
    seen: data,
    diskReport: {
      level: need.level,
      used_percent: used,
      total_bytes: fs?.totalBytes ?? null,
      unpruned_bytes: unpruned,
      exclusive_bytes: exclusive,
      quota: config.disk.quota,
      strategy: need.strategy,
      need_bytes: Number.isFinite(need.bytes) ? need.bytes : -1,
      predicted_freed: alreadyFreed + disk.moves.reduce((n, m) => n + m.bytes, 0),
    },
  };
}
