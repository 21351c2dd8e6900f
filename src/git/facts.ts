// Repository facts for reconcile, gathered with a handful of git processes however many backups
// there are: one for-each-ref, one cat-file, one merge-base, one `log --raw` for
// the commit graph and every commit's changes (git/content.ts); and, only for pending commits not
// merged by ancestry, a rev-list and two diff/patch-id pipelines for the patches not in the
// store's patch-id cache (fork points from the graph in memory).
import { git, type RepoPaths } from './exec.js';
import { existingObjects } from './objects.js';
import { readJudgingFacts } from './content.js';
import { isObjectId } from '../core/ids.js';
import type { ProtectedEntry } from '../core/content.js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PatchFacts, ReconcileFacts } from '../core/reconcile.js';
import type { CommitGraph } from '../core/graph.js';

export interface RefFacts {
  /** Local branches: short name → tip. */
  branches: Map<string, string>;
  /** Every ref under refs/heads and refs/remotes: full name → sha. */
  refs: Map<string, string>;
  /** refs/remotes/origin/HEAD's target (full name), if any. */
  originHead: string | null;
}

export async function readRefs(repo: RepoPaths): Promise<RefFacts> {
  const out = await git(['for-each-ref', '--format=%(refname)%00%(objectname)%00%(symref)', 'refs/heads', 'refs/remotes'], { cwd: repo.worktree });
  const branches = new Map<string, string>();
  const refs = new Map<string, string>();
  let originHead: string | null = null;
  for (const line of out.stdout.split('\n')) {
    if (!line) continue;
    const [name, sha, symref] = line.split('\0') as [string, string, string];
    if (name === 'refs/remotes/origin/HEAD') {
      if (symref) originHead = symref;
      continue;
    }
    refs.set(name, sha);
    if (name.startsWith('refs/heads/')) branches.set(name.slice('refs/heads/'.length), sha);
  }
  return { branches, refs, originHead };
}

const shortRef = (full: string) => full.replace(/^refs\/(heads|remotes)\//, '');

/**
 * The integration branch (design.md §Lifecycle): backup.integrationBranch, else origin's HEAD branch, else
 * main, else master. A configured name is looked up as a local branch, then as a remote-tracking
 * branch, then as a full ref. Null when none exists (nothing can be confirmed yet). `configured` is
 * backup.integrationBranch as ctx.config() validated it (exit 3 naming the key when invalid).
 */
export function integrationBranch(refs: RefFacts, configured: string | null): { name: string; tip: string } | null {
  const candidates = configured
    ? [`refs/heads/${configured}`, `refs/remotes/${configured}`, configured]
    : [...(refs.originHead ? [refs.originHead] : []), 'refs/heads/main', 'refs/heads/master'];
  for (const c of candidates) {
    const tip = refs.refs.get(c);
    if (tip) return { name: shortRef(c), tip };
  }
  return null;
}

/** HEAD's commit and branch, read from the HEAD file (no process); null on an unborn branch. */
export async function readHeadRef(repo: RepoPaths, branches: ReadonlyMap<string, string>): Promise<{ commit: string; branch: string | null } | null> {
  const text = (await readFile(join(repo.gitDir, 'HEAD'), 'utf8').catch(() => '')).trim();
  const ref = /^ref: refs\/heads\/(.+)$/.exec(text);
  if (ref) {
    const commit = branches.get(ref[1]!);
    return commit ? { commit, branch: ref[1]! } : null;
  }
  return isObjectId(text) ? { commit: text, branch: null } : null;
}

export async function readReconcileFacts(
  repo: RepoPaths,
  configuredBranch: string | null,
  backups: readonly {
    state: string;
    branch: string | null;
    base: string | null;
    base_successor?: { commit: string; amended?: boolean } | null;
    pending_commit: string | null;
    snapshot?: string;
    author?: string | null;
    protects?: readonly ProtectedEntry[] | null;
  }[],
): Promise<ReconcileFacts> {
  const refs = await readRefs(repo);
  const integration = integrationBranch(refs, configuredBranch);
  const head = await readHeadRef(repo, refs.branches);
  const starts: string[] = [];
  let anywhere = false;
  for (const b of backups) {
    if (b.state !== 'CREATED' && b.state !== 'PENDING') continue;
    const tip = b.branch === null ? undefined : refs.branches.get(b.branch);
    if (tip) starts.push(tip);
    // A backup taken on a detached HEAD (or whose branch is gone) may be committed anywhere.
    else if (b.state === 'CREATED') anywhere = true;
    if (b.base) starts.push(b.base);
    // Ancestry is asked from a rewritten base's successor as from the base: both must lie above
    // the cut, whether or not a branch still reaches them.
    if (b.base_successor) starts.push(b.base_successor.commit);
    if (b.pending_commit) starts.push(b.pending_commit);
  }
  if (starts.length) {
    if (integration) starts.push(integration.tip);
    if (head) starts.push(head.commit);
    if (anywhere) for (const tip of refs.branches.values()) starts.push(tip); // a loop: a repository may have more branches than a call takes arguments
  }
  const live = starts.length ? backups.filter((b) => b.state === 'CREATED' || b.state === 'PENDING') : [];
  const { graph, content, authors, baseBlobs } = await readJudgingFacts(repo, starts, live);
  return { graph, content, authors, baseBlobs, branches: refs.branches, integration, head };
}

// Diffs are produced the same way on both sides (no renames, fixed prefixes, no external or
// coloured diff) so that equal changes give equal patch-ids whatever the user's diff config.
const DIFF_OPTS = ['--no-renames', '--no-ext-diff', '--no-color', '--src-prefix=a/', '--dst-prefix=b/'];

/** "<patch-id> <commit>" lines → commit → patch-id (the first seen per commit). */
async function patchIds(repo: RepoPaths, diff: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!diff.trim()) return out;
  const r = await git(['patch-id', '--stable'], { cwd: repo.worktree, input: diff });
  for (const line of r.stdout.split('\n')) {
    const [pid, commit] = line.split(' ');
    if (pid && commit && !out.has(commit)) out.set(commit, pid);
  }
  return out;
}

