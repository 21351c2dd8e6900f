// `git backup tick` and `emergency`: plan (app/policy-plan.ts), then apply through moveBackups with
// skipRefused (a move made stale or deferred meanwhile is left for next time), then alert.
// The dry run applies the same plan with moveBackups' dry run, so it reports exactly the moves a
// real tick with the same facts makes.
import type { Context } from './context.js';
import type { BackupConfig } from '../core/config.js';
import type { PolicyMove } from '../core/policies/plan.js';
import { levelRank } from '../core/policies/disk.js';
import type { RunStamp, Trigger } from '../core/types.js';
import { moveBackups, type PlannedMove } from './transition.js';
import { recordContent } from './content.js';
import { describeProof, type ContentProof } from '../core/content.js';
import { planPolicies, type PolicyPlan, type PlanMode } from './policy-plan.js';
import { withActivity } from './progress.js';
import { countTransitions } from '../core/metrics.js';
import { sendAlert, type AlertKind } from './alert.js';
import { logLine } from '../store/backup-log.js';

export interface TickMove {
  id: string;
  from: string;
  to: string;
  steps: string[];
  trigger: Trigger;
  why: string;
  confidence: number;
  bytes: number;
}

export interface TickReport {
  at: string;
  dry_run: boolean;
  moves: TickMove[];
  /** Planned moves that were refused when applied (not deferrals: those are not planned). */
  failed: TickMove[];
  waiting: PolicyPlan['waiting'];
  kept: PolicyPlan['kept'];
  disk: PolicyPlan['diskReport'];
}

const toTickMove = (m: PolicyMove): TickMove => ({
  id: m.id, from: m.from, to: m.steps[m.steps.length - 1]!, steps: m.steps, trigger: m.trigger, why: m.why, confidence: m.confidence, bytes: m.bytes,
});

/** Each policy move carries its confidence and the content proof it rested on (for show and log). */
function planned(moves: PolicyMove[], proofs: ReadonlyMap<string, ContentProof | null>): PlannedMove[] {
  return moves.map((m) => {
    const content = proofs.get(m.id);
    return {
      id: m.id,
      expect: m.from,
      steps: m.steps,
      // A removal says what proved it safe (for show and log).
      reasons: m.steps.map((to) => (content && (to === 'DELETED' || to === 'ARCHIVED') ? `${m.why}; ${describeProof(content)}` : m.why)),
      stepFacts: m.steps.map(() => ({ confidence: m.confidence, ...(content ? { content } : {}) })),
    };
  });
}

export async function applyPlan(ctx: Context, plan: PolicyPlan, opts: { dryRun: boolean; force?: boolean }): Promise<TickReport> {
  const groups: [PolicyMove[], Trigger][] = [
    [plan.time, 'TIME_BASED'],
    [plan.disk.filter((m) => m.trigger === 'DISK_SPACE'), 'DISK_SPACE'],
    [plan.disk.filter((m) => m.trigger === 'USER'), 'USER'],
  ];
  const moves: TickMove[] = [];
  const failed: TickMove[] = [];
  for (const [group, trigger] of groups) {
    if (group.length === 0) continue;
    const results = await moveBackups(ctx, planned(group, plan.content.proofs), {
      trigger,
      reason: plan.mode,
      force: trigger === 'USER' && (opts.force ?? false),
      dryRun: opts.dryRun,
      skipRefused: true,
    });
    const applied = new Set(results.map((r) => r.record.id));
    for (const m of group) (applied.has(m.id) ? moves : failed).push(toTickMove(m));
  }
  return { at: plan.at, dry_run: opts.dryRun, moves, failed, waiting: plan.waiting, kept: plan.kept, disk: plan.diskReport };
}

