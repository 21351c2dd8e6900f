// git started by a small shell instead of by this process, while a long-lived Node process starts
// many (`run --watch`, a checkpoint at every settled burst). Node starts a child by forking itself,
// and the fork blocks it for 5–10 ms, more as its heap grows (issue 10: at 5,000 files a watched
// checkpoint spent a quarter of its time there). A shell that is a few hundred kilobytes forks in
// well under a millisecond; it reads one request at a time, runs git with the request's directory,
// environment and input, and writes an end line, after git's output, on stdout and on stderr.
// A few shells are kept (git commands of one checkpoint run side by side); when all are busy, or
// for what a shell cannot carry (a time limit, an environment variable whose name the shell cannot
// set), git is started the ordinary way. The shells never keep this process alive: their handles
// are referenced only while an answer is awaited, and they end when our end of their stdin closes.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeChildProcess, nodeCrypto } from '../builtins.js';
import { childEnv, holdOpen, setLauncher, type GitOptions, type RawGitResult } from './exec.js';

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const SHELL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

interface Job {
  marker: Buffer;
  out: Buffer[];
  err: Buffer[];
  code: number | null;
  errEnded: boolean;
  settle: (e: Error | null) => void;
}

class Launcher {
  private readonly child: ChildProcessWithoutNullStreams;
  /** The environment the shell was started with: a request says only how git's differs. */
  readonly env: NodeJS.ProcessEnv = childEnv(undefined);
  job: Job | null = null;
  dead = false;

  constructor(cwd: string) {
    this.child = nodeChildProcess().spawn('sh', ['-s'], { cwd, env: this.env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.hold(false);
    this.child.stdout.on('data', (d: Buffer) => this.receive(d, 'out'));
    this.child.stderr.on('data', (d: Buffer) => this.receive(d, 'err'));
    this.child.on('error', () => this.end());
    this.child.on('close', () => this.end());
    this.child.stdin.on('error', () => undefined); // reported through 'close'
  }

  run(script: string, marker: string): Promise<Job> {
    return new Promise((resolve, reject) => {
      const job: Job = { marker: Buffer.from(marker), out: [], err: [], code: null, errEnded: false, settle: (e) => (e ? reject(e) : resolve(job)) };
      this.job = job;
      this.hold(true);
      this.child.stdin.write(script);
    });
  }

  private receive(chunk: Buffer, stream: 'out' | 'err'): void {
    const job = this.job;
    if (!job) return;
    const chunks = job[stream];
    chunks.push(chunk);
    if (chunk[chunk.length - 1] !== 10) return;
    // stdout ends in "<marker> <exit code>\n", stderr in "<marker>\n": the shell writes them after git
    // ends. Only the end is looked at (a listing of many files comes in many chunks).
    let tail = chunk;
    for (let i = chunks.length - 2; i >= 0 && tail.length < job.marker.length + 16; i--) tail = Buffer.concat([chunks[i]!, tail]);
    const at = tail.lastIndexOf(job.marker);
    if (at < 0) return;
    const rest = tail.toString('latin1', at + job.marker.length, tail.length - 1);
    if (stream === 'out' ? !/^ \d+$/.test(rest) : rest !== '') return;
    const all = Buffer.concat(chunks);
    job[stream] = [all.subarray(0, all.length - (tail.length - at))];
    if (stream === 'out') job.code = Number(rest);
    else job.errEnded = true;
    if (job.code === null || !job.errEnded) return;
    this.job = null;
    this.hold(false);
    job.settle(null);
  }

  private hold(on: boolean): void {
    holdOpen(this.child, on);
  }


  private end(): void {
    this.dead = true;
    const job = this.job;
    this.job = null;
    this.hold(false);
    job?.settle(new Error('cannot run git: the shell that starts it ended'));
  }

  close(): void {
    this.child.stdin.destroy();
    this.end();
  }
}

const MAX_SHELLS = 3;
let shells: Launcher[] = [];
let inputs: string | null = null;
let users = 0;

/**
 * The shell lines that run git as execFile would with these options, against a shell started with
 * `base`; null when a shell cannot (a variable whose name it cannot set, unset or pass on).
 */
function request(args: string[], opts: GitOptions, base: NodeJS.ProcessEnv, input: string | null, marker: string): string | null {
  const want = childEnv(opts.env);
  const unset: string[] = [];
  const set: string[] = [];
  for (const k of Object.keys(base)) if (want[k] === undefined) unset.push(k);
  for (const [k, v] of Object.entries(want)) if (v !== undefined && base[k] !== v) set.push(`${k}=${quote(v)}`);
  // A shell drops from its environment what it cannot name (`ODD.NAME`): git must get it all the same.
  if (![...unset, ...Object.keys(want)].every((k) => SHELL_NAME.test(k))) return null;
  // A NUL cannot reach git through a shell: started here, git() refuses it as it always has.
  if ([opts.cwd, ...args, ...set].some((s) => s.includes('\0'))) return null;
  const env = `${unset.length ? `unset ${unset.join(' ')} && ` : ''}${set.length ? `export ${set.join(' ')} && ` : ''}`;
  const git = `(cd ${quote(opts.cwd)} && ${env}exec git ${args.map(quote).join(' ')}) <${input ? quote(input) : '/dev/null'}`;
  return `${git}; printf '%s %d\\n' ${quote(marker)} "$?"; printf '%s\\n' ${quote(marker)} >&2\n`;
}

/** git through a kept shell: the answer execFile would give, or null when it must be started the ordinary way. */
function launch(args: string[], opts: GitOptions, binary: boolean): Promise<RawGitResult> | null {
  if (opts.timeoutMs !== undefined || inputs === null) return null;
  shells = shells.filter((s) => !s.dead);
  let shell = shells.find((s) => s.job === null);
  if (!shell && shells.length < MAX_SHELLS) shells.push((shell = new Launcher(inputs)));
  if (!shell) return null;
  const marker = `git-backup-launch-${nodeCrypto().randomBytes(8).toString('hex')}`;
  const input = opts.input === undefined ? null : join(inputs, marker);
  const script = request(args, opts, shell.env, input, marker);
  if (script === null) return null;
  if (input) writeFileSync(input, opts.input!, { mode: 0o600 });
  return shell.run(script, marker).then(
    (job) => {
      if (input) rmSync(input, { force: true });
      const out = Buffer.concat(job.out);
      return { code: job.code!, stdout: binary ? out : out.toString('utf8'), stderr: Buffer.concat(job.err).toString('utf8') };
    },
    (e: unknown) => {
      if (input) rmSync(input, { force: true });
      throw e;
    },
  );
}

/**
 * Start git through kept shells from now on, their request inputs in a private directory under
 * `tmpDir`; returns what stops it (shells let go, that directory removed). Nested uses share them.
 */
export function launchThroughShells(tmpDir: string): () => void {
  if (users++ === 0) {
    mkdirSync(tmpDir, { recursive: true, mode: 0o700 });
    inputs = mkdtempSync(join(tmpDir, 'launch-'));
    setLauncher(launch);
  }
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    if (--users > 0) return;
    setLauncher(null);
    for (const s of shells) s.close();
    shells = [];
    if (inputs) rmSync(inputs, { recursive: true, force: true });
    inputs = null;
  };
}
