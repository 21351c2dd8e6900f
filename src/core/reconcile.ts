// Reconcile as pure decisions: given the backups and the repository facts (a commit-graph segment,
// branch tips, the integration branch, patch-ids), say which backups move and why. The rules are
// design.md §Lifecycle/§Triggers; the choices design.md leaves open are written down in docs/reconcile.md.
//
// pending_commit is the backup's branch tip at reconcile time (while it still qualifies), not the
// first commit after the backup: a squash merge holds the combined diff fork..tip, so only the
// tip makes squash detection work, and following the tip also follows amends and rebases without
// needing the post-rewrite map. Only a rewrite of the base itself needs it (base_successor): the
// branch then no longer descends from the base at all.
import type { BackupState, BaseSuccessor } from './types.js';
import type { RecordFacts } from './notes-format.js';
import type { CommitGraph } from './graph.js';
import { backupScope, ContentIndex, createdSeconds, describeProof, holdsAll, judgeContent, proofOf, type ContentProof, type PathVerdict, type ProtectedEntry } from './content.js';

export interface ReconcileBackup {
  id: string;
  state: BackupState;
  branch: string | null;
  base: string | null;
  /** Optional: records from before it existed lack it. */
  base_successor?: BaseSuccessor | null;
  created_at: string;
  pending_commit: string | null;
  /** Its snapshot commit, whose author is the user whose commits may supersede its content. */
  snapshot?: string;
  /** That author's email when already read back (kept in the record). */
  author?: string | null;
  /** What it protects; null or absent: not known (yet), so nothing can be proven. */
  protects?: readonly ProtectedEntry[] | null;
  /** The working tree it was taken in, as the record names it. */
  worktree?: string;
}

export interface ReconcileFacts {
  graph: CommitGraph;
  /** Local branches: short name → tip. */
  branches: ReadonlyMap<string, string>;
  /** The integration branch as the user would name it (e.g. origin/main) and its tip. */
  integration: { name: string; tip: string } | null;
  /** Who introduced which content in the graph's commits (absent: nothing known). */
  content?: ContentIndex;
  /** HEAD now, and its branch (null: detached): work may be committed where the user went. */
  head?: { commit: string; branch: string | null; worktrees?: readonly string[] } | null;
  /** Snapshot → its author's email, lower case (absent: unknown, so nothing supersedes). */
  authors?: ReadonlyMap<string, string>;
  /** "<base>:<path>" → the base's blob there (null: absent), for backups whose base was amended. */
  baseBlobs?: ReadonlyMap<string, string | null>;
}

export interface PlanStep {
  to: BackupState;
  facts: RecordFacts;
  /** The user commit whose arrival drove this step: it gets a short note line. */
  drivenBy: string;
  reason: string;
}

export interface ReconcilePlan {
  id: string;
  /** The state the plan was made from; a backup found in another state is left alone (stale plan). */
  from: BackupState;
  /** Facts that change without a state change (pending_commit follows the branch). */
  facts: RecordFacts | null;
  steps: PlanStep[];
  /** The latest content verdict (kept in db.json, so show and list can name what is unique). */
  proof: ContentProof | null;
}

/** A PENDING-to-be backup whose pending commit is not in the integration branch by ancestry. */
export interface PatchQuery {
  plan: ReconcilePlan;
  pending: string;
  /** The content proof in the integration branch, admitting the commit that merged it; null: not all held. */
  confirmBy: (by: string) => ContentProof | null;
}

const short = (sha: string) => sha.slice(0, 12);

export { createdSeconds };

/**
 * Does `tip` hold work made after a backup taken on `base`? It must descend from the base (any
 * commit does when the branch was unborn) and something between base and tip must have been
 * committed at or after the backup's second (commit times have one-second resolution).
 *
 * Or, when the base was rewritten, the same measured from its successor: an amended successor
 * counts itself (the amend is a commit made after the backup, which is how work gets folded into
 * the last commit), a rebased one does not (it only replays the base). Says which rule held.
 */
export class Qualifier {
  private readonly newest = new Map<string, number>();
  constructor(private readonly graph: CommitGraph) {}

  qualifies(tip: string | undefined, base: string | null, createdSec: number, successor: BaseSuccessor | null = null): 'base' | 'successor' | null {
    if (!tip || !this.graph.has(tip)) return null;
    if (this.fromBase(tip, base, createdSec)) return 'base';
    if (successor && this.fromSuccessor(tip, successor, createdSec)) return 'successor';
    return null;
  }

  private fromBase(tip: string, base: string | null, createdSec: number): boolean {
    if (tip === base) return false;
    if (base !== null && !this.graph.isAncestor(base, tip)) return false;
    return this.newestAbove(tip, base) >= createdSec;
  }

