// The git edge of the content proof (core/content.ts): what each backup protects, and which commits
// introduced which content. A constant number of git processes per decision pass, however many
// backups and files: protected entries come from one `log --no-walk --stdin` (snapshot trees and
// parents), one more for the parents' trees, and one `diff-tree --stdin` for every comparison;
// the history from one `merge-base --octopus` and one `log --raw` that gives the commit graph and
// every commit's changes together.
import { git, type RepoPaths } from './exec.js';
import { existingObjects } from './objects.js';
import { readObjects } from './object-reader.js';
import { emptyTreeId, isZeroSha, parseStdinRawZ } from './tree.js';
import { CommitGraph, type CommitInfo } from '../core/graph.js';
import { ContentIndex, protectedEntries, type CommitChanges, type ProtectedEntry } from '../core/content.js';

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

/** A diff row as a protected entry: a deletion has no content; a mode other than 100644 is kept with it. */
export const toEntry = (c: { path: string; dstSha: string; dstMode?: string }): ProtectedEntry => {
  if (isZeroSha(c.dstSha)) return { path: c.path, oid: null };
  return c.dstMode && c.dstMode !== '100644' ? { path: c.path, oid: c.dstSha, mode: c.dstMode } : { path: c.path, oid: c.dstSha };
};

/** Path → the base's version (blob, and mode when not 100644) of each path a base→worktree diff deletes. */
export function deletedBase(work: readonly { path: string; srcSha: string; srcMode: string; dstSha: string }[]): Map<string, { oid: string; mode?: string }> {
  const out = new Map<string, { oid: string; mode?: string }>();
  for (const c of work) if (isZeroSha(c.dstSha) && !isZeroSha(c.srcSha)) out.set(c.path, c.srcMode && c.srcMode !== '100644' ? { oid: c.srcSha, mode: c.srcMode } : { oid: c.srcSha });
  return out;
}

/**
 * snapshot → its protected entries, for every snapshot whose objects exist (absent: unknown).
 * The same comparisons `create` makes: base→worktree, base→index, nothing→untracked.
 */
export async function readProtects(repo: RepoPaths, snapshots: readonly string[]): Promise<Map<string, ProtectedEntry[]>> {
  const result = new Map<string, ProtectedEntry[]>();
  if (snapshots.length === 0) return result;
  const snaps = await treesOf(repo, [...new Set(snapshots)]);
  const parents = await treesOf(repo, [...new Set([...snaps.values()].flatMap((s) => s.parents))]);
  const pairs = new Map<string, string[]>();
  for (const [snap, s] of snaps) {
    const t = (c: string | undefined) => (c ? parents.get(c)?.tree : undefined);
    const base = t(s.parents[0]);
    const index = t(s.parents[1]);
    if (!base || !index) continue;
    const untracked = t(s.parents[2]);
    pairs.set(snap, [`${base} ${s.tree}`, `${base} ${index}`, ...(untracked ? [`${emptyTreeId(untracked)} ${untracked}`] : [])]);
  }
  const keys = [...new Set([...pairs.values()].flat())];
  if (keys.length === 0) return result;
  const diff = await git(['diff-tree', '-r', '-z', '--no-renames', '--stdin'], { cwd: repo.worktree, input: keys.join('\n') + '\n' });
  const byKey = new Map<string, ProtectedEntry[]>();
  const deleted = new Map<string, Map<string, { oid: string; mode?: string }>>();
  parseStdinRawZ(diff.stdout, keys).forEach((changes, i) => {
    byKey.set(keys[i]!, changes.map(toEntry));
    deleted.set(keys[i]!, deletedBase(changes));
  });
  for (const [snap, [work, staged, untracked]] of pairs) {
    result.set(snap, protectedEntries(byKey.get(work!) ?? [], byKey.get(staged!) ?? [], untracked ? (byKey.get(untracked) ?? []) : [], deleted.get(work!)));
  }
  return result;
}

export interface History {
  graph: CommitGraph;
  content: ContentIndex;
}

/**
 * The author email (lower case) of each snapshot commit that exists: the user who took the backup,
 * as git recorded them then. Supersession counts only that person's commits (core/content.ts). Not
 * `git var` now: in a hook's drain git exports the commit's own author (a cherry-picked or
 * amended teammate's commit) as the environment, and the identity may change between worktrees.
 * One `cat-file --batch` whatever the number.
 */
async function snapshotAuthors(repo: RepoPaths, snapshots: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const want = [...new Set(snapshots)];
  (await readObjects(repo, want)).forEach((o, i) => {
    if (o?.type !== 'commit') return;
    const headers = o.body.subarray(0, Math.max(0, o.body.indexOf('\n\n'))).toString('utf8');
    const author = /^author [^<\n]*<([^>\n]*)>/m.exec(headers);
    if (author) out.set(want[i]!, author[1]!.toLowerCase());
  });
  return out;
}

/**
 * The base's blob at each protected path of the backups whose base was amended ("<base>:<path>" →
 * blob id, null when the path is not in the base): what tells an amend that changed a path from
 * one that only reworded the commit. One `cat-file --batch-check`, none when no base was amended.
 * A path with a line break cannot be asked this way and is left out (then the amend counts as not
 * having changed it: the safe reading).
 */
