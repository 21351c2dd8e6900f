// `git backup reconcile [--json] [--dry-run]`: catch the lifecycle up with the repository.
import type { Context } from '../app/context.js';
import { reconcile } from '../app/reconcile.js';
import { define, inContext, jsonOpt } from './define.js';

export const reconcileCommand = define({
  command: 'reconcile',
  describe: 'move backups CREATED -> PENDING -> CONFIRMED from repository facts (commits, merges, rebases, squashes)',
  builder: (y) =>
    y
      .option('dry-run', { type: 'boolean', default: false, describe: 'print what would move, change nothing' })
      .option('json', jsonOpt)
      .epilogue('Moves are recorded with trigger GIT_HOOK (git facts drive them). See docs/reconcile.md.'),
  handler: (a) => inContext((ctx) => runReconcile(ctx, { json: a.json, dryRun: a.dryRun })),
});

export async function runReconcile(ctx: Context, args: { json: boolean; dryRun: boolean }): Promise<void> {
  // GIT_HOOK, not USER: the user asks for the check, but git facts decide every move, and the
  // trigger's priority must be the hooks' so a user's recent decision still defers it.
  const r = await reconcile(ctx, { trigger: 'GIT_HOOK', dryRun: args.dryRun });
  if (args.json) {
    ctx.io.out(JSON.stringify({ dry_run: args.dryRun, moved: r.moved, followed: r.followed }));
    return;
  }
  const verb = args.dryRun ? 'would move' : 'moved';
  for (const m of r.moved) ctx.io.out(`${m.id}: ${m.from} -> ${m.to}`);
  for (const f of r.followed) ctx.io.out(`${f.id}: pending commit is now ${f.pending_commit.slice(0, 12)} (branch advanced or rewritten)`);
  if (r.moved.length === 0 && r.followed.length === 0) ctx.io.out('reconcile: nothing to do');
  else ctx.io.out(`reconcile: ${verb} ${new Set(r.moved.map((m) => m.id)).size} backup(s)`);
}
