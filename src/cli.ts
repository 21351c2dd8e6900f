// The command line's entry: run one command and map errors to exit codes (design.md §Command line).
// The everyday forms go through the fast path (src/cli-fast-run.ts, which never loads yargs:
// measured in BENCHMARKS.md, start-up); everything else, and every form the fast path is not sure
// of, goes through the yargs parser.
import { fastMain } from './cli-fast-run.js';
import { reportError } from './cli-errors.js';
import { ExitCode } from './core/errors.js';
import { ignoreClosedStdout } from './fs/stdout.js';

export async function main(argv: string[]): Promise<number> {
  return (await fastMain(argv)) ?? parserMain(argv);
}

/** The yargs parser alone: bin/git-backup.cjs calls it once the fast path's bundle has declined argv. */
export async function parserMain(argv: string[]): Promise<number> {
  try {
    ignoreClosedStdout();
    await (await import('./cli-parser.js')).parseAndRun(argv);
    return ExitCode.OK;
  } catch (e) {
    return reportError(e);
  }
}
