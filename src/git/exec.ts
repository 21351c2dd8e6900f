// The one way we run git: execFile, no shell, explicit environment. simple-git is not used because
// its environment guard strips GIT_INDEX_FILE, which the temporary-index snapshot depends on.
import type { ChildProcessWithoutNullStreams, ExecFileException } from 'node:child_process';
import type { Socket } from 'node:net';
import { nodeChildProcess } from '../builtins.js';
import { BackupError, ExitCode } from '../errors.js';
import { stopProcessTree } from '../fs/process.js';
import { discoverRepo } from './discover.js';

export interface GitOptions {
  cwd: string;
  /** Extra variables; a value of undefined removes the variable from the child's environment. */
  env?: Record<string, string | undefined>;
  input?: string | Buffer;
  /** Exit codes besides 0 that are answers rather than failures (e.g. 1 for `merge-base --is-ancestor`). */
  okCodes?: number[];
  /** Keep stdout as bytes (for blobs). */
  binary?: boolean;
  /**
   * Give up after this long (a network command that may hang): git and what it started are stopped
   * and the call fails with a GitTimeoutError.
   */
  timeoutMs?: number;
}

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface GitBinaryResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

// Our read-only commands must never rewrite the user's index (git status refreshes and writes it
// back otherwise), and parsing must not depend on the user's locale.
const BASE_ENV: Record<string, string> = {
  GIT_OPTIONAL_LOCKS: '0',
  LC_ALL: 'C',
  GIT_TERMINAL_PROMPT: '0',
};

export function childEnv(extra: GitOptions['env']): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...BASE_ENV };
  if (extra) {
    for (const [k, v] of Object.entries(extra)) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
  }
  return env;
}

const MAX_BUFFER = 1024 * 1024 * 1024;
/** Node's timers take at most this (about 24.8 days); a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** What a git run gave, before git() and gitBinary() type its output. */
export interface RawGitResult {
  code: number;
  stdout: Buffer | string;
  stderr: string;
}

/** Another way to start git (launcher.ts): its answer, or null when git is to be started here. */
type Launch = (args: string[], opts: GitOptions, binary: boolean) => Promise<RawGitResult> | null;
let launcher: Launch | null = null;
export function setLauncher(launch: Launch | null): void {
  launcher = launch;
}

async function run(args: string[], opts: GitOptions, binary: boolean): Promise<RawGitResult> {
  const launched = launcher?.(args, opts, binary);
  if (!launched) return startHere(args, opts, binary);
  const r = await launched;
  if (r.code !== 0 && !(opts.okCodes ?? []).includes(r.code)) throw new GitError(args, r.code, r.stderr);
  return r;
}

function startHere(args: string[], opts: GitOptions, binary: boolean): Promise<RawGitResult> {
  return new Promise((resolve, reject) => {
    let timedOut = false;
    const child = nodeChildProcess().execFile(
      'git',
      args,
      { cwd: opts.cwd, env: childEnv(opts.env), maxBuffer: MAX_BUFFER, encoding: binary ? 'buffer' : 'utf8' },
      (err: ExecFileException | null, stdout: string | Buffer, stderr: string | Buffer) => {
        if (timer) clearTimeout(timer);
        if (timedOut) {
          reject(new GitTimeoutError(args, opts.timeoutMs!));
          return;
        }
        const stderrText = stderr.toString();
        if (err && typeof err.code !== 'number') {
          reject(new BackupError(ExitCode.UNEXPECTED, `cannot run git: ${err.message.split('\n')[0]}`));
          return;
        }
        const code = err ? (err.code as number) : 0;
        if (code !== 0 && !(opts.okCodes ?? []).includes(code)) {
          reject(new GitError(args, code, stderrText));
          return;
        }
        resolve({ code, stdout, stderr: stderrText });
      },
    );
    // Past the time limit git is stopped with everything it started (transport helpers, ssh).
    const timer = opts.timeoutMs && child.pid !== undefined
      ? setTimeout(() => {
        timedOut = true;
        stopProcessTree(child.pid!);
      }, Math.min(opts.timeoutMs, MAX_TIMER_MS))
      : null;
    // A git that exits before reading all its input (fast-import refusing a line) closes the pipe:
    // the exit code reports that, an EPIPE on our side must not crash the process.
    child.stdin!.on('error', () => {});
    if (opts.input !== undefined) child.stdin!.end(opts.input);
    else child.stdin!.end();
  });
}

export class GitError extends BackupError {
  constructor(
    readonly args: string[],
    readonly code: number,
    readonly stderr: string,
  ) {
    const first = stderr.split('\n').find((l) => l.trim()) ?? `exit ${code}`;
    super(ExitCode.UNEXPECTED, `git ${args[0]} failed: ${first.trim()}`);
  }
}

/** A git process stopped after GitOptions.timeoutMs (no exit code of its own). */
export class GitTimeoutError extends GitError {
  constructor(args: string[], timeoutMs: number) {
    super(args, -1, `git ${args[0]} timed out after ${Math.round(timeoutMs / 1000)} s`);
  }
}

