// `git backup recover [--rebuild] [--json]`.
import type { Context } from '../app/context.js';
import { checkStore, rebuildStore } from '../app/recover.js';
import { finishInterruptedPutBack } from '../app/undo.js';
import { asWorktreeWriter } from '../app/worktree-lock.js';
import { BackupError, ExitCode } from '../errors.js';
import { define, inContext, jsonOpt } from './define.js';

export const recoverCommand = define({
  command: 'recover',
  describe: 'check the store against refs/backups/* and the notes, and repair what is safe',
  builder: (y) =>
    y
      .option('rebuild', { type: 'boolean', default: false, describe: 'rebuild db.json from refs and notes alone (keeps the old one as db.json.before-rebuild)' })
      .option('json', jsonOpt),
  handler: (a) => inContext((ctx) => runRecover(ctx, { rebuild: a.rebuild, json: a.json })),
});

export async function runRecover(ctx: Context, args: { rebuild: boolean; json: boolean }): Promise<void> {
  const r = args.rebuild ? await rebuildStore(ctx) : await checkStore(ctx);
  // As the working tree's writer: an undo still running finishes first (and then leaves nothing to finish).
  const finished = await asWorktreeWriter(ctx, () => finishInterruptedPutBack(ctx));
  if (finished) r.repaired.push(finished);
  if (args.json) ctx.io.out(JSON.stringify(r));
  else {
    for (const line of r.repaired) ctx.io.out(`repaired: ${line}`);
    for (const line of r.problems) ctx.io.out(`problem: ${line}`);
    if (r.mode === 'rebuild') ctx.io.out(`recover: ${r.records} record(s) rebuilt (${r.from_notes} from notes, ${r.from_snapshots} from snapshot trailers)`);
    else ctx.io.out(`recover: ${r.records} record(s); ${r.repaired.length} repair(s), ${r.problems.length} problem(s)`);
  }
  // Rebuild problems are reported, not fatal (the rebuild kept everything it could). A check that
  // found content it cannot bring back is a store damaged beyond automatic repair.
  if (r.mode === 'check' && r.problems.length) throw new BackupError(ExitCode.STORE_DAMAGED, `${r.problems.length} problem(s) need attention; see above`);
}
