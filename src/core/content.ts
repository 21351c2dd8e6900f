// Where a backup's content is (design.md §Lifecycle "Proof before deletion"), as pure decisions over plain data.
//
// A backup protects a list of (path, content id) entries: its difference from its base plus its
// untracked part. For a history (the backup's line up to its branch tip, or the integration
// branch), each entry is
//   held        — its blob is in some commit of that history, at any path;
//   superseded  — not held, but the path was changed again and committed on the backup's line
//                 after the backup (the work was continued and committed);
//   uncommitted — a deletion the history has not made (nothing is lost: the base has the content);
//   unique      — found nowhere: deleting the backup would lose it.
// States follow from these verdicts (every entry held or superseded), and so does cleanup (no
// automatic deletion while an entry is unique). The git edge (git/content.ts) reads the protected
// entries and the per-commit changes with a constant number of processes; everything here runs
// in memory over the commit graph.
import type { CommitGraph } from './graph.js';
import type { BaseSuccessor } from './types.js';

/** One protected path and its content: a blob (or gitlink) id, null when the backup deleted it. */
export interface ProtectedEntry {
  path: string;
  oid: string | null;
  /** git's mode when it is not a plain file's 100644 (an exec bit, a symlink, a gitlink): part of the content. */
  mode?: string;
}

/** What "the same content" means for held: the blob and its mode (a script's exec bit is work too). */
const contentKey = (e: ProtectedEntry): string => (e.mode ? `${e.oid} ${e.mode}` : e.oid!);

export type PathStatus = 'held' | 'superseded' | 'uncommitted' | 'unique';

export interface PathVerdict {
  path: string;
  status: PathStatus;
  /** The commit that holds or supersedes it (null for uncommitted and unique). */
  commit: string | null;
}

/** A commit's changes against its first parent: path → new content id (null: deleted). */
export interface CommitChanges {
  commit: string;
  /** `modeOnly`: the blob is the parent's, only the mode changed (a `chmod +x` commit). */
  changes: readonly (ProtectedEntry & { modeOnly?: boolean })[];
}

/**
 * Who introduced which content, and who touched which path, inside the commit-graph segment the
 * facts were read for. Content introduced below the segment is not seen: the verdicts are then
 * "unique" where they might have been "held" — the safe direction.
 */
export class ContentIndex {
  private readonly byOid = new Map<string, string[]>();
  private readonly byPath = new Map<string, Touch[]>();

  constructor(commits: Iterable<CommitChanges>) {
    for (const { commit, changes } of commits) {
      for (const c of changes) {
        if (c.oid !== null) push(this.byOid, contentKey(c), commit);
        push(this.byPath, c.path, { commit, oid: c.oid, ...(c.mode ? { mode: c.mode } : {}), ...(c.modeOnly ? { modeOnly: true } : {}) });
      }
    }
  }

  /** Commits that introduced this content (blob and mode). */
  introducers(e: ProtectedEntry): readonly string[] {
    return e.oid === null ? [] : (this.byOid.get(contentKey(e)) ?? []);
  }

  touches(path: string): readonly Touch[] {
    return this.byPath.get(path) ?? [];
  }
}

