import type { Context } from '../app/context.js';
import { resolveBackups } from '../app/resolve.js';
import { setPinned } from '../app/access.js';

export interface PinArgs {
  id: string;
}

export async function runPin(ctx: Context, args: PinArgs, pinned: boolean): Promise<void> {
  const [record] = await resolveBackups(ctx, [args.id]);
  await setPinned(ctx, record!.id, pinned);
  ctx.io.out(`${pinned ? 'pinned' : 'unpinned'} ${record!.id}`);
}
