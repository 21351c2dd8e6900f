// `git backup diff <id> [other]`: what changed between a backup and the working tree, or between two
// backups (app/diff.ts), as a patch, a per-file summary (--stat), or one JSON document.
import type { Context } from '../app/context.js';
import { define, idArg, inContext, jsonOpt } from './define.js';

export interface DiffArgs {
  id: string;
  /** A second backup to compare with, instead of the working tree. */
  other: string | null;
  stat: boolean;
  json: boolean;
}

export const diffCommand = define({
  command: 'diff <id> [other]',
  describe: 'show what changed between a backup and the working tree (or a second backup: what a run did)',
  builder: (y) =>
    idArg(y)
      .positional('other', { type: 'string', describe: 'compare with this backup instead of the working tree' })
      .option('stat', { type: 'boolean', default: false, describe: 'a summary per file instead of a patch' })
      .option('json', { ...jsonOpt, describe: 'one JSON document: each changed file with its status and line counts' })
      .example('git backup diff BEFORE AFTER', 'what a `git backup run` command changed'),
  handler: (a) => inContext((ctx) => runDiff(ctx, { id: a.id, other: a.other ?? null, stat: a.stat, json: a.json })),
});

/** Backup on the left, working tree (or the other backup) on the right, like `git diff <commit>`. */
export async function runDiff(ctx: Context, args: DiffArgs): Promise<void> {
  const { diffBackup } = await import('../app/diff.js');
  const r = await diffBackup(ctx, args.id, args.other, { stat: args.stat, summary: args.json });
  if (r.kind === 'summary') ctx.io.out(JSON.stringify({ id: r.id, ...(r.other ? { other: r.other } : {}), files: r.files }));
  else if (r.text) ctx.io.out(r.text);
}
