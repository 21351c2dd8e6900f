// What every command needs, gathered once: the repository, the store, the clock, the terminal.
import { mkdirSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { findRepo, type RepoPaths } from '../git/exec.js';
import { openStore, type Store } from '../store/store.js';
import { now } from '../clock.js';

export interface Output {
  out(text: string): void;
  err(text: string): void;
  /** True when a person can answer a question (both stdin and stderr are terminals). */
  interactive: boolean;
  ask(question: string): Promise<string>;
}

export interface Context {
  repo: RepoPaths;
  store: Store;
  now: Date;
  io: Output;
  /** Private scratch space inside the store (temporary indexes); never /tmp. */
  tmpDir: string;
}

export interface OpenOptions {
  /**
   * false (the hook drain): create nothing that is not there, no store, no parent directory, so a
   * drain racing `rm -rf` of the repository never brings it back (StoreGoneError instead).
   */
  create?: boolean;
}

export async function openContext(io: Output, cwd = process.cwd(), opts: OpenOptions = {}): Promise<Context> {
  const repo = await findRepo(cwd);
  const store = await openStore(repo.commonDir, opts.create === false ? { create: false } : {});
  const tmpDir = join(store.paths.dir, 'tmp');
  // The drain creates nothing up front (every command that opens the store made tmp/ already).
  if (opts.create !== false) {
    mkdirSync(tmpDir, { recursive: true, mode: 0o700 });
    chmodSync(tmpDir, 0o700);
  }
  return { repo, store, now: now(), io, tmpDir };
}

/** Open the context on the real process (cwd, stdout, stderr, stdin) and run one command in it. */
export async function withContext(fn: (ctx: Context) => Promise<void>): Promise<void> {
  await fn(await openContext(processOutput()));
}

export function processOutput(): Output {
  return {
    out: (t) => process.stdout.write(t.endsWith('\n') ? t : t + '\n'),
    err: (t) => process.stderr.write(t.endsWith('\n') ? t : t + '\n'),
    interactive: Boolean(process.stdin.isTTY && process.stderr.isTTY),
    ask: async (question) => {
      const { createInterface } = await import('node:readline/promises');
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    },
  };
}
