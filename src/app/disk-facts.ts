// The disk facts the DISK_SPACE policy decides on, read at the edge: the filesystem holding the
// store (fs.statfs), and the bytes backups hold exclusively (git/disk-usage.ts).
//
// Test-only (documented as such): GIT_BACKUP_TEST_DISK_USED_PERCENT replaces the used percent read
// from statfs, and GIT_BACKUP_TEST_DISK_TOTAL_BYTES the filesystem size, so the thresholds can be
// tested without filling a disk. Quotas are always measured for real.
import { statfs } from 'node:fs/promises';
import type { BackupRecord } from '../core/types.js';
import type { RepoPaths } from '../git/exec.js';
import { diskUsage, keepingTips } from '../git/disk-usage.js';
import { existingObjects } from '../git/objects.js';
import { holdsRef } from '../core/lifecycle.js';

export interface FsReading {
  usedPercent: number;
  totalBytes: number;
  injected: boolean;
}

export async function readFs(dir: string, env: NodeJS.ProcessEnv = process.env): Promise<FsReading | null> {
  let used: number | null = null;
  let total: number | null = null;
  try {
    const s = await statfs(dir);
    const size = s.blocks * s.bsize;
    const usedBytes = (s.blocks - s.bfree) * s.bsize;
    // As df computes it: used / (used + available to unprivileged users).
    const avail = s.bavail * s.bsize;
    used = usedBytes + avail > 0 ? (usedBytes / (usedBytes + avail)) * 100 : 0;
    total = size;
  } catch {
    // statfs unsupported here: no filesystem reading, the quota still works.
  }
  const inj = env.GIT_BACKUP_TEST_DISK_USED_PERCENT;
  const injTotal = env.GIT_BACKUP_TEST_DISK_TOTAL_BYTES;
  const injected = inj !== undefined && inj !== '' && Number.isFinite(Number(inj));
  if (injected) used = Number(inj);
  if (injTotal && Number.isFinite(Number(injTotal))) total = Number(injTotal);
  return used === null || total === null ? null : { usedPercent: used, totalBytes: total, injected };
}


/** Total exclusive bytes of the backups that still have a ref. */
export async function exclusiveBytes(repo: RepoPaths, records: readonly BackupRecord[], tips: string[]): Promise<number> {
  return diskUsage(repo, records.filter(holdsRef).map((r) => r.snapshot), tips);
}

/**
 * Bytes of archived or deleted backups' objects that are unreachable but not pruned yet (git gc
 * frees them). The filesystem reading still counts them, so they are counted as already freed:
 * otherwise every tick before the next gc would free the same bytes again.
 */
export async function unprunedBytes(repo: RepoPaths, records: readonly BackupRecord[], tips: string[]): Promise<number> {
  const gone = records.filter((r) => !holdsRef(r)).map((r) => r.snapshot);
  const present = await existingObjects(repo, gone);
  if (present.length === 0) return 0;
  return diskUsage(repo, present, [...tips, ...records.filter(holdsRef).map((r) => r.snapshot)]);
}

export { keepingTips };