/** Alerts for a real evaluation, and the disk level remembered so the next one alerts on a change only. */
async function afterTick(ctx: Context, config: BackupConfig, plan: PolicyPlan, report: TickReport): Promise<void> {
  const alert = (kind: AlertKind, details: unknown) =>
    sendAlert({ command: config.alertCommand, webhook: config.alertWebhook }, { kind, repo: ctx.repo.worktree, at: report.at, details }, ctx.store.paths.dir);
  const before = plan.seen.policy?.disk_level ?? 'ok';
  const level = report.disk.level;
  if (level !== before && levelRank(level) > levelRank(before)) await alert('disk-threshold', { from: before, to: level, disk: report.disk });
  // The disk level (so the next evaluation alerts on a change only) and how this one ended
  // (status --prometheus), in one write.
  const ok = report.failed.length === 0;
  await ctx.store
    .update((d) => {
      if (level !== before) d.policy = { ...d.policy, disk_level: level };
      const byTrigger = new Map<string, number>();
      for (const f of report.failed) byTrigger.set(f.trigger, (byTrigger.get(f.trigger) ?? 0) + 1);
      for (const [trigger, n] of byTrigger) d.stats = countTransitions(d.stats, trigger, 'failed', n);
      d.stats = { ...d.stats, tick: { at: ctx.now.toISOString(), ok, detail: `${report.moves.length} moved, ${report.failed.length} refused` } };
    }, { timeoutMs: 2000 })
    .catch((e: unknown) => logLine(ctx.store.paths.dir, `tick: cannot record the disk level and the result: ${String(e)}`));
  if (report.moves.length && plan.mode === 'tick') await alert('auto-cleanup', { moves: report.moves, disk: report.disk });
  if (report.failed.length) {
    for (const f of report.failed) logLine(ctx.store.paths.dir, `${plan.mode}: ${f.id}: ${f.from} -> ${f.to} was refused when applied`);
    await alert('transition-failed', { failed: report.failed });
  }
}

export interface EvaluateOptions {
  dryRun: boolean;
  mode?: PlanMode;
  /** emergency --force: the user consents to CREATED/PENDING too. */
  force?: boolean;
  /** The configuration, when the caller has loaded it already. */
  config?: BackupConfig;
}

/** Plan and apply (or dry-run) one evaluation of the policies. */
export async function evaluate(ctx: Context, opts: EvaluateOptions): Promise<TickReport> {
  const config = opts.config ?? (await ctx.config());
  return withActivity(opts.mode ?? 'tick', ctx.progress, async (step) => {
    step('finding where each backup\'s content is');
    const plan = await planPolicies(ctx, config, opts.mode ?? 'tick', opts.force ?? false);
    const n = plan.time.length + plan.disk.length;
    step(opts.dryRun ? 'done' : `applying ${n} move${n === 1 ? '' : 's'}`);
    return runPlan(ctx, config, plan, opts.dryRun, opts.force ?? false);
  });
}

export async function runPlan(ctx: Context, config: BackupConfig, plan: PolicyPlan, dryRun: boolean, force = false): Promise<TickReport> {
  let report: TickReport;
  try {
    // The entries read back and the verdicts, kept before anything moves (an archive keeps them).
    if (!dryRun) await recordContent(ctx, plan.content.protects, plan.content.proofs, plan.seen, plan.content.authors);
    report = await applyPlan(ctx, plan, { dryRun, force });
  } catch (e) {
    if (!dryRun) {
      const message = e instanceof Error ? e.message : String(e);
      logLine(ctx.store.paths.dir, `${plan.mode}: ${message}`);
      const failed: RunStamp = { at: ctx.now.toISOString(), ok: false, detail: message.split('\n')[0]!.slice(0, 200) };
      await ctx.store.update((d) => void (d.stats = { ...d.stats, tick: failed }), { timeoutMs: 2000 }).catch(() => undefined);
      await sendAlert({ command: config.alertCommand, webhook: config.alertWebhook }, { kind: 'transition-failed', repo: ctx.repo.worktree, at: plan.at, details: { error: message } }, ctx.store.paths.dir);
    }
    throw e;
  }
  if (!dryRun) await afterTick(ctx, config, plan, report);
  return report;
}
