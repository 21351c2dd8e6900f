// The full command line: yargs (strict) parses and validates, then one command runs. Loaded by
// cli.ts only when its fast path does not apply. Each command lives in its own file under
// commands/ (flags, help, examples, handler); this file only registers them, in the order --help
// lists them, and holds what is common to all: usage, exit codes, the strictness, error mapping.
import yargs, { type Argv, type ArgumentsCamelCase } from 'yargs';
import { BackupError, usageError } from './errors.js';
import { packageVersion } from './package-root.js';
import type { CommandDef } from './commands/define.js';
import { initCommand } from './commands/init.js';
import { createCommand } from './commands/create.js';
import { listCommand, statusCommand } from './commands/list.js';
import { logCommand, showCommand } from './commands/show.js';
import { archiveCommand, cleanupCommand, confirmCommand, deleteCommand, transitionCommand } from './commands/transition.js';
import { pinCommand, unpinCommand } from './commands/pin.js';
import { restoreCommand } from './commands/restore.js';
import { diffCommand } from './commands/diff.js';
import { runCommand } from './commands/run.js';
import { redoCommand, undoCommand } from './commands/undo.js';
import { reconcileCommand } from './commands/reconcile.js';
import { emergencyCommand, tickCommand } from './commands/tick.js';
import { syncCommand } from './commands/sync.js';
import { pushCommand } from './commands/push.js';
import { fetchCommand } from './commands/fetch.js';
import { recoverCommand } from './commands/recover.js';
import { verifyCommand } from './commands/verify.js';
import { gcCommand } from './commands/gc.js';
import { ciCommand } from './commands/ci.js';
import { configCommand } from './commands/config.js';
import { installCommand, uninstallCommand } from './commands/install.js';
import { hookCommand } from './commands/hook.js';

export { createArgs } from './commands/create.js';

const EPILOGUE = 'Exit codes: 0 ok, 1 unexpected error, 2 usage, 3 invalid transition or value, 4 not found, 5 store busy, 6 deferred to a higher-priority trigger, 7 store damaged, 8 CI check failed, 9 needs --yes or --force.\nDocs: README.md of git-backup, or man git-backup.';

/** Every command, in the order --help lists them. */
const COMMANDS = [
  initCommand,
  createCommand,
  listCommand,
  showCommand,
  statusCommand,
  transitionCommand,
  confirmCommand,
  cleanupCommand,
  archiveCommand,
  deleteCommand,
  pinCommand,
  unpinCommand,
  restoreCommand,
  diffCommand,
  runCommand,
  undoCommand,
  redoCommand,
  logCommand,
  reconcileCommand,
  tickCommand,
  emergencyCommand,
  syncCommand,
  pushCommand,
  fetchCommand,
  recoverCommand,
  verifyCommand,
  gcCommand,
  ciCommand,
  configCommand,
  installCommand,
  uninstallCommand,
  hookCommand,
] as const;

type Handler = (argv: ArgumentsCamelCase) => Promise<void>;

/** Command name → what runs it, used once parsing is done. */
const handlers = new Map<string, Handler>(COMMANDS.map((c) => [c.command.split(' ')[0] ?? c.command, c.handler as Handler]));

export function buildParser(argv: string[]): Argv {
  let y = yargs(argv)
    .scriptName('git backup')
    .usage('git backup <command> [options]\n\nBackups of your working tree that follow your work through git (commit, merge) until they are provably safe to delete.');
  // Registered without their handlers: yargs only parses and validates, and the handler runs after
  // parsing. Registered with a handler, yargs renders the whole help text on every run to cache it
  // (~10 ms of each command's start-up, measured), which nothing here needs.
  for (const c of COMMANDS as readonly CommandDef<unknown>[]) y = y.command(c.command, c.describe, c.builder as (y: Argv) => Argv);
  return y
    .demandCommand(1, 'name a command')
    .strict()
    .recommendCommands()
    .parserConfiguration({ 'populate--': true })
    .help()
    .alias('h', 'help')
    .version(packageVersion())
    .epilogue(EPILOGUE)
    .wrap(Math.min(100, process.stdout.columns || 100))
    .fail((msg, err) => {
      // yargs reports a failed coerce() as its own YError carrying our message: still a usage error.
      if (err && !(err instanceof BackupError) && err.name === 'YError') throw usageError(`${err.message}; see git backup --help`);
      if (err) throw err;
      // yargs puts the detail of some messages on the next lines ("Invalid values:\n  Argument: sort,
      // Given: …, Choices: …"); errors are one line, so they are joined rather than cut.
      throw usageError(`${msg.trim().replace(/\s*\n\s*/g, ' ')}; see git backup --help`);
    });
}

/** Every boolean option of every command (test/cli/docs.test.ts checks this against each --help). */
export const BOOLEAN_OPTIONS: ReadonlySet<string> = new Set(['json', 'yes', 'force', 'dry-run', 'include-ignored', 'pin', 'now', 'rebuild', 'stat', 'allow-empty', 'sparse']);

/**
 * yargs reads `--json=maybe` as false without a word; a flag given a value that is not true or
 * false is a usage error instead.
 */
function rejectBooleanValues(argv: string[]): void {
  for (const arg of argv) {
    if (arg === '--') return;
    const m = /^--(?:no-)?([^=]+)=(.*)$/s.exec(arg);
    if (m?.[1] !== undefined && BOOLEAN_OPTIONS.has(m[1]) && m[2] !== 'true' && m[2] !== 'false') {
      throw usageError(`--${m[1]} is a flag: give it alone (or =true/=false), not ${JSON.stringify(m[2])}; see git backup --help`);
    }
  }
}

/** Parse argv with yargs and run the command it names; errors are thrown for cli.ts to report. */
export async function parseAndRun(argv: string[]): Promise<void> {
  rejectBooleanValues(argv);
  const parsed = await buildParser(argv).parseAsync();
  const handler = handlers.get(String(parsed._[0]));
  if (!handler) throw usageError(`name a command; see git backup --help`);
  await handler(parsed);
}
