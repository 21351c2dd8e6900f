// Following commits through amend and rebase. git's post-rewrite hook reports `old new` pairs; a
// backup whose pending commit was rewritten must now point at the successor, or reconcile would look
// for a commit that no longer belongs to any branch. Likewise a backup whose base was rewritten
// (its work amended into the base) must learn the successor, or it could never become PENDING. Pure.
import type { BackupRecord } from './types.js';

export type RewriteMap = ReadonlyMap<string, string>;

export function rewriteMap(pairs: readonly (readonly [string, string])[]): Map<string, string> {
  const map = new Map<string, string>();
  // Later pairs win: in one rebase git reports each old commit once, but across concatenated
  // events an old commit may have been rewritten again.
  for (const [from, to] of pairs) if (from !== to) map.set(from, to);
  return map;
}

/**
 * Where `sha` ends up after every rewrite in the map: amend of an amend (a→b, b→c) gives c. A cycle
 * (which git cannot produce, but a hand-edited log could) stops at the last commit before repeating.
 */
export function followRewrites(map: RewriteMap, sha: string): string {
  const seen = new Set<string>([sha]);
  let cur = sha;
  for (;;) {
    const next = map.get(cur);
    if (next === undefined || seen.has(next)) return cur;
    seen.add(next);
    cur = next;
  }
}

export interface Remapped {
  id: string;
  from: string;
  to: string;
}

/**
 * Point every live backup's pending_commit at its rewritten successor. Mutates the records (the
 * caller runs inside a store update) and returns what moved. DELETED backups keep their history as it was.
 */
export function remapPendingCommits(backups: BackupRecord[], map: RewriteMap, at: string): Remapped[] {
  if (map.size === 0) return [];
  const moved: Remapped[] = [];
  for (const b of backups) {
    if (b.state === 'DELETED' || b.pending_commit === null) continue;
    const to = followRewrites(map, b.pending_commit);
    if (to === b.pending_commit) continue;
    moved.push({ id: b.id, from: b.pending_commit, to });
    b.pending_commit = to;
    b.updated_at = at;
  }
  return moved;
}

/**
 * Record where each CREATED or PENDING backup's base went (PENDING ones only so that reconcile can
 * keep following their branch after a rebase of the base). `amend` says which command rewrote: see
 * BaseSuccessor.amended. Chains continue from the successor already known, so an amend of an
 * amend, or an amend then a rebase, ends at the last commit. `base` itself is kept: it is the
 * snapshot's parent. Mutates the records and returns what moved.
 */
export function remapBaseSuccessors(backups: BackupRecord[], map: RewriteMap, amend: boolean, at: string): Remapped[] {
  if (map.size === 0) return [];
  const moved: Remapped[] = [];
  for (const b of backups) {
    if ((b.state !== 'CREATED' && b.state !== 'PENDING') || b.base === null) continue;
    const known = b.base_successor ?? null;
    const from = known?.commit ?? b.base;
    const to = followRewrites(map, from);
    if (to === from) continue;
    moved.push({ id: b.id, from, to });
    b.base_successor = { commit: to, amended: amend || (known?.amended ?? false) };
    b.updated_at = at;
  }
  return moved;
}
