// Reconcile: recompute the git-driven states (CREATED → PENDING → CONFIRMED) from repository facts
// (design.md §Lifecycle/§Triggers), so whatever the hooks missed — a merge on a server, a fetch, hooks not installed —
// is caught up. Every move rests on a content proof (core/content.ts): where each protected path
// is held. Facts are read without the lock; moveBackups re-checks every decision under it, and a
// plan made stale meanwhile (or deferred by a higher-priority trigger) is skipped and retried on
// the next run. Every move is made as GIT_HOOK: git facts, not the user, drive it.
import type { Context } from './context.js';
import { othersIn, worktreeKey } from './clone.js';
import type { StoreData, Trigger } from '../core/types.js';
import type { ContentProof, ProtectedEntry } from '../core/content.js';
import { planByAncestry, planByPatch, type ReconcilePlan } from '../core/reconcile.js';
import { readReconcileFacts } from '../git/facts.js';
import { moveBackups, type PlannedMove } from './transition.js';
import { authorsToKeep, contentEdit, readMissingProtects } from './content.js';
import { readPatchFactsCached } from '../store/patch-cache.js';

export interface ReconcileReport {
  moved: { id: string; from: string; to: string }[];
}

export interface ReconcilePreview extends ReconcileReport {
  /** Backups whose pending_commit follows their branch (advanced, amended, rebased). */
  followed: { id: string; pending_commit: string }[];
}

export interface ReconcileDecisions {
  /** Every backup something was decided about: moves, facts, or only a new content verdict. */
  plans: ReconcilePlan[];
  /** Protected entries read back from snapshots, for records that lacked them. */
  protects: Map<string, ProtectedEntry[]>;
  /** Snapshot authors read back, for records that lacked them (id → email). */
  authors: Map<string, string>;
  /** The records the decisions were made from (every CREATED and PENDING one at least). */
  data: Pick<StoreData, 'backups'>;
}

/**
 * What reconcile would do, without writing anything; from `data` when the caller has just read the
 * store (or only its records in play, Store.live: the others are not looked at).
 */
export async function planReconcile(ctx: Context, data?: Pick<StoreData, 'backups'>): Promise<ReconcileDecisions> {
  data ??= await ctx.store.read();
  // Another clone's backups are that clone's to move (docs/remote.md).
  const live = data.backups.filter((b) => b.state === 'CREATED' || b.state === 'PENDING');
  const foreign = await othersIn(ctx, live);
  const active = live.filter((b) => !foreign(b));
  if (active.length === 0) return { plans: [], protects: new Map(), authors: new Map(), data }; // the common, cheap case: no git process at all
  const protects = await readMissingProtects(ctx, active);
  const backups = active.map((b) => ({ ...b, protects: protects.get(b.id) ?? b.protects ?? null }));
  const read = await readReconcileFacts(ctx.repo, (await ctx.config()).integrationBranch, backups);
  // HEAD is a detached backup's line only in its own working tree (records name it either way).
  const facts = read.head ? { ...read, head: { ...read.head, worktrees: [worktreeKey(ctx.repo), ctx.repo.worktree] } } : read;
  const { plans, patchQueries } = planByAncestry(backups, facts);
  if (patchQueries.length && facts.integration) {
    const patches = await readPatchFactsCached(ctx.store.paths.dir, ctx.repo, patchQueries.map((q) => q.pending), facts.integration.tip, facts.graph);
    planByPatch(patchQueries, patches, facts.integration.name, plans);
  }
  return { plans, protects, authors: authorsToKeep(active, facts.authors), data };
}

const moves = (plans: readonly ReconcilePlan[]) => plans.filter((p) => p.steps.length || p.facts);

export function toMoves(plans: readonly ReconcilePlan[]): PlannedMove[] {
  return moves(plans).map((p) => ({
    id: p.id,
    expect: p.from,
    steps: p.steps.map((s) => s.to),
    stepFacts: p.steps.map((s) => s.facts),
    drivenBy: p.steps.map((s) => s.drivenBy),
    reasons: p.steps.map((s) => s.reason),
    ...(p.facts ? { facts: p.facts } : {}),
  }));
}

function report(plans: readonly ReconcilePlan[], applied: ReadonlySet<string>): ReconcilePreview {
  const moved: ReconcileReport['moved'] = [];
  const followed: ReconcilePreview['followed'] = [];
  for (const p of plans) {
    if (!applied.has(p.id)) continue;
    let from: string = p.from;
    for (const s of p.steps) {
      moved.push({ id: p.id, from, to: s.to });
      from = s.to;
    }
    if (p.facts?.pending_commit) followed.push({ id: p.id, pending_commit: p.facts.pending_commit });
  }
  return { moved, followed };
}

export async function reconcile(ctx: Context, opts: { trigger: Trigger; dryRun?: boolean; data?: Pick<StoreData, 'backups'> }): Promise<ReconcilePreview> {
  const { plans, protects, authors, data } = await planReconcile(ctx, opts.data);
  if (plans.length === 0 && protects.size === 0 && authors.size === 0) return { moved: [], followed: [] };
  const toMove = toMoves(plans);
  // The verdicts (db.json only: they change with every commit), written with the moves when there are any.
  const proofs = new Map<string, ContentProof>();
  for (const p of plans) if (p.proof) proofs.set(p.id, p.proof);
  const content = opts.dryRun ? null : contentEdit(protects, proofs, data, authors);
  const results = toMove.length
    ? await moveBackups(ctx, toMove, { trigger: opts.trigger, reason: 'reconcile', force: false, dryRun: opts.dryRun ?? false, skipRefused: true, ...(content ? { alongside: content } : {}) })
    : [];
  if (content && !toMove.length) await ctx.store.patch(content.ids, (records) => content.apply(records));
  return report(plans, new Set(results.map((r) => r.record.id)));
}