async function amendedBaseBlobs(
  repo: RepoPaths,
  backups: readonly { base: string | null; base_successor?: { amended?: boolean } | null; protects?: readonly ProtectedEntry[] | null }[],
): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  const keys = [...new Set(backups.flatMap((b) => (b.base && b.base_successor?.amended && b.protects ? b.protects.map((e) => `${b.base}:${e.path}`) : [])))].filter((k) => !/[\n\r]/.test(k));
  if (keys.length === 0) return out;
  const r = await git(['cat-file', '--batch-check=%(objectname) %(objecttype)'], { cwd: repo.worktree, input: keys.join('\n') + '\n' });
  r.stdout.split('\n').slice(0, keys.length).forEach((line, i) => {
    const [oid, type] = line.split(' ');
    out.set(keys[i]!, type === 'missing' || !oid || !/^[0-9a-f]+$/.test(oid) ? null : oid);
  });
  return out;
}

/** What judging backups' content needs besides the history: who took each, what an amended base held. */
export interface JudgingFacts extends History {
  /** Snapshot → its author's email, for the backups that keep none yet. */
  authors: Map<string, string>;
  /** "<base>:<path>" → the base's blob there, for backups whose base was amended. */
  baseBlobs: Map<string, string | null>;
}

/** The history from `starts`, and for `backups` their snapshots' authors and amended bases' blobs: three git processes at once. */
export async function readJudgingFacts(
  repo: RepoPaths,
  starts: readonly string[],
  backups: readonly { snapshot?: string; author?: string | null; base: string | null; base_successor?: { amended?: boolean } | null; protects?: readonly ProtectedEntry[] | null }[],
): Promise<JudgingFacts> {
  const [history, authors, baseBlobs] = await Promise.all([
    readHistory(repo, starts),
    snapshotAuthors(repo, backups.flatMap((b) => (b.snapshot && !b.author ? [b.snapshot] : []))),
    amendedBaseBlobs(repo, backups),
  ]);
  return { ...history, authors, baseBlobs };
}

/**
 * The commit graph reachable from `starts`, cut below their common ancestor (all of them descend
 * from it, so ancestry among them is exact inside the segment), with each commit's changes against
 * its first parent (merges included, so a conflict resolution's new content is seen). Content
 * introduced below the cut is not seen, which can only make a verdict more cautious.
 */
export async function readHistory(repo: RepoPaths, starts: readonly string[]): Promise<History> {
  const commits = new Map<string, CommitInfo>();
  const changes: CommitChanges[] = [];
  // Usually every start is a commit here: merge-base is asked at once, and only when it cannot
  // name one (a commit another clone recorded, a pruned one) are the missing ones left out first.
  const none = (): History => ({ graph: new CommitGraph(commits), content: new ContentIndex([]) });
  const unique = [...new Set(starts)];
  if (unique.length === 0) return none();
  let present = unique;
  let mb = await git(['merge-base', '--octopus', ...unique], { cwd: repo.worktree, okCodes: [1, 128] });
  if (mb.code === 128) {
    present = await existingObjects(repo, unique, 'commit');
    if (present.length === 0) return none();
    mb = await git(['merge-base', '--octopus', ...present], { cwd: repo.worktree, okCodes: [1] });
  }
  const cut = mb.code === 0 ? mb.stdout.trim().split('\n')[0] : undefined;
  const args = ['log', '--raw', '-z', '--no-renames', '--no-abbrev', '--diff-merges=first-parent', '--root', '--no-show-signature', '--format=%x01%ct %at %H %P%x02%ae'];
  const out = await git([...args, ...present, ...(cut ? ['--not', `${cut}^@`] : [])], { cwd: repo.worktree });
  for (const rec of out.stdout.split('\x01')) {
    if (!rec) continue;
    const headerEnd = rec.indexOf('\0');
    const header = headerEnd < 0 ? rec.trim() : rec.slice(0, headerEnd);
    const mark = header.indexOf('\x02');
    const [time, authorTime, sha, ...parents] = (mark < 0 ? header : header.slice(0, mark)).split(' ');
    if (!sha) continue;
    commits.set(sha, { parents, time: Number(time), authorTime: Number(authorTime), author: mark < 0 ? '' : header.slice(mark + 1).toLowerCase() });
    if (headerEnd < 0) continue;
    // After the header: a newline, then ":<meta>\0<path>\0" per change.
    const parts = rec.slice(headerEnd + 1).replace(/^\n/, '').split('\0');
    const list: CommitChanges['changes'][number][] = [];
    for (let i = 0; i + 1 < parts.length; i += 2) {
      const meta = parts[i]!;
      if (!meta.startsWith(':')) break;
      const [, dstMode = '', srcSha = '', dstSha = ''] = meta.slice(1).split(' ');
      const entry = toEntry({ path: parts[i + 1]!, dstSha, dstMode });
      // The same blob as the parent's: only the mode changed.
      list.push(entry.oid !== null && srcSha === dstSha ? { ...entry, modeOnly: true } : entry);
    }
    changes.push({ commit: sha, changes: list });
  }
  return { graph: new CommitGraph(commits), content: new ContentIndex(changes) };
}