  private fromSuccessor(tip: string, s: BaseSuccessor, createdSec: number): boolean {
    if (!this.graph.has(s.commit) || !this.graph.isAncestor(s.commit, tip)) return false;
    const own = s.amended ? (this.graph.time(s.commit) ?? -Infinity) : -Infinity;
    return Math.max(own, this.newestAbove(tip, s.commit)) >= createdSec;
  }

  /** The newest commit time in tip's history above base (memoised per pair: many backups share one). */
  private newestAbove(tip: string, base: string | null): number {
    const key = `${tip} ${base ?? ''}`;
    const hit = this.newest.get(key);
    if (hit !== undefined) return hit;
    const below = base === null ? new Set<string>() : this.graph.ancestors(base);
    let newest = -Infinity;
    for (const c of this.graph.ancestors(tip)) if (!below.has(c)) newest = Math.max(newest, this.graph.time(c) ?? -Infinity);
    this.newest.set(key, newest);
    return newest;
  }
}

/** Judges one backup's content against histories (core/content.ts), for the plans below. */
class ContentJudge {
  constructor(private readonly facts: ReconcileFacts) {}

  /**
   * Verdicts for the history up to `tip`; `line`: the backup's own line there (null: only held
   * content counts); `alsoCounts` admits the commit that merged the work.
   */
  judge(b: ReconcileBackup, tip: string, line: string | null, alsoCounts: string | null = null): PathVerdict[] {
    const me = b.author || (b.snapshot && this.facts.authors?.get(b.snapshot)) || null;
    const scope = backupScope(b, { tip, line, me, alsoCounts, baseBlobs: this.facts.baseBlobs }, this.facts.graph);
    return judgeContent(b.protects ?? [], scope, this.facts.graph, this.facts.content ?? EMPTY_INDEX);
  }
}

const EMPTY_INDEX = new ContentIndex([]);

/**
 * Where a backup's work may have been committed: its own branch; HEAD (the user may have switched
 * branches before committing); and, for a backup taken on a detached HEAD or whose branch is gone,
 * the integration branch and every local branch. First one that holds the work wins.
 */
function lineCandidates(b: ReconcileBackup, facts: ReconcileFacts): LineCandidate[] {
  const out: LineCandidate[] = [];
  const add = (tip: string | undefined | null, name: string, own = false) => {
    if (tip && !out.some((c) => c.tip === tip)) out.push({ tip, name, own });
  };
  const own = b.branch === null ? undefined : facts.branches.get(b.branch);
  add(own, b.branch ?? '', true);
  // A backup taken on a detached HEAD has no branch of its own: where HEAD is now is its line (the
  // user committed there, then perhaps made it a branch); still only the user's own commits count.
  // HEAD is the line only in the working tree the backup was taken in (`worktrees`: the names this
  // one goes by in records; absent: not known, as in the pure tests): another worktree's HEAD is another line.
  const here = facts.head?.worktrees;
  add(facts.head?.commit, facts.head?.branch ?? 'HEAD (detached)', b.branch === null && (here === undefined || (b.worktree !== undefined && here.includes(b.worktree))));
  if (!own) {
    add(facts.integration?.tip, facts.integration?.name ?? '');
    for (const [name, tip] of facts.branches) add(tip, name);
  }
  return out;
}

/** A history the work may be on; `own`: the backup's own line (its branch; HEAD for a detached backup), where a later change supersedes. */
interface LineCandidate {
  tip: string;
  name: string;
  own: boolean;
}

/**
 * First pass: work committed on its line (→ PENDING) and merged into the integration branch by
 * ancestry (→ CONFIRMED). Both need the content proof: every protected path held or superseded in
 * that history; timing alone (a commit after the backup) moves nothing.
 */
