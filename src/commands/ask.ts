// The question before a deletion: anything but y or yes (any case) refuses, and nothing is deleted.
import type { Context } from '../app/context.js';
import { refusedError } from '../errors.js';

export async function askYes(ctx: Context, question: string): Promise<void> {
  const answer = await ctx.io.ask(`${question} [y/N] `);
  if (!/^y(es)?$/i.test(answer.trim())) throw refusedError('not confirmed; nothing was changed');
}
