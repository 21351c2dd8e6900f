// The everyday commands without yargs: `status`, `list`, `show`, `create` and the bare `-h` and
// `--help` (and `--version`, which bin/git-backup.cjs answers before loading any bundle), in the
// forms src/cli-fast.ts is sure of. This module is its own bundle
// (dist/bundle/cli-fast-run.cjs, a third of the full CLI's), which bin/git-backup.cjs loads for
// those first words: a start reads and deserialises only what these commands run (measured in
// BENCHMARKS.md, start-up). Anything else answers null, and the full CLI (src/cli.ts) takes over.
import type { FastCommand } from './cli-fast.js';
import { reportError } from './cli-errors.js';
import { ExitCode } from './core/errors.js';
import { writeStdout } from './fs/stdout.js';

/** Run argv when the fast path takes it: its exit code, or null to leave it to yargs. */
export async function fastMain(argv: string[]): Promise<number | null> {
  try {
    const fast = bareFlag(argv) ?? (await import('./cli-fast.js')).fastCommand(argv);
    if (!fast || !(await runFast(fast))) return null;
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
      writeStdout(`${(await import('./package-root.js')).packageVersion()}\n`);
      return true;
    case 'help': {
      // The help yargs printed at build time (scripts/bundle.mjs), at its 100-column wrap.
      if (process.stdout.isTTY && (process.stdout.columns ?? 100) < 100) return false;
      const { readFile } = await import('node:fs/promises');
      const text = await readFile(new URL('./help.txt', import.meta.url), 'utf8').catch(() => null);
      if (text === null) return false;
      writeStdout(text);
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
