// `git backup restore <id> [paths..]`: write a backup's files back (app/restore.ts backs up every
// file it would overwrite first) and say where what it replaced went.
import type { Context } from '../app/context.js';
import { restoreBackup } from '../app/restore.js';
import { define, idArg, inContext, jsonOpt, pathArgs } from './define.js';

export interface RestoreArgs {
  id: string;
  to: string | undefined;
  paths: string[];
  json: boolean;
}

export const restoreCommand = define({
  command: 'restore <id> [paths..]',
  describe: "write a backup's files back (first backing up every file it would overwrite)",
  builder: (y) =>
    idArg(y)
      .positional('paths', { type: 'string', array: true, describe: 'only these files or directories' })
      .option('to', { type: 'string', describe: 'restore into DIR instead of the working tree (must not hold different files)' })
      .option('json', jsonOpt)
      .example('git backup restore 20261121-1030 -- src/', 'bring back src/ only'),
  handler: (a) => inContext((ctx) => runRestore(ctx, { id: a.id, to: a.to, paths: pathArgs(a), json: a.json })),
});

export async function runRestore(ctx: Context, args: RestoreArgs): Promise<void> {
  const r = await restoreBackup(ctx, { id: args.id, to: args.to, paths: args.paths, cwd: process.cwd() });
  if (args.json) {
    ctx.io.out(JSON.stringify(r));
    return;
  }
  const undo = r.safety_backup ? `; what it replaced is in backup ${r.safety_backup} (git backup restore ${r.safety_backup})` : '';
  ctx.io.out(`restored ${r.written} file(s) from ${r.id} into ${r.target}${undo}`);
}
