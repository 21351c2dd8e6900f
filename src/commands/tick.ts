// `git backup tick [--dry-run] [--json]` and `git backup emergency [--yes] [--force] [--json]`.
import type { Context } from '../app/context.js';
import { evaluate, runPlan, type TickMove, type TickReport } from '../app/tick.js';
import { planPolicies } from '../app/policy-plan.js';
import { refusedError } from '../errors.js';
import { formatBytes } from './format.js';
import { askYes } from './ask.js';
import { define, inContext, jsonOpt } from './define.js';

export const tickCommand = define({
  command: 'tick',
  describe: 'apply the cleanup policies now: time retention and keep rules, then disk thresholds and quota',
  builder: (y) =>
    y
      .option('dry-run', { type: 'boolean', default: false, describe: 'print the plan (each move: id, from -> to, why, confidence), change nothing' })
      .option('json', jsonOpt)
      .example('git backup tick --dry-run', 'what the policies would do now')
      .epilogue('Hook drains run the same checks at most once per backup.check.interval. See docs/policies.md.'),
  handler: (a) => inContext((ctx) => runTick(ctx, { dryRun: a.dryRun, json: a.json })),
});

export const emergencyCommand = define({
  command: 'emergency',
  describe: 'free disk space now with the nuclear strategy: delete every backup but pinned and un-integrated work (asks twice)',
  builder: (y) =>
    y
      .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'do not ask (required without a terminal)' })
      .option('force', { type: 'boolean', default: false, describe: 'also delete CREATED and PENDING work (not yet integrated)' })
      .option('json', jsonOpt)
      .epilogue('Shows the plan first. Pinned backups are never removed. Without a terminal it refuses (exit 9) unless --yes.'),
  handler: (a) => inContext((ctx) => runEmergency(ctx, { yes: a.yes, force: a.force, json: a.json })),
});

const moveLine = (m: TickMove, verb: string) =>
  `${verb} ${m.id}: ${[m.from, ...m.steps].join(' -> ')}  [${m.trigger}, confidence ${m.confidence}]  ${m.why}`;

/** `verb` for every move, or per move (emergency: deleted or, holding work no commit has, archived). */
function render(r: TickReport, verb: string | ((m: TickMove) => string)): string {
  const lines = r.moves.map((m) => moveLine(m, typeof verb === 'string' ? verb : verb(m)));
  for (const f of r.failed) lines.push(moveLine(f, 'could not move'));
  for (const w of r.waiting) lines.push(`waits     ${w.id}: ${w.why}`);
  const d = r.disk;
  const used = d.used_percent === null ? 'unknown' : `${d.used_percent.toFixed(1)}%`;
  const quota = d.quota === null ? 'no quota' : `${formatBytes(d.exclusive_bytes ?? 0)} held exclusively, quota ${formatBytes(d.quota)}`;
  lines.push(`disk: ${d.level} (${used} used); ${quota}${d.predicted_freed ? `; frees ~${formatBytes(d.predicted_freed)} (after git backup gc)` : ''}`);
  lines.push(`${r.moves.length ? `${r.dry_run ? 'would move' : 'moved'} ${r.moves.length} backup(s)` : 'nothing to move'}; ${r.kept.length} kept by keep rules or pins`);
  return lines.join('\n');
}

export async function runTick(ctx: Context, args: { dryRun: boolean; json: boolean }): Promise<void> {
  ctx.progress = !args.json;
  const r = await evaluate(ctx, { dryRun: args.dryRun });
  ctx.io.out(args.json ? JSON.stringify(r) : render(r, r.dry_run ? 'would move' : 'moved'));
}

const emergencyVerb = (done: boolean) => (m: TickMove) =>
  m.to === 'ARCHIVED' ? (done ? 'archived' : 'would archive') : done ? 'deleted' : 'would delete';

export async function runEmergency(ctx: Context, args: { yes: boolean; force: boolean; json: boolean }): Promise<void> {
  const config = await ctx.config();
  const plan = await planPolicies(ctx, config, 'emergency', args.force);
  const preview = await runPlan(ctx, config, plan, true, args.force);
  if (preview.moves.length === 0) {
    ctx.io.out(args.json ? JSON.stringify(preview) : 'emergency: nothing the nuclear strategy may remove (pinned and un-integrated work stay)');
    return;
  }
  const bytes = preview.moves.reduce((n, m) => n + m.bytes, 0);
  // A backup holding work no commit has is archived, not deleted: the question says which is which.
  const deleting = preview.moves.filter((m) => m.to === 'DELETED').length;
  const archiving = preview.moves.length - deleting;
  const parts = [deleting ? `delete ${deleting} backup(s)` : '', archiving ? `archive ${archiving} (holding work no commit has)` : ''];
  const what = `${parts.filter(Boolean).join(' and ')}, freeing ~${formatBytes(bytes)}`;
  if (!args.yes) {
    if (!ctx.io.interactive) {
      if (!args.json) ctx.io.err(render(preview, emergencyVerb(false)));
      throw refusedError(`emergency would ${what}; refusing without a terminal to confirm; add --yes`);
    }
    ctx.io.err(render(preview, emergencyVerb(false)));
    await askYes(ctx, `Emergency cleanup: ${what}?`);
    // The phrase names what happens: "archive N" when nothing is deleted.
    const phrase = `${deleting ? 'delete' : 'archive'} ${preview.moves.length}`;
    const second = await ctx.io.ask(`${deleting ? 'This cannot be undone. ' : ''}Type "${phrase}" to go ahead: `);
    if (second.trim() !== phrase) throw refusedError('not confirmed; nothing was changed');
  }
  const r = await runPlan(ctx, config, plan, false, args.force);
  ctx.io.out(args.json ? JSON.stringify(r) : render(r, emergencyVerb(true)));
}