/** One commit's change at a path. */
export interface Touch {
  commit: string;
  oid: string | null;
  mode?: string;
  /** Only the mode changed: the content is the parent's. */
  modeOnly?: boolean;
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

/**
 * The history one verdict is about. `tip` bounds it (its ancestors). Superseding commits must lie
 * on the backup's own line: reachable from `line` (the backup's branch tip, or the commit that
 * holds its work), descending from `root` (the base, or the commit it was rewritten into, itself
 * excluded: an amend's diff holds the base's own changes too) and committed at or after the
 * backup's second, by `me` (the author of the backup's snapshot, the user: someone else's change to
 * the same file proves nothing about this work), and not a merge (its diff is what it brought in). `alsoCounts` admits one more commit
 * (the squash or rebase merge that confirmed the work). `line` or `me` null: nothing supersedes,
 * only held content counts.
 */
export interface Scope {
  tip: string;
  root: string | null;
  line: string | null;
  /** The email of the backup snapshot's author (the user), lower case. */
  me: string | null;
  createdSec: number;
  alsoCounts?: string | null;
  /**
   * When the root is the base amended: whether that amend changed `path` against the base (then
   * it is the work continued, folded into the last commit). Absent: the root supersedes nothing.
   */
  rootChanged?: (path: string, oid: string | null) => boolean;
}

/**
 * The scope of one verdict on a backup: the history up to `tip`, its line there (`line`; null: only
 * held content counts), where that line starts (its base, or the commit the base was rewritten
 * into), who may supersede its content (`me`), and the commit that confirmed it (`alsoCounts`).
 */
export function backupScope(
  b: { base: string | null; base_successor?: BaseSuccessor | null; created_at: string },
  at: { tip: string; line: string | null; me: string | null; alsoCounts?: string | null; baseBlobs?: ReadonlyMap<string, string | null> | undefined },
  graph: CommitGraph,
): Scope {
  const root = lineRoot(b.base, b.base_successor ?? null, at.line ?? at.tip, graph);
  const rootChanged = amendChanged(b, root, at.baseBlobs, graph);
  return { tip: at.tip, root, line: at.line, me: at.me, createdSec: createdSeconds(b.created_at), alsoCounts: at.alsoCounts ?? null, ...(rootChanged ? { rootChanged } : {}) };
}

/**
 * rootChanged for a backup whose line starts at its amended base: the amend changed a path when
 * its blob there differs from the base's (`baseBlobs`: "<base>:<path>" → blob, null when absent;
 * a path not looked up counts as unchanged, the safe reading).
 */
function amendChanged(b: { base: string | null; base_successor?: BaseSuccessor | null }, root: string | null, baseBlobs: ReadonlyMap<string, string | null> | undefined, graph: CommitGraph): Scope['rootChanged'] {
  const s = b.base_successor;
  if (!baseBlobs || root === null || b.base === null || !s || s.commit !== root || !s.amended) return undefined;
  // Only an amend in place (the same parent as the base): once a rebase also moved it (an amend
  // then `git pull --rebase`, or the other way round), its diff against its new parent holds what
  // the rebase merged too (a teammate's change to the same file), not only what the amend changed.
  const parent = (c: string) => graph.commits.get(c)?.parents[0];
  if (parent(root) === undefined || parent(root) !== parent(b.base)) return undefined;
  return (path, oid) => {
    const was = baseBlobs.get(`${b.base}:${path}`);
    return was !== undefined && was !== oid;
  };
}

/**
 * Where a backup's line starts, as seen from `commit`: its base, or the commit the base was
 * rewritten into when only that one leads to `commit`.
 */
function lineRoot(base: string | null, successor: BaseSuccessor | null, commit: string, graph: CommitGraph): string | null {
  if (base === null || graph.isAncestor(base, commit) || !successor || !graph.isAncestor(successor.commit, commit)) return base;
  return successor.commit;
}

export function judgeContent(entries: readonly ProtectedEntry[], scope: Scope, graph: CommitGraph, index: ContentIndex): PathVerdict[] {
  if (!graph.has(scope.tip)) return entries.map((e) => ({ path: e.path, status: e.oid === null ? 'uncommitted' : 'unique', commit: null }));
  const inHistory = (c: string) => graph.isAncestor(c, scope.tip);
  const after = (t: number | null) => (t ?? -Infinity) >= scope.createdSec;
  // Written after the backup, not only committed after it: a cherry-pick or a rebase of an older
  // commit gets a new committer time but keeps its author time (when the change was made). An
  // amend keeps the author time too, so the amended base (the root) is judged by rootChanged alone.
  const written = (c: string) => after(graph.authorTime(c) ?? graph.time(c));
  // The user's own commit on the backup's line, made after it (whether or not the tip holds it),
  // that wrote `oid` at `path`.
  const own = (c: string, path: string, oid: string | null) => {
    if (!after(graph.time(c)) || scope.line === null || scope.me === null) return false;
    // The line as it was committed, or as it was merged: a rebase merge rewrote the line's commits,
    // and the rewritten ones lead to the commit that confirmed the work. That commit itself (a
    // squash, made by whoever merged) counts only through carried(), unless the line holds it.
    if (!graph.isAncestor(c, scope.line) && !(scope.alsoCounts && c !== scope.alsoCounts && graph.isAncestor(c, scope.alsoCounts))) return false;
    if (graph.isMerge(c) || graph.author(c) !== scope.me) return false;
    if (scope.root === null) return written(c);
    if (c === scope.root) return scope.rootChanged?.(path, oid) === true;
    return graph.isAncestor(scope.root, c) && written(c);
  };
  // The commit that confirmed the work (a squash, the last commit of a rebase merge) carries the
  // line's changes whoever made them: it stands for a path only with content the user's own commit
  // on the line wrote there (a teammate's later change carried by the squash proves nothing).
  const carried = (path: string, t: { oid: string | null; mode?: string }) =>
    index.touches(path).some((d) => d.commit !== scope.alsoCounts && d.oid === t.oid && (d.mode ?? '') === (t.mode ?? '') && own(d.commit, path, d.oid));
  const onLine = (path: string, t: { commit: string; oid: string | null; mode?: string }) => {
    if (!inHistory(t.commit) || !after(graph.time(t.commit))) return false;
    return own(t.commit, path, t.oid) || (t.commit === scope.alsoCounts && carried(path, t));
  };
  return entries.map((e, i): PathVerdict => {
    if (e.oid !== null) {
      const holder = index.introducers(e).find(inHistory);
      if (holder) return { path: e.path, status: 'held', commit: holder };
    }
    // A path staged and then edited has its worktree version first and the staged one after it
    // (protectedEntries): committing the staged version (a plain `git commit`) writes content older
    // than the worktree version, which it does not continue; it supersedes only the staged one.
    // Entries of a path are adjacent: look only at the ones right after this one.
    const older = new Set<string>();
    for (let j = i + 1; j < entries.length && entries[j]!.path === e.path; j++) if (entries[j]!.oid !== null) older.add(contentKey(entries[j]!));
    // A commit that deletes the path (a `git rm`, the old side of a rename) does not continue the
    // work on it: it supersedes nothing but a deletion. Nor does one that changes only its mode
    // (`chmod +x`): its content is the parent's, not the work continued.
    const touch = index
      .touches(e.path)
      .find((t) => !t.modeOnly && (t.oid === null ? e.oid === null : !older.has(contentKey({ path: e.path, oid: t.oid, ...(t.mode ? { mode: t.mode } : {}) }))) && onLine(e.path, t));
    if (touch) return { path: e.path, status: e.oid === null && touch.oid === null ? 'held' : 'superseded', commit: touch.commit };
    return { path: e.path, status: e.oid === null ? 'uncommitted' : 'unique', commit: null };
  });
}

/** Commit times have one-second resolution: a commit in the backup's own second counts as after it. */
export function createdSeconds(createdAt: string): number {
  return Math.floor(Date.parse(createdAt) / 1000);
}

/** What a cleanup decision needs to know of a backup. */
export interface ContentSubject {
  protects?: readonly ProtectedEntry[] | null;
  base: string | null;
  base_successor?: BaseSuccessor | null;
  created_at: string;
  pending_commit: string | null;
  confirmed_by: string | null;
}

/**
 * The verdict that matters for deletion: how much of the content the integration branch holds
 * (or supersedes on the backup's line, or through the commit that confirmed it). Null: unknown
 * (what it protects was never read and its snapshot is gone), which proves nothing.
 */
export function integrationProof(b: ContentSubject, tip: string, graph: CommitGraph, index: ContentIndex, me: string | null, baseBlobs?: ReadonlyMap<string, string | null>): ContentProof | null {
  if (!b.protects) return null;
  // Superseded only on the line that holds its work: a backup no commit of its own holds yet
  // (CREATED) is judged by held content alone.
  const scope = backupScope(b, { tip, line: b.pending_commit, me, alsoCounts: b.confirmed_by, baseBlobs }, graph);
  return proofOf('integration', tip, judgeContent(b.protects, scope, graph, index));
}

/** Every entry held or superseded: the history holds the work (PENDING on a line, CONFIRMED in integration). */
export const holdsAll = (v: readonly PathVerdict[]) => v.every((p) => p.status === 'held' || p.status === 'superseded');

/** The paths whose content exists nowhere else: what deleting the backup would lose. */
export const uniquePaths = (v: readonly PathVerdict[]) => [...new Set(v.filter((p) => p.status === 'unique').map((p) => p.path))];

/**
 * The proof recorded with a backup (and with each content-driven transition): which history was
 * searched, how much of the content it holds, and which commits hold it. Plain data for db.json
 * and the notes.
 */
export interface ContentProof {
  /** 'line': the backup's branch (or the commit it was found on); 'integration': the integration branch. */
  history: 'line' | 'integration';
  /** The commit whose history was searched. */
  tip: string;
  files: number;
  held: number;
  /** Paths not held but changed again and committed after the backup. */
  superseded: string[];
  /** Deletions not made in that history (nothing lost). */
  uncommitted: string[];
  /** Paths found nowhere else. */
  unique: string[];
  /** Distinct commits that hold or supersede the content, as found (at most MAX_PROOF_COMMITS). */
  commits: string[];
}

export const MAX_PROOF_COMMITS = 20;

export function proofOf(history: ContentProof['history'], tip: string, v: readonly PathVerdict[]): ContentProof {
  const commits = [...new Set(v.map((p) => p.commit).filter((c): c is string => c !== null))].slice(0, MAX_PROOF_COMMITS);
  const paths = byPath(v);
  const of = (s: PathStatus) => paths.filter((p) => p.status === s).map((p) => p.path);
  return { history, tip, files: paths.length, held: of('held').length, superseded: of('superseded'), uncommitted: of('uncommitted'), unique: of('unique'), commits };
}

/** What stands in the way, first: a path with two versions (staged and worktree) is as safe as the less safe one. */
const BLOCKING: readonly PathStatus[] = ['unique', 'uncommitted', 'superseded', 'held'];

/** One verdict per path (entries of a path are adjacent: protectedEntries sorts them). */
function byPath(v: readonly PathVerdict[]): PathVerdict[] {
  const out: PathVerdict[] = [];
  for (const p of v) {
    const last = out[out.length - 1];
    if (last?.path !== p.path) out.push(p);
    else if (BLOCKING.indexOf(p.status) < BLOCKING.indexOf(last.status)) out[out.length - 1] = p;
  }
  return out;
}

const short = (sha: string) => sha.slice(0, 12);

/** "a, b, c and 2 more": the first `max` of a list, for one-line messages. */
export function listed(paths: readonly string[], max = 3): string {
  const shown = paths.slice(0, max).join(', ');
  return paths.length > max ? `${shown} and ${paths.length - max} more` : shown;
}

/** One line for people: "3 of 4 files held; l.txt is found nowhere else". */
export function describeProof(p: ContentProof): string {
  const parts = [`${p.held} of ${p.files} file${p.files === 1 ? '' : 's'} held`];
  if (p.superseded.length) parts.push(`${listed(p.superseded)} changed again and committed`);
  if (p.uncommitted.length) parts.push(`deletion of ${listed(p.uncommitted)} not committed`);
  if (p.unique.length) parts.push(`${listed(p.unique)} ${p.unique.length === 1 ? 'is' : 'are'} found nowhere else`);
  const where = p.history === 'integration' ? 'the integration branch' : 'its line';
  return `${parts.join('; ')} (in ${where} at ${short(p.tip)})`;
}

/**
 * The protected entries from the snapshot's three comparisons (base→worktree, base→index,
 * nothing→untracked), as git lists them: the worktree version of each path, and the staged one
 * too when it is other content (staged, then edited or deleted: both versions are work, and only
 * this backup may hold the staged one). The untracked part overlaps the tracked ones only where a
 * tracked file was taken out of the index and left in the worktree (`git rm --cached`): the
 * worktree and staged trees then delete it while the untracked part holds its content, which is
 * the path's worktree version (it may hold edits found nowhere else), so it comes first. Sorted by
 * path, the worktree version first.
 */
export function protectedEntries(
  work: readonly ProtectedEntry[],
  staged: readonly ProtectedEntry[],
  untracked: readonly ProtectedEntry[],
  /** For paths the worktree diff deletes: the base's version there (blob and mode, as `{ oid, mode }`). */
  baseOf: ReadonlyMap<string, { oid: string; mode?: string }> = new Map(),
): ProtectedEntry[] {
  const byPath = new Map<string, ProtectedEntry[]>();
  // Untracked content the base already had at that path (`git rm --cached` of an unchanged file)
  // is no work: the deletion from the index stands for it, as before.
  const inBase = (c: ProtectedEntry) => {
    const was = baseOf.get(c.path);
    return was !== undefined && c.oid !== null && contentKey(c) === contentKey({ path: c.path, ...was });
  };
  for (const c of [...untracked.filter((u) => !inBase(u)), ...work]) if (!byPath.has(c.path)) byPath.set(c.path, [{ ...c }]);
  for (const c of staged) {
    const kept = byPath.get(c.path);
    if (!kept) byPath.set(c.path, [{ ...c }]);
    else if (c.oid !== null && kept.every((k) => k.oid === null || contentKey(k) !== contentKey(c))) kept.push({ ...c });
  }
  return [...byPath.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).flatMap((path) => byPath.get(path)!);
}

/** How many paths the entries name (a path staged and then edited has two entries). */
export const pathCount = (entries: readonly { path: string }[]): number => new Set(entries.map((e) => e.path)).size;
