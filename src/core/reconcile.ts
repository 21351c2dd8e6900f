// Reconcile as pure decisions: given the backups and the repository facts (a commit-graph segment,
// branch tips, the integration branch, patch-ids), say which backups move and why. The rules are
// SPEC §4/§5; the choices SPEC leaves open are written down in docs/reconcile.md.
//
// pending_commit is the backup's branch tip at reconcile time (while it still qualifies), not the
// first commit after the backup: a squash merge holds the combined diff fork..tip, so only the
// tip makes squash detection work, and following the tip also follows amends and rebases without
// needing the post-rewrite map. Only a rewrite of the base itself needs it (base_successor): the
// branch then no longer descends from the base at all.
import type { BackupState, BaseSuccessor } from './types.js';
import type { RecordFacts } from './notes-format.js';
import type { CommitGraph } from './graph.js';

export interface ReconcileBackup {
  id: string;
  state: BackupState;
  branch: string | null;
  base: string | null;
  /** Optional: records from before it existed lack it. */
  base_successor?: BaseSuccessor | null;
  created_at: string;
  pending_commit: string | null;
}

export interface ReconcileFacts {
  graph: CommitGraph;
  /** Local branches: short name → tip. */
  branches: ReadonlyMap<string, string>;
  /** The integration branch as the user would name it (e.g. origin/main) and its tip. */
  integration: { name: string; tip: string } | null;
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
}

/** A PENDING-to-be backup whose pending commit is not in the integration branch by ancestry. */
export interface PatchQuery {
  plan: ReconcilePlan;
  pending: string;
}

const short = (sha: string) => sha.slice(0, 12);

export function createdSeconds(createdAt: string): number {
  return Math.floor(Date.parse(createdAt) / 1000);
}

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

/** First pass: commits on the branch (→ PENDING) and ancestry in the integration branch (→ CONFIRMED). */
export function planByAncestry(backups: readonly ReconcileBackup[], facts: ReconcileFacts): { plans: ReconcilePlan[]; patchQueries: PatchQuery[] } {
  const plans: ReconcilePlan[] = [];
  const patchQueries: PatchQuery[] = [];
  const q = new Qualifier(facts.graph);
  const integ = facts.integration;
  const introduced = integ ? facts.graph.introducedBy(integ.tip) : new Map<string, string>();
  const integrated = (c: string) => integ !== null && facts.graph.has(c) && facts.graph.isAncestor(c, integ.tip);

  for (const b of backups) {
    if (b.state !== 'CREATED' && b.state !== 'PENDING') continue;
    const plan: ReconcilePlan = { id: b.id, from: b.state, facts: null, steps: [] };
    // A deleted branch has no tip: the backup stays where it is (the time policy judges it), but
    // a pending commit already known can still be found merged.
    const tip = b.branch === null ? undefined : facts.branches.get(b.branch);
    const successor = b.base_successor ?? null;
    const rule = q.qualifies(tip, b.base, createdSeconds(b.created_at), successor);
    const holds = rule !== null;
    let pending = b.pending_commit;

    if (b.state === 'CREATED') {
      if (!holds) continue;
      pending = tip!;
      const rewritten = rule === 'successor' && successor && b.base ? ` (its base ${short(b.base)} rewritten as ${short(successor.commit)})` : '';
      plan.steps.push({ to: 'PENDING', facts: { pending_commit: pending }, drivenBy: pending, reason: `committed on ${b.branch} in ${short(pending)}${rewritten}` });
    } else if (holds && tip !== pending && !(pending !== null && integrated(pending))) {
      // The branch advanced or was rewritten (amend, rebase): follow its tip.
      pending = tip!;
      plan.facts = { pending_commit: pending };
    }

    if (pending !== null && integ) {
      if (integrated(pending)) {
        const by = introduced.get(pending) ?? pending;
        plan.steps.push({ to: 'CONFIRMED', facts: { confirmed_by: by }, drivenBy: by, reason: `merged into ${integ.name} by ${short(by)}` });
      } else {
        patchQueries.push({ plan, pending });
      }
    }
    if (plan.steps.length || plan.facts) plans.push(plan);
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
 * Second pass: an equivalent patch in the integration branch confirms. The combined diff catches
 * a squash merge; the pending commit's own diff catches a rebase merge (the branch replayed onto
 * the integration branch, whose last replayed commit has the tip's patch).
 */
export function planByPatch(queries: readonly PatchQuery[], patches: PatchFacts, integrationName: string, plans: ReconcilePlan[]): void {
  for (const { plan, pending } of queries) {
    const ids = patches.pending.get(pending);
    if (!ids) continue;
    const squash = ids.combined ? patches.integration.get(ids.combined) : undefined;
    const rebased = ids.own ? patches.integration.get(ids.own) : undefined;
    const by = squash ?? rebased;
    if (!by) continue;
    const how = squash ? 'squash-merged' : 'rebase-merged';
    plan.steps.push({ to: 'CONFIRMED', facts: { confirmed_by: by }, drivenBy: by, reason: `${how} into ${integrationName} as ${short(by)} (same patch-id)` });
    if (!plans.includes(plan)) plans.push(plan);
  }
}
