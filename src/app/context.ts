// What every command needs, gathered once: the repository, the store, the clock, the terminal.
import { mkdirSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { stdoutGone, writeStdout, writeStdoutPieces } from '../fs/stdout.js';
import { findRepo, type RepoPaths } from '../git/exec.js';
import { openStore, type Store } from '../store/store.js';
import { now } from '../clock.js';
import { makeLedger } from './ledger.js';
import { pauseAt } from '../test-pause.js';
import { loadConfig, readView, type ConfigView } from '../config/load.js';
import type { OwnCommits } from '../core/own-commits.js';
import type { BackupConfig } from '../core/config.js';

export interface Output {
  out(text: string): void;
  /**
   * One output given as groups of pieces (a large `--json` array: commands/format.ts inParts),
   * each group written as it comes without joining its pieces, then a newline.
   */
  outParts(groups: Iterable<readonly Buffer[]>): void;
  err(text: string): void;
  /** Whether what reads the output has left (`git backup log | head`): a command that only prints can stop. */
  readerGone?(): boolean;
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
  /**
   * The configuration, read on first use and then kept for the life of the process: one `git config`
   * child however many steps need it (a drain reconciles, then runs the policy checks). Unknown-key
   * warnings go to io.err once.
   */
  config(): Promise<BackupConfig>;
  /**
   * The directory git runs hooks from, from the same read as config() when no core.hooksPath is
   * set; undefined when git must be asked (install/locate.ts does).
   */
  hooksDir(): Promise<string | undefined>;
  /** The identities our commits may be written under without `git commit-tree`, or null (core/own-commits.ts). */
  ownCommits(): Promise<OwnCommits | null>;
  /** core.attributesFile when it is set (config/load.ts ConfigView), from the same read. */
  attributesFile(): Promise<string | null>;
  /**
   * The command wants a progress line for long steps (app/progress.ts activityLine; still only on a
   * terminal). Off unless a command turns it on: hooks, agent checkpoints and `run --watch` stay silent.
   */
  progress: boolean;
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
  // A read-only store (a read-only mount, a repository of another user) still lets the commands
  // that only read work (list, show, verify); one that writes fails on its first write, saying so.
  if (opts.create !== false) {
    try {
      mkdirSync(tmpDir, { recursive: true, mode: 0o700 });
      chmodSync(tmpDir, 0o700);
    } catch (e) {
      if (!READ_ONLY.has((e as NodeJS.ErrnoException).code ?? '')) throw e;
    }
  }
  let config: Promise<BackupConfig> | null = null;
  // One `git config` process, or none while the answer kept in the store still holds (the drain
  // uses a kept answer but keeps none: it writes nothing into a repository it need not).
  let view: Promise<ConfigView> | null = null;
  const configView = () => (view ??= readView(repo, { dir: join(store.paths.dir, 'cache'), write: opts.create !== false }));
  const ctx: Context = {
    repo,
    store,
    now: now(),
    io,
    tmpDir,
    progress: false,
    config: () => (config ??= configView().then(({ entries }) => loadConfig(repo, { entries, warn: (line) => io.err(`git backup: ${line}`) }))),
    hooksDir: async () => repo.hooksDir ?? (await configView()).hooksDir ?? undefined,
    ownCommits: async () => (await configView()).ownCommits,
    attributesFile: async () => (await configView()).attributesFile,
  };
  // The index is derived from the notes (docs/store.md), and a change is dated when the lock is
  // held, never before: a process that waited for the lock must not date a move before a backup
  // that was created while it waited.
  // Only a clock this module read is refreshed: a caller that set ctx.now itself (a test simulating
  // a year of days) keeps its time.
  stamps.set(ctx, ctx.now);
  store.attach({
    ledger: makeLedger(repo, ctx.ownCommits),
    onLocked: () => {
      if (stamps.get(ctx) !== ctx.now) return;
      ctx.now = laterOf(ctx.now, now());
      stamps.set(ctx, ctx.now);
    },
  });
  return ctx;
}

const READ_ONLY = new Set(['EROFS', 'EACCES', 'EPERM']);

/** The repository and the terminal, without the store: configuration commands never create it. */
export async function openRepoOnly(): Promise<{ repo: RepoPaths; io: Output }> {
  return { repo: await findRepo(process.cwd()), io: processOutput() };
}

/** Open the context on the real process (cwd, stdout, stderr, stdin) and run one command in it. */
export async function withContext(fn: (ctx: Context) => Promise<void>): Promise<void> {
  const ctx = await openContext(processOutput());
  await pauseAt('context:opened');
  await fn(ctx);
}

export function processOutput(): Output {
  return {
    out: (t) => writeStdout(t.endsWith('\n') ? t : t + '\n'),
    outParts: (groups) => {
      for (const group of groups) writeStdoutPieces(group);
      writeStdout('\n');
    },
    err: (t) => process.stderr.write(t.endsWith('\n') ? t : t + '\n'),
    readerGone: stdoutGone,
    // Asked only by the commands that may prompt: opening process.stdin costs every other one ~1.5 ms.
    get interactive() {
      return Boolean(process.stdin.isTTY && process.stderr.isTTY);
    },
    ask: async (question) => (await import('../fs/prompt.js')).askLine(question),
  };
}

const stamps = new WeakMap<Context, Date>();

/** Read the clock again for a context used for several operations (it is then refreshed under the lock too). */
export function resetClock(ctx: Context): void {
  ctx.now = now();
  stamps.set(ctx, ctx.now);
}

function laterOf(a: Date, b: Date): Date {
  return b.getTime() > a.getTime() ? b : a;
}
