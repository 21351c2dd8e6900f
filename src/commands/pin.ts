// `git backup pin <id>` and `git backup unpin <id>`: protect a backup from automatic cleanup, or not.
import type { Context } from '../app/context.js';
import { resolveBackups } from '../app/resolve.js';
import { setPinned } from '../app/access.js';
import { define, idArg, inContext } from './define.js';

export const pinCommand = define({
  command: 'pin <id>',
  describe: 'protect a backup from automatic cleanup',
  builder: idArg,
  handler: (a) => inContext((ctx) => runPin(ctx, { id: a.id }, true)),
});

export const unpinCommand = define({
  command: 'unpin <id>',
  describe: 'let automatic cleanup consider a backup again',
  builder: idArg,
  handler: (a) => inContext((ctx) => runPin(ctx, { id: a.id }, false)),
});

export interface PinArgs {
  id: string;
}

export async function runPin(ctx: Context, args: PinArgs, pinned: boolean): Promise<void> {
  const [record] = await resolveBackups(ctx, [args.id]);
  await setPinned(ctx, record!.id, pinned);
  ctx.io.out(`${pinned ? 'pinned' : 'unpinned'} ${record!.id}`);
}
