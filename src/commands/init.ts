// `git backup init`: create the backup store of this repository (idempotent).
import type { Context } from '../app/context.js';
import { coldCount } from '../core/cold.js';
import { define, inContext, jsonOpt } from './define.js';

export const initCommand = define({
  command: 'init',
  describe: 'create the backup store of this repository (idempotent)',
  builder: (y) => y.option('json', jsonOpt),
  handler: (a) => inContext((ctx) => runInit(ctx, { json: Boolean(a.json) })),
});

export interface InitArgs {
  json: boolean;
}

/** Creates the store (idempotent) and says where it lives. */
export async function runInit(ctx: Context, args: InitArgs): Promise<void> {
  const data = await ctx.store.update((d) => ({ count: d.backups.length + coldCount(d.cold), generation: d.generation }));
  if (args.json) {
    ctx.io.out(JSON.stringify({ store: ctx.store.paths.dir, db: ctx.store.paths.db, backups: data.count }));
    return;
  }
  ctx.io.out(`git backup store ready at ${ctx.store.paths.dir} (${data.count} backups)`);
}
