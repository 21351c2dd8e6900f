// `git backup run [-m MSG] [--label L]... -- COMMAND [ARG...]`: parse, run, exit with the command's status.
import type { Context } from '../app/context.js';
import { runWrapped } from '../app/run.js';
import { PassThroughExit, usageError } from '../errors.js';

export interface RunArgs {
  command: string[];
  message: string;
  label: string[];
}

export async function runRun(ctx: Context, args: RunArgs): Promise<void> {
  const [command, ...rest] = args.command;
  if (!command) throw usageError('run needs a command: git backup run [-m MSG] -- COMMAND [ARG...]');
  const out = await runWrapped(ctx, { command, args: rest, message: args.message, labels: args.label });
  // Our lines go to stderr, and only on a terminal: the command's own output stays exactly its own
  // when a script captures it (backup.log and `git backup list --label run:<session>` keep the pair).
  if (out.failure) process.stderr.write(`git backup run: ${out.failure}\n`);
  if (process.stderr.isTTY) {
    const after = out.after
      ? `after: ${out.after.id} (git backup diff ${out.before.id} ${out.after.id}; git backup undo puts the tree back)`
      : 'the command changed nothing';
    process.stderr.write(`git backup run: before: ${out.before.id}; ${after}\n`);
  }
  if (out.exitCode !== 0) throw new PassThroughExit(out.exitCode);
}