export function planByAncestry(backups: readonly ReconcileBackup[], facts: ReconcileFacts): { plans: ReconcilePlan[]; patchQueries: PatchQuery[] } {
  const plans: ReconcilePlan[] = [];
  const patchQueries: PatchQuery[] = [];
  const q = new Qualifier(facts.graph);
  const judge = new ContentJudge(facts);
  const integ = facts.integration;
  const introduced = integ ? facts.graph.introducedBy(integ.tip) : new Map<string, string>();
  const integrated = (c: string) => integ !== null && facts.graph.has(c) && facts.graph.isAncestor(c, integ.tip);

  for (const b of backups) {
    if (b.state !== 'CREATED' && b.state !== 'PENDING') continue;
    // Without the list of what it protects nothing can be proven: leave it (the edge fills it in).
    if (!b.protects) continue;
    const plan: ReconcilePlan = { id: b.id, from: b.state, facts: null, steps: [], proof: null };
    const successor = b.base_successor ?? null;
    const createdSec = createdSeconds(b.created_at);
    // The first line tip that qualifies by time and holds the content.
    let found: (LineCandidate & { rule: 'base' | 'successor'; proof: ContentProof }) | null = null;
    // A PENDING backup only follows its own branch; its pending commit is what gets confirmed.
    const own = b.branch === null ? undefined : facts.branches.get(b.branch);
    const candidates = b.state === 'CREATED' ? lineCandidates(b, facts) : own ? [{ tip: own, name: b.branch!, own: true }] : [];
    for (const c of candidates) {
      const rule = q.qualifies(c.tip, b.base, createdSec, successor);
      if (!rule) continue;
      // Supersession only on the backup's own line (its branch; HEAD for a detached backup): HEAD on
      // another branch, or the other branches, hold the work only with its content.
      const v = judge.judge(b, c.tip, c.own ? c.tip : null);
      const proof = proofOf('line', c.tip, v);
      if (holdsAll(v)) {
        found = { ...c, rule, proof };
        break;
      }
      plan.proof ??= proof;
    }
    let pending = b.pending_commit;

    if (b.state === 'CREATED') {
      if (!found) {
        if (plan.proof) plans.push(plan);
        continue;
      }
      pending = found.tip;
      const rewritten = found.rule === 'successor' && successor && b.base ? ` (its base ${short(b.base)} rewritten as ${short(successor.commit)})` : '';
      plan.proof = found.proof;
      plan.steps.push({
        to: 'PENDING',
        facts: { pending_commit: pending, content: found.proof },
        drivenBy: pending,
        reason: `committed on ${found.name} in ${short(pending)}${rewritten}: ${describeProof(found.proof)}`,
      });
    } else if (found && found.tip !== pending && !(pending !== null && integrated(pending))) {
      // The branch advanced or was rewritten (amend, rebase): follow its tip.
      pending = found.tip;
      plan.facts = { pending_commit: pending };
      plan.proof = found.proof;
    }

    if (pending !== null && integ) {
      const pendingCommit = pending;
      const confirmBy = (by: string): ContentProof | null => {
        const v = judge.judge(b, integ.tip, pendingCommit, by);
        const proof = proofOf('integration', integ.tip, v);
        plan.proof = proof;
        return holdsAll(v) ? proof : null;
      };
      if (integrated(pending)) {
        const by = introduced.get(pending) ?? pending;
        const proof = confirmBy(by);
        if (proof) plan.steps.push({ to: 'CONFIRMED', facts: { confirmed_by: by, content: proof }, drivenBy: by, reason: `merged into ${integ.name} by ${short(by)}: ${describeProof(proof)}` });
      } else {
        patchQueries.push({ plan, pending, confirmBy });
      }
    }
    if (plan.steps.length || plan.facts || plan.proof) plans.push(plan);
  }
  return { plans, patchQueries };
}

export interface PatchFacts {
  /** Per pending commit: the patch-id of its own diff and of the combined diff fork..pending. */
  pending: ReadonlyMap<string, { own: string | null; combined: string | null }>;
  /** Patch-id → the oldest integration commit (since the fork points) with that patch. */
  integration: ReadonlyMap<string, string>;
}

/**
 * The integration commit holding `pending`'s work as an equal patch: the combined diff fork..pending
 * (a squash merge) first, else the pending commit's own diff (a rebase merge).
 */
export function mergedByPatch(pending: string, patches: PatchFacts): { by: string; how: 'squash-merged' | 'rebase-merged' } | null {
  const ids = patches.pending.get(pending);
  if (!ids) return null;
  const squash = ids.combined ? patches.integration.get(ids.combined) : undefined;
  if (squash) return { by: squash, how: 'squash-merged' };
  const rebased = ids.own ? patches.integration.get(ids.own) : undefined;
  return rebased ? { by: rebased, how: 'rebase-merged' } : null;
}

/**
 * Second pass: an equivalent patch in the integration branch confirms. The combined diff catches
 * a squash merge; the pending commit's own diff catches a rebase merge (the branch replayed onto
 * the integration branch, whose last replayed commit has the tip's patch).
 */
export function planByPatch(queries: readonly PatchQuery[], patches: PatchFacts, integrationName: string, plans: ReconcilePlan[]): void {
  for (const { plan, pending, confirmBy } of queries) {
    const merged = mergedByPatch(pending, patches);
    if (!merged) continue;
    const { by, how } = merged;
    const proof = confirmBy(by);
    if (!proof) continue;
    plan.steps.push({ to: 'CONFIRMED', facts: { confirmed_by: by, content: proof }, drivenBy: by, reason: `${how} into ${integrationName} as ${short(by)} (same patch-id): ${describeProof(proof)}` });
    if (!plans.includes(plan)) plans.push(plan);
  }
}
