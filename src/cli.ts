// The command line's entry: run one command and map errors to exit codes (design.md §Command line).
// `create` is what users run before a risky edit and what design.md §Performance times, so its plain forms take a
// fast path that never loads yargs (~70 ms of import and parse, measured in BENCHMARKS.md);
// everything else, and every form the fast path is not sure of, goes through the yargs parser.
// Imports are kept to the least `--version` needs (errors straight from core/, the fast path's option
// tables loaded only past the bare flags): every module file is measurable start-up.
import { BackupError, ExitCode, PassThroughExit } from './core/errors.js';
import type { FastCommand } from './cli-fast.js';
import { statfsSync } from 'node:fs';

export async function main(argv: string[]): Promise<number> {
  // `git backup list | head`: the reader may leave before we are done writing. Like git, say nothing
  // about it; the command's own work (a backup taken, a move recorded) is finished all the same.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
  try {
    const fast = bareFlag(argv) ?? (await import('./cli-fast.js')).fastCommand(argv);
    if (!fast || !(await runFast(fast))) await (await import('./cli-parser.js')).parseAndRun(argv);
    return ExitCode.OK;
  } catch (e) {
    return reportError(e);
  }
}

/** --version, -h and --help alone: known without loading anything (cli-fast.ts answers the same). */
function bareFlag(argv: string[]): FastCommand | null {
  if (argv.length !== 1) return null;
  if (argv[0] === '--version') return { kind: 'version' };
  if (argv[0] === '-h' || argv[0] === '--help') return { kind: 'help' };
  return null;
}

/** Run what the fast path parsed; false when it is better left to yargs after all (help on a narrow terminal). */
async function runFast(f: FastCommand): Promise<boolean> {
  // Loaded on demand: --version and -h need neither git nor the store (lowdb).
  const withContext = async (fn: Parameters<typeof import('./app/context.js').withContext>[0]) => (await import('./app/context.js')).withContext(fn);
  switch (f.kind) {
    case 'create':
      await withContext(async (ctx) => (await import('./commands/create.js')).runCreate(ctx, f.args));
      return true;
    case 'version':
      process.stdout.write(`${(await import('./package-root.js')).packageVersion()}\n`);
      return true;
    case 'help': {
      // The help yargs printed at build time (scripts/bundle.mjs), at its 100-column wrap.
      if (process.stdout.isTTY && (process.stdout.columns ?? 100) < 100) return false;
      const { readFile } = await import('node:fs/promises');
      const text = await readFile(new URL('./help.txt', import.meta.url), 'utf8').catch(() => null);
      if (text === null) return false;
      process.stdout.write(text);
      return true;
    }
    case 'status':
      await withContext(async (ctx) => (await import('./commands/list.js')).runStatus(ctx, f.args));
      return true;
    case 'list':
      await withContext(async (ctx) => (await import('./commands/list.js')).runList(ctx, f.args));
      return true;
    case 'show':
      await withContext(async (ctx) => (await import('./commands/show.js')).runShow(ctx, f.args));
      return true;
  }
}

/**
 * git says only "couldn't write '….lock'" when a ref update meets a full disk (no errno): such a
 * failure on a disk with almost nothing left is the full disk, not a ref "already locked".
 */
function gitWriteFailedOnFullDisk(text: string): boolean {
  if (!/couldn't write|unable to write|failed to write|cannot update ref/i.test(text)) return false;
  try {
    const fs = statfsSync(process.cwd());
    return fs.bavail * fs.bsize < 1024 * 1024;
  } catch {
    return false;
  }
}

function reportError(e: unknown): number {
  if (e instanceof PassThroughExit) return e.status;
  if (process.env.GIT_BACKUP_DEBUG === '1' && e instanceof Error) process.stderr.write(`${e.stack}\n`);
  const text = e instanceof Error ? e.message : String(e);
  if ((e as NodeJS.ErrnoException)?.code === 'ENOSPC' || /ENOSPC|No space left on device|Out of diskspace/i.test(text) || gitWriteFailedOnFullDisk(text)) {
    // A full disk is not our bug: one line that says what to do (git's own words after it).
    const where = (e as NodeJS.ErrnoException)?.path ? ` (writing ${(e as NodeJS.ErrnoException).path})` : '';
    process.stderr.write(`git backup: no space left on device${where}: free some space and retry; git backup recover finishes anything left half-done [${text.split('\n')[0]}]\n`);
    return ExitCode.UNEXPECTED;
  }
  if (e instanceof BackupError) {
    process.stderr.write(`git backup: ${e.message.split('\n')[0]}\n`);
    return e.exitCode;
  }
  const message = text;
  process.stderr.write(`git backup: unexpected error: ${message.split('\n')[0]} (GIT_BACKUP_DEBUG=1 shows details)\n`);
  return ExitCode.UNEXPECTED;
}
