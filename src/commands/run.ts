// `git backup run [-m MSG] [--label L]... -- COMMAND [ARG...]`: parse, run (app/run.ts), exit with the
// command's own status.
import type { Context } from '../app/context.js';
import { PassThroughExit, usageError } from '../errors.js';
import { define, inContext, listOpt, pathArgs, stringList, textOpt } from './define.js';

export interface RunArgs {
  command: string[];
  message: string;
  label: string[];
  watch: boolean;
}

export const runCommand = define({
  command: 'run [command..]',
  describe: 'run a command between two backups: an undo point before, a backup after if it changed anything; exits with its status',
  builder: (y) =>
    y
      .positional('command', { type: 'string', array: true, describe: 'the command and its arguments, after --' })
      .option('message', textOpt('message', { alias: 'm', default: '', describe: 'what the pair of backups is for (default: the command)' }))
      .option('label', listOpt('label', { describe: 'a label on both backups (repeatable)' }))
      .option('watch', {
        type: 'boolean',
        default: false,
        describe: 'also a checkpoint each time an edit burst settles while the command runs (at most one a second, none when nothing changed)',
      })
      .example('git backup run -- npx codemod src/', 'undoable: git backup undo puts the tree back')
      .example('git backup run -m "agent session" -- claude', 'anything the agent changes, by any means')
      .example('git backup run --watch -- claude', 'and a checkpoint whenever its edits settle'),
  handler: (a) =>
    inContext((ctx) => runRun(ctx, { command: pathArgs({ paths: a.command, '--': a['--'] }), message: a.message, label: stringList(a.label), watch: a.watch })),
});

export async function runRun(ctx: Context, args: RunArgs): Promise<void> {
  const [command, ...rest] = args.command;
  if (!command) throw usageError('run needs a command: git backup run [-m MSG] -- COMMAND [ARG...]');
  const { runWrapped } = await import('../app/run.js');
  const tty = Boolean(process.stderr.isTTY);
  const out = await runWrapped(ctx, {
    command,
    args: rest,
    message: args.message,
    labels: args.label,
    watch: args.watch,
    warn: (line) => {
      if (tty) process.stderr.write(`git backup ${line}\n`);
    },
  });
  // Our lines go to stderr, and only on a terminal: the command's own output stays exactly its own
  // when a script captures it (`git backup list --label run:<session>` finds the pair).
  if (out.failure) process.stderr.write(`git backup run: ${out.failure}\n`);
  // Said whether or not a terminal is there: the pair a script may look for is missing.
  if (out.afterFailure) process.stderr.write(`git backup run: no backup after the command (${out.afterFailure.split('\n')[0]}); before: ${out.before.id}\n`);
  else if (tty) {
    const after = out.after
      ? `after: ${out.after.id} (git backup diff ${out.before.id} ${out.after.id}; git backup undo puts the tree back)`
      : 'the command changed nothing';
    const n = out.watched?.checkpoints.length;
    const checkpoints = out.watched ? `; ${n} checkpoint${n === 1 ? '' : 's'} (git backup list --label run:${out.session})` : '';
    process.stderr.write(`git backup run: before: ${out.before.id}; ${after}${checkpoints}\n`);
  }
  if (out.exitCode !== 0) throw new PassThroughExit(out.exitCode);
}
