// `git backup undo [ID] [--yes] [--dry-run] [--json]` and `git backup redo`: parse, preview, confirm, put back, print.
import type { Context } from '../app/context.js';
import { planPutBack, previewText, putBackRecorded, type PutBackKind } from '../app/undo.js';
import { askYes } from './confirm.js';

export interface UndoArgs {
  id: string | null;
  yes: boolean;
  dryRun: boolean;
  json: boolean;
}

export async function runUndo(ctx: Context, kind: PutBackKind, args: UndoArgs): Promise<void> {
  const plan = await planPutBack(ctx, kind, args.id);
  const summary = { kind, target: plan.target.id, message: plan.target.message, changes: plan.changes, head_moved: plan.headMoved };
  if (plan.changes.length === 0) {
    if (args.json) ctx.io.out(JSON.stringify({ ...summary, done: false, written: 0, removed: 0, undo_point: null }));
    else ctx.io.out(`nothing to ${kind}: the working tree already matches ${plan.target.id}`);
    return;
  }
  const headNote = plan.headMoved ? `HEAD moved since ${plan.target.id}: files come back, commits stay (git reset moves HEAD)` : null;
  if (args.dryRun || (ctx.io.interactive && !args.yes && !args.json)) {
    ctx.io.err(`${kind} puts the working tree back to ${plan.target.id} (${plan.target.message}):`);
    ctx.io.err((await previewText(ctx, plan)).trimEnd());
    if (headNote) ctx.io.err(headNote);
  }
  if (args.dryRun) {
    if (args.json) ctx.io.out(JSON.stringify({ ...summary, done: false, written: 0, removed: 0, undo_point: null }));
    return;
  }
  // Nothing is lost either way (the undo point keeps the tree as it is), so only a terminal asks.
  if (ctx.io.interactive && !args.yes && !args.json) await askYes(ctx, `${kind}?`);
  const out = await putBackRecorded(ctx, kind, plan, args.json);
  if (args.json) {
    ctx.io.out(JSON.stringify({ ...summary, done: true, written: out.written, removed: out.removed, undo_point: out.safetyBackup }));
    return;
  }
  const back = kind === 'undo' ? 'git backup redo' : 'git backup undo';
  ctx.io.out(`${kind === 'undo' ? 'undid' : 'redid'}: the working tree is back to ${plan.target.id} (${out.written} written, ${out.removed} removed); ${back} reverses it`);
  if (headNote) ctx.io.out(headNote);
}