export async function git(args: string[], opts: GitOptions): Promise<GitResult> {
  const r = await run(args, opts, false);
  return { code: r.code, stdout: r.stdout as string, stderr: r.stderr };
}

export async function gitBinary(args: string[], opts: GitOptions): Promise<GitBinaryResult> {
  const r = await run(args, opts, true);
  return { code: r.code, stdout: r.stdout as Buffer, stderr: r.stderr };
}

/** stdout of a git command with the trailing newline removed. */
export async function gitLine(args: string[], opts: GitOptions): Promise<string> {
  return (await git(args, opts)).stdout.replace(/\n$/, '');
}

export interface RepoPaths {
  /** Top of the current working tree; null in a bare repository. */
  worktree: string;
  gitDir: string;
  commonDir: string;
  /** The user's index file (linked worktrees have their own; GIT_INDEX_FILE is honoured). */
  indexFile: string;
  /**
   * Where git runs hooks from as the process started (core.hooksPath honoured); absent when the
   * repository was found without git (discover.ts): the configuration says then (app/context.ts).
   */
  hooksDir?: string;
}

/** Locate the repository around cwd the way git does; a clear error outside one. */
export async function findRepo(cwd: string): Promise<RepoPaths> {
  const plain = discoverRepo(cwd);
  if (plain) return plain;
  let out: string;
  try {
    // One process for all of it: every command starts here.
    out = await gitLine(['rev-parse', '--path-format=absolute', '--show-toplevel', '--git-dir', '--git-common-dir', '--git-path', 'index', '--git-path', 'hooks'], { cwd });
  } catch (e) {
    if (e instanceof GitError) {
      throw new BackupError(ExitCode.USAGE, 'not inside a git working tree: run git backup from inside a repository');
    }
    throw e;
  }
  const [worktree, gitDir, commonDir, indexFile, hooksDir] = out.split('\n');
  if (!worktree || !gitDir || !commonDir || !indexFile) {
    throw new BackupError(ExitCode.USAGE, 'not inside a git working tree: run git backup from inside a repository');
  }
  return { worktree, gitDir, commonDir, indexFile, ...(hooksDir ? { hooksDir } : {}) };
}

/**
 * Whether a kept child (cat-file, a kept shell) holds this process open: only while an answer is
 * awaited, then everything that can bring it or say it will not come (stdout alone is not enough:
 * when git dies its stdout ends before its exit is seen, and with nothing else referenced the
 * process would end with the call unsettled).
 */
export function holdOpen(child: ChildProcessWithoutNullStreams, on: boolean): void {
  const pipes = [child.stdin, child.stdout, child.stderr] as unknown as Pick<Socket, 'ref' | 'unref'>[];
  for (const h of [child, ...pipes]) {
    if (on) h.ref();
    else h.unref();
  }
}

/** What a kept git child tells the registry that keeps it (keptChild). */
export interface KeptChild {
  readonly dead: Error | null;
  /** No answer awaited: it can be let go. */
  readonly idle: boolean;
  close(): void;
}

/**
 * The live child `kept` holds under `key`, or a new one from `make`. Past `max` children, dead and
 * idle ones are let go first: a process that works in many repositories (tests, a long `run --watch`
 * moved between them) keeps a few git children, not one each.
 */
export function keptChild<T extends KeptChild>(kept: Map<string, T>, key: string, max: number, make: () => T): T {
  const known = kept.get(key);
  if (known && !known.dead) return known;
  kept.delete(key);
  for (const [k, other] of kept) {
    if (kept.size < max) break;
    if (other.dead || other.idle) {
      other.close();
      kept.delete(k);
    }
  }
  const made = make();
  kept.set(key, made);
  return made;
}

/**
 * A long-lived git child (for `cat-file --batch`), with the same environment rules as git().
 * The caller owns the process: it must end stdin and handle errors.
 */
export function gitSpawn(args: string[], opts: { cwd: string; env?: GitOptions['env'] }): ChildProcessWithoutNullStreams {
  return nodeChildProcess().spawn('git', args, { cwd: opts.cwd, env: childEnv(opts.env), stdio: ['pipe', 'pipe', 'pipe'] });
}

/**
 * Run git and hand each NUL-terminated record of its output to `each` as it arrives (a listing too
 * large to hold whole: the notes tree of a million backups is ~90 MB). Rejects as git() does.
 */
export function gitEachZ(args: string[], opts: { cwd: string }, each: (record: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = gitSpawn(args, opts);
    child.stdin.end();
    let carry: Buffer = Buffer.alloc(0);
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      const buf = carry.length ? Buffer.concat([carry, d]) : d;
      let from = 0;
      for (let nul = buf.indexOf(0); nul >= 0; nul = buf.indexOf(0, from)) {
        each(buf.toString('utf8', from, nul));
        from = nul + 1;
      }
      carry = buf.subarray(from);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new GitError(args, code ?? 1, stderr))));
  });
}
