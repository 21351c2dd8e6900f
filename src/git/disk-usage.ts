// Bytes the backups hold exclusively (design.md §Triggers quota): the on-disk size of the objects reachable from
// backup snapshots and from no branch, tag or remote-tracking ref (`git rev-list --disk-usage`).
// Measured cost is in docs/policies.md: one process for the total; per-backup figures (only needed
// when a threshold or quota is crossed) take one process per backup.
import { git, type RepoPaths } from './exec.js';

/** Tips of every branch, tag and remote-tracking ref: what keeps objects alive besides backups. */
export async function keepingTips(repo: RepoPaths): Promise<string[]> {
  const r = await git(['for-each-ref', '--format=%(objectname)', 'refs/heads', 'refs/tags', 'refs/remotes'], { cwd: repo.worktree });
  return [...new Set(r.stdout.split('\n').filter(Boolean))];
}

/** On-disk bytes of the objects reachable from `include` and from none of `exclude`. */
export async function diskUsage(repo: RepoPaths, include: string[], exclude: string[]): Promise<number> {
  if (include.length === 0) return 0;
  const input = [...include, ...exclude.map((s) => `^${s}`)].join('\n') + '\n';
  const r = await git(['rev-list', '--disk-usage', '--objects', '--stdin'], { cwd: repo.worktree, input });
  return Number(r.stdout.trim()) || 0;
}

/**
 * Per snapshot, the bytes only it holds (not reached by branches, tags, remotes or any other
 * snapshot): a lower bound of what removing it frees, so a plan that adds them up never stops short.
 */
export async function uniqueUsage(repo: RepoPaths, snapshots: string[], tips: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const s of snapshots) {
    out.set(s, await diskUsage(repo, [s], [...tips, ...snapshots.filter((o) => o !== s)]));
  }
  return out;
}
