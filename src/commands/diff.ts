// `git backup diff <id>`: what changed between a backup and the working tree (app/diff.ts), as a
// patch, a per-file summary (--stat), or one JSON document.
import type { Context } from '../app/context.js';
import { diffBackup } from '../app/diff.js';
import { define, idArg, inContext, jsonOpt } from './define.js';

export interface DiffArgs {
  id: string;
  stat: boolean;
  json: boolean;
}

export const diffCommand = define({
  command: 'diff <id>',
  describe: 'show what changed between a backup and the working tree',
  builder: (y) =>
    idArg(y)
      .option('stat', { type: 'boolean', default: false, describe: 'a summary per file instead of a patch' })
      .option('json', { ...jsonOpt, describe: 'one JSON document: each changed file with its status and line counts' }),
  handler: (a) => inContext((ctx) => runDiff(ctx, { id: a.id, stat: a.stat, json: a.json })),
});

/** Backup on the left, working tree on the right, like `git diff <commit>`. */
export async function runDiff(ctx: Context, args: DiffArgs): Promise<void> {
  const r = await diffBackup(ctx, args.id, { stat: args.stat, summary: args.json });
  if (r.kind === 'summary') ctx.io.out(JSON.stringify({ id: r.id, files: r.files }));
  else if (r.text) process.stdout.write(r.text);
}
