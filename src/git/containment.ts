// Containment (SPEC §5): is every file a backup protects byte-identical somewhere in the integration
// branch's tip tree? "Somewhere" means by blob id anywhere in the tree, not at the same path: a file
// that was moved still exists, so nothing unique would be lost. Batched: one `show` for the
// snapshots' trees and parents, one for the parents' trees, one `diff-tree --stdin` for every
// (base, tree) pair, one `ls-tree` of the tip — four git processes however many backups there are.
import { git, type RepoPaths } from './exec.js';
import { emptyTreeId, isZeroSha, parseLsTreeZ, parseStdinRawZ } from './tree.js';

interface CommitTrees {
  tree: string;
  parents: string[];
}

async function treesOf(repo: RepoPaths, commits: string[]): Promise<Map<string, CommitTrees>> {
  const out = new Map<string, CommitTrees>();
  if (commits.length === 0) return out;
  // Missing objects (a snapshot pruned after archive) are skipped: --ignore-missing with --stdin.
  const r = await git(['log', '--no-walk=unsorted', '--ignore-missing', '--stdin', '--format=%H %T %P'], {
    cwd: repo.worktree,
    input: commits.join('\n') + '\n',
    okCodes: [128],
  });
  for (const line of r.stdout.split('\n')) {
    const [c, tree, ...parents] = line.trim().split(' ');
    if (c && tree) out.set(c, { tree, parents });
  }
  return out;
}

/**
 * snapshot → true/false, for every snapshot whose objects exist; absent from the map: unknown.
 * Protected blobs: the worktree tree and the index tree against the base, plus the untracked tree.
 */
export async function readContainment(repo: RepoPaths, snapshots: string[], integrationTip: string | null): Promise<Map<string, boolean>> {
  const result = new Map<string, boolean>();
  if (!integrationTip || snapshots.length === 0) return result;
  const cwd = repo.worktree;
  const snaps = await treesOf(repo, [...new Set(snapshots)]);
  const parentCommits = [...new Set([...snaps.values()].flatMap((s) => s.parents))];
  const parents = await treesOf(repo, parentCommits);
  const pairs = new Map<string, string[]>(); // snapshot → "left right" pair keys
  for (const [snap, s] of snaps) {
    const t = (c: string | undefined) => (c ? parents.get(c)?.tree : undefined);
    const base = t(s.parents[0]);
    const index = t(s.parents[1]);
    if (!base || !index) continue;
    const keys = [`${base} ${s.tree}`, `${base} ${index}`];
    const untracked = t(s.parents[2]);
    if (untracked) keys.push(`${emptyTreeId(untracked)} ${untracked}`);
    pairs.set(snap, keys);
  }
  const allKeys = [...new Set([...pairs.values()].flat())];
  if (allKeys.length === 0) return result;
  const [diff, tip] = await Promise.all([
    git(['diff-tree', '-r', '-z', '--no-renames', '--stdin'], { cwd, input: allKeys.join('\n') + '\n' }),
    git(['ls-tree', '-r', '-z', integrationTip], { cwd }),
  ]);
  // Per pair, the non-deleted blob ids on its right side (submodule pointers have no blob).
  const blobsByPair = new Map<string, Set<string>>();
  parseStdinRawZ(diff.stdout, allKeys).forEach((changes, i) => {
    const blobs = changes.filter((c) => !isZeroSha(c.dstSha) && c.dstMode !== '160000').map((c) => c.dstSha);
    blobsByPair.set(allKeys[i]!, new Set(blobs));
  });
  const inTip = new Set(parseLsTreeZ(tip.stdout).filter((e) => e.type === 'blob').map((e) => e.sha));
  for (const [snap, keys] of pairs) {
    let all = true;
    for (const k of keys) for (const b of blobsByPair.get(k) ?? []) if (!inTip.has(b)) all = false;
    result.set(snap, all);
  }
  return result;
}
