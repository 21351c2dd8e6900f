// `git backup recover [--rebuild] [--json]`.
import type { Context } from '../app/context.js';
import { checkStore, rebuildStore } from '../app/recover.js';
import { finishInterruptedPutBack } from '../app/undo.js';
import { BackupError, ExitCode } from '../errors.js';

export async function runRecover(ctx: Context, args: { rebuild: boolean; json: boolean }): Promise<void> {
  const r = args.rebuild ? await rebuildStore(ctx) : await checkStore(ctx);
  const finished = await finishInterruptedPutBack(ctx);
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
