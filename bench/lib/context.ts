// What every benchmark needs: where the CLI is, scratch space, the child environment, run counts.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Scratch } from './scratch.js';
import { run, time, type RunResult } from './proc.js';

/** The package root (dist/bench/lib → ../../..). */
export const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..');
export const BIN = join(ROOT, 'bin', 'git-backup.cjs');
export const RSS_PROBE = join(ROOT, 'dist', 'bench', 'lib', 'rss-probe.js');

export class BenchContext {
  readonly scratch = new Scratch();
  readonly env = this.scratch.env();

  constructor(readonly quick: boolean) {}

  /** Number of interleaved rounds: `full` normally, `quick` with --quick. */
  rounds(full: number, quick: number): number {
    return this.quick ? quick : full;
  }

  /** The CLI as a user runs it: `node bin/git-backup.cjs …` in `cwd`. */
  cli(args: readonly string[]): string[] {
    return [process.execPath, BIN, ...args];
  }

  git(cwd: string, args: readonly string[]): Promise<RunResult> {
    return run(['git', ...args], { cwd, env: this.env });
  }

  time(cmd: readonly string[], cwd: string): Promise<number> {
    return time(cmd, { cwd, env: this.env });
  }

  log(msg: string): void {
    process.stderr.write(`[bench] ${msg}\n`);
  }
}