/**
 * Patch-ids already computed, by a key that names immutable objects only (`commit:<commit>`, a
 * commit's own patch; `combined:<commit>:<fork>`, fork..commit), so an entry is never wrong, only absent.
 * "" records a commit with no patch (an empty diff). The store keeps it between drains.
 */
export interface PatchIdCache {
  get(key: string): string | undefined;
  set(key: string, patchId: string): void;
}

/**
 * Patch-ids of `commits` under `key(commit)`, from the cache where it has them; one diff-tree and
 * one patch-id process for the rest. `graft` gives a commit's diff base when it is not its parent.
 */
async function cachedPatchIds(
  repo: RepoPaths,
  commits: string[],
  key: (commit: string) => string,
  cache: PatchIdCache | undefined,
  graft?: (commit: string) => string,
): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  const missing: string[] = [];
  for (const c of commits) {
    const hit = cache?.get(key(c));
    if (hit === undefined) missing.push(c);
    else out.set(c, hit || null);
  }
  if (missing.length) {
    // A "<commit> <base>" input line makes diff-tree diff against that base for the rest of the run,
    // so grafted and plain diffs never share a process. --root: a root commit's diff is its tree.
    const input = missing.map((c) => (graft ? `${c} ${graft(c)}` : c)).join('\n') + '\n';
    const diff = await git(['diff-tree', '-p', '--root', ...DIFF_OPTS, '--stdin'], { cwd: repo.worktree, input });
    const ids = await patchIds(repo, diff.stdout);
    for (const c of missing) {
      const pid = ids.get(c) ?? null;
      out.set(c, pid);
      cache?.set(key(c), pid ?? '');
    }
  }
  return out;
}

const MERGE_BASE_PARALLEL = 4;

/** The fork that is an ancestor of every other one, when the graph knows them all (else ask git). */
function oldestFork(forks: string[], graph?: CommitGraph): string | undefined {
  if (!graph || !forks.every((f) => graph.has(f))) return undefined;
  return forks.find((f) => forks.every((g) => graph.isAncestor(f, g)));
}

/** Patch-ids for squash- and rebase-merge detection (see core/reconcile.ts planByPatch). */
export async function readPatchFacts(
  repo: RepoPaths,
  pendings: string[],
  integrationTip: string,
  graph?: CommitGraph,
  cache?: PatchIdCache,
): Promise<PatchFacts> {
  const cwd = repo.worktree;
  const forks = new Map<string, string>();
  // A pending commit this clone does not have (pruned, or recorded elsewhere) has no patch to
  // compare: leave it out rather than let one missing object fail every drain.
  const todo = await existingObjects(repo, [...new Set(pendings)], 'commit');
  const forkOf = async (p: string) => {
    // The graph read for this pass answers in memory when it holds both; git only otherwise.
    if (graph?.has(p) && graph.has(integrationTip)) {
      const fork = graph.mergeBase(p, integrationTip);
      if (fork && fork !== p) forks.set(p, fork);
      if (fork) return;
    }
    const mb = await git(['merge-base', p, integrationTip], { cwd, okCodes: [1] });
    const fork = mb.stdout.trim();
    if (mb.code === 0 && fork && fork !== p) forks.set(p, fork);
  };
  // merge-base has no batch mode: a few at a time keeps thousands of pending commits bearable.
  for (let i = 0; i < todo.length; i += MERGE_BASE_PARALLEL) await Promise.all(todo.slice(i, i + MERGE_BASE_PARALLEL).map(forkOf));
  const pending = new Map<string, { own: string | null; combined: string | null }>();
  if (forks.size === 0) return { pending, integration: new Map() };

  const pendingCommits = [...forks.keys()];
  // Integration commits since the oldest fork point (a superset for the others: harmless). A
  // branch forked at the integration tip (the usual topic branch while main stands still, so every
  // commit of a burst) has none, and no patch can match: no git process at all.
  const forkList = [...new Set(forks.values())];
  if (forkList.every((f) => f === integrationTip)) return { pending, integration: new Map() };
  const since = forkList.length === 1 ? forkList[0]! : oldestFork(forkList, graph) ?? (await git(['merge-base', '--octopus', ...forkList], { cwd, okCodes: [1] })).stdout.trim().split('\n')[0];
  const list = await git(['rev-list', '--no-merges', integrationTip, ...(since ? [`^${since}`] : [])], { cwd });
  const commits = list.stdout.split('\n').filter(Boolean);
  if (commits.length === 0) return { pending, integration: new Map() };
  // A commit's own patch is the same question for a pending commit and an integration commit.
  const own = await cachedPatchIds(repo, [...new Set([...pendingCommits, ...commits])], (c) => `commit:${c}`, cache);
  const combined = await cachedPatchIds(repo, pendingCommits, (c) => `combined:${c}:${forks.get(c)}`, cache, (c) => forks.get(c)!);
  for (const p of pendingCommits) pending.set(p, { own: own.get(p) ?? null, combined: combined.get(p) ?? null });
  const integration = new Map<string, string>();
  // rev-list lists newest first; keep the oldest commit per patch-id (the one that brought it in).
  for (const c of commits) {
    const pid = own.get(c);
    if (pid) integration.set(pid, c);
  }
  return { pending, integration };
}
