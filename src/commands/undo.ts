// `git backup undo [ID] [--yes] [--dry-run] [--json]` and `git backup redo`: parse, preview, confirm,
// put back (app/undo.ts), print.
import type { Argv } from 'yargs';
import type { Context } from '../app/context.js';
import type { PutBackKind, PutBackPlan } from '../app/undo.js';
import { BackupError, ExitCode } from '../errors.js';
import { askYes } from './ask.js';
import { define, inContext, jsonOpt } from './define.js';

export interface UndoArgs {
  id: string | null;
  yes: boolean;
  dryRun: boolean;
  json: boolean;
}

const options = (y: Argv) =>
  y
    .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'do not show the preview and ask (on a terminal)' })
    .option('dry-run', { type: 'boolean', default: false, describe: 'show what would change, change nothing' })
    .option('json', jsonOpt);

export const undoCommand = define({
  command: 'undo [id]',
  describe: 'put the working tree back to before the last run, restore or redo (or to backup ID); redo reverses it',
  builder: (y) => options(y.positional('id', { type: 'string', describe: 'put the tree back to this backup instead' })),
  handler: (a) => inContext((ctx) => runUndo(ctx, 'undo', { id: typeof a.id === 'string' ? a.id : null, yes: a.yes, dryRun: a.dryRun, json: a.json })),
});

export const redoCommand = define({
  command: 'redo',
  describe: 'reverse the last undo',
  builder: (y) => options(y),
  handler: (a) => inContext((ctx) => runUndo(ctx, 'redo', { id: null, yes: a.yes, dryRun: a.dryRun, json: a.json })),
});

export async function runUndo(ctx: Context, kind: PutBackKind, args: UndoArgs): Promise<void> {
  // From the plan's trees (the working tree read, the target read back) to the put-back, perhaps
  // after a question on a terminal: objects gc --now must spare.
  const [{ asPutBack }, { asWorktreeWriter }] = await Promise.all([import('../app/undo.js'), import('../app/worktree-lock.js')]);
  return asPutBack(ctx, async () => {
    // The preview and the question come before the working tree's lock: a person reading must not
    // hold up a restore or a recover (they would wait, then fail). The put-back plans again under
    // the lock and goes on only if that plan is the one the person said yes to.
    const asking = !args.dryRun && ctx.io.interactive && !args.yes && !args.json;
    let agreed: PutBackPlan | null = null;
    if (args.dryRun || asking) {
      agreed = await preview(ctx, kind, args);
      if (!agreed || args.dryRun) return;
      await askYes(ctx, `${kind}?`);
    }
    await asWorktreeWriter(ctx, () => putBackNow(ctx, kind, args, agreed));
  });
}

type Summary = { kind: PutBackKind; target: string; message: string; changes: PutBackPlan['changes']; head_moved: boolean };

const summaryOf = (kind: PutBackKind, plan: PutBackPlan): Summary => ({ kind, target: plan.target.id, message: plan.target.message, changes: plan.changes, head_moved: plan.headMoved });

const headNoteOf = (plan: PutBackPlan) => (plan.headMoved ? `HEAD moved since ${plan.target.id}: files come back, commits stay (git reset moves HEAD)` : null);

/** Nothing to put back: said (or printed as JSON) and true. */
function nothingTo(ctx: Context, kind: PutBackKind, args: UndoArgs, plan: PutBackPlan): boolean {
  if (plan.changes.length > 0) return false;
  if (args.json) ctx.io.out(JSON.stringify({ ...summaryOf(kind, plan), done: false, written: 0, removed: 0, undo_point: null }));
  else ctx.io.out(`nothing to ${kind}: the working tree already matches ${plan.target.id}`);
  return true;
}

/** The plan, shown on stderr (and with --dry-run as JSON); null when there is nothing to do. */
async function preview(ctx: Context, kind: PutBackKind, args: UndoArgs): Promise<PutBackPlan | null> {
  const { planPutBack, previewText } = await import('../app/undo.js');
  const plan = await planPutBack(ctx, kind, args.id);
  if (nothingTo(ctx, kind, args, plan)) return null;
  ctx.io.err(`${kind} puts the working tree back to ${plan.target.id} (${plan.target.message}):`);
  ctx.io.err((await previewText(ctx, plan)).trimEnd());
  const headNote = headNoteOf(plan);
  if (headNote) ctx.io.err(headNote);
  if (args.dryRun && args.json) ctx.io.out(JSON.stringify({ ...summaryOf(kind, plan), done: false, written: 0, removed: 0, undo_point: null }));
  return plan;
}

const sameChanges = (a: PutBackPlan, b: PutBackPlan) =>
  a.target.id === b.target.id && JSON.stringify(a.changes.map((c) => `${c.status} ${c.path}`).sort()) === JSON.stringify(b.changes.map((c) => `${c.status} ${c.path}`).sort());

/** Under the working tree's lock: plan (again), put back, print. */
async function putBackNow(ctx: Context, kind: PutBackKind, args: UndoArgs, agreed: PutBackPlan | null): Promise<void> {
  const { planPutBack, putBackRecorded } = await import('../app/undo.js');
  const plan = await planPutBack(ctx, kind, args.id);
  if (agreed && !sameChanges(agreed, plan)) {
    throw new BackupError(ExitCode.INVALID, `the working tree or the undo history changed since the preview (another undo, restore or edit); nothing was changed; run git backup ${kind} again`);
  }
  if (nothingTo(ctx, kind, args, plan)) return;
  const summary = summaryOf(kind, plan);
  const headNote = headNoteOf(plan);
  const out = await putBackRecorded(ctx, kind, plan, args.json);
  // The changes a sparse checkout kept it from making (the rest of the cone's outside did not differ).
  const changed = new Set(plan.changes.map((c) => c.path));
  const leftOutside = out.outsideSparse.filter((p) => changed.has(p));
  if (args.json) {
    ctx.io.out(JSON.stringify({ ...summary, done: true, written: out.written, removed: out.removed, undo_point: out.safetyBackup, outside_sparse: leftOutside, not_utf8: out.unnamed }));
    return;
  }
  const back = kind === 'undo' ? 'git backup redo' : 'git backup undo';
  const outside = (leftOutside.length ? `; ${leftOutside.length} change(s) outside the sparse checkout left as they are (${leftOutside[0]}…)` : '') +
    (out.unnamed.length ? `; ${out.unnamed.length} file(s) whose names are not UTF-8 left as they are (${out.unnamed[0]}…)` : '');
  ctx.io.out(`${kind === 'undo' ? 'undid' : 'redid'}: the working tree is back to ${plan.target.id} (${out.written} written, ${out.removed} removed)${outside}; ${back} reverses it`);
  if (headNote) ctx.io.out(headNote);
}
