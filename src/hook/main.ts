// `git backup hook …`: what the hook templates call. A fast path: bin/git-backup.js comes here
// without loading yargs (~60 ms), and arguments go through node:util parseArgs.
//
//   git backup hook drain [--repo DIR]           apply waiting events, reconcile, checks
//   git backup hook pre-rebase [UPSTREAM [BRANCH]]  the opt-in automatic backup before a rebase
//
// Nothing here may print more than one line: hooks run in the user's terminal.
import { parseArgs } from 'node:util';
import { stripHookEnvironment } from './env.js';
import { BackupError, ExitCode } from '../errors.js';
import type { Context, Output } from '../app/context.js';

const USAGE = 'usage: git backup hook drain [--repo DIR] | git backup hook pre-rebase [UPSTREAM [BRANCH]]';

/** Output for a process with no one watching: everything goes to the store's backup.log. */
function logOutput(storeDir: () => string | null, log: (dir: string, line: string) => void): Output {
  const write = (t: string) => {
    const dir = storeDir();
    if (dir) log(dir, t.trimEnd());
  };
  return {
    out: write,
    err: write,
    interactive: false,
    ask: async () => {
      throw new BackupError(ExitCode.REFUSED, 'a hook cannot ask questions');
    },
  };
}

async function open(repoDir: string): Promise<Context> {
  const { openContext } = await import('../app/context.js');
  const { logLine } = await import('../app/backup-log.js');
  let ctx: Context | null = null;
  const io = logOutput(() => ctx?.store.paths.dir ?? null, logLine);
  ctx = await openContext(io, repoDir);
  return ctx;
}

async function runDrain(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { repo: { type: 'string' } }, strict: true, allowPositionals: false });
  const ctx = await open(values.repo ?? process.cwd());
  const { drain } = await import('../app/drain.js');
  const { logLine } = await import('../app/backup-log.js');
  try {
    await drain(ctx);
    return ExitCode.OK;
  } catch (e) {
    logLine(ctx.store.paths.dir, `drain failed: ${e instanceof Error ? e.message : String(e)}`);
    return e instanceof BackupError ? e.exitCode : ExitCode.UNEXPECTED;
  }
}

async function runPreRebase(args: string[]): Promise<number> {
  const { positionals } = parseArgs({ args, options: {}, strict: true, allowPositionals: true });
  const ctx = await open(process.cwd());
  const { loadConfig } = await import('../config/load.js');
  const { logLine } = await import('../app/backup-log.js');
  // Warnings (unknown keys) go to backup.log: a hook prints at most one line.
  const config = await loadConfig(ctx.repo, { warn: (line) => logLine(ctx.store.paths.dir, line) });
  if (!config.hooks.preRebase) return ExitCode.OK;
  const { createBackup } = await import('../app/create.js');
  const [upstream, branch] = positionals;
  const record = await createBackup(ctx, {
    message: `before rebase${branch ? ` of ${branch}` : ''}${upstream ? ` onto ${upstream}` : ''}`,
    includeIgnored: false,
    paths: [],
    cwd: ctx.repo.worktree,
    pin: false,
    labels: ['auto:pre-rebase'],
    trigger: 'GIT_HOOK',
  });
  logLine(ctx.store.paths.dir, `pre-rebase: took backup ${record.id}`);
  return ExitCode.OK;
}

const HELP = `git backup hook <command>

What the hook templates call; you do not need it day to day (docs/hooks.md).

Commands:
  git backup hook drain [--repo DIR]                  apply the events the hooks recorded (exactly once), then reconcile
  git backup hook pre-rebase [UPSTREAM [BRANCH]]      the automatic backup before a rebase (backup.hooks.preRebase=true)

Environment: GIT_BACKUP_HOOK_MODE=sync drains in the foreground (tests, CI); =off makes the hooks do nothing.`;

export async function hookMain(argv: string[]): Promise<number> {
  // First thing: git's hook variables must not leak into any git command we run.
  stripHookEnvironment(process.env);
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(`${HELP}\n`);
    return ExitCode.OK;
  }
  try {
    if (sub === 'drain') return await runDrain(rest);
    if (sub === 'pre-rebase') return await runPreRebase(rest);
    process.stderr.write(`git backup hook: unknown hook command ${JSON.stringify(sub ?? '')}; ${USAGE}\n`);
    return ExitCode.USAGE;
  } catch (e) {
    if (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`git backup hook: ${e.message}; ${USAGE}\n`);
      return ExitCode.USAGE;
    }
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`git backup hook ${sub}: ${message.split('\n')[0]}\n`);
    return e instanceof BackupError ? e.exitCode : ExitCode.UNEXPECTED;
  }
}
