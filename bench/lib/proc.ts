// Running child processes: wall time from spawn to exit, output collected, failures thrown.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export interface RunResult {
  ms: number;
  stdout: string;
  stderr: string;
}

export class ChildFailed extends Error {
  constructor(cmd: readonly string[], code: number | null, stderr: string) {
    super(`${cmd.join(' ')} exited ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
  }
}

/** Run `cmd` to completion; resolves with its wall time in ms, rejects on a non-zero exit. */
export function run(cmd: readonly string[], opts: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(cmd[0]!, cmd.slice(1), { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
      const stderr = Buffer.concat(err).toString('utf8');
      if (code !== 0) reject(new ChildFailed(cmd, code, stderr));
      else resolve({ ms: elapsed, stdout: Buffer.concat(out).toString('utf8'), stderr });
    });
  });
}

/** Wall time only. */
export async function time(cmd: readonly string[], opts: RunOptions): Promise<number> {
  return (await run(cmd, opts)).ms;
}

/**
 * Wall time of `cmd` with its standard output written to `file` (truncated first), as `cmd > file`
 * in a shell: the command's own cost, without a reader in this process taking its output in.
 */
export function timeToFile(cmd: readonly string[], opts: RunOptions, file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const fd = openSync(file, 'w');
    const started = process.hrtime.bigint();
    const child = spawn(cmd[0]!, cmd.slice(1), { cwd: opts.cwd, env: opts.env, stdio: ['ignore', fd, 'pipe'] });
    closeSync(fd);
    const err: Buffer[] = [];
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0) reject(new ChildFailed(cmd, code, Buffer.concat(err).toString('utf8')));
      else resolve(elapsed);
    });
  });
}

export const GNU_TIME = '/usr/bin/time';

/** How peak memory is measured on this machine (said in the report). */
export function peakRssMethod(): string {
  return existsSync(GNU_TIME)
    ? '`/usr/bin/time -f %M` (maximum resident set size of the process, from wait4 rusage)'
    : '`process.resourceUsage().maxRSS` read at exit by a `--import` probe (no /usr/bin/time on this machine)';
}

/**
 * Peak resident set size of `cmd` in bytes. With GNU time when present (exact, from the kernel's
 * rusage of the finished child); else, for node commands only, a preload that reports maxRSS at exit.
 */
export async function peakRss(cmd: readonly string[], opts: RunOptions, probe: string): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'gb-bench-rss-'));
  const file = join(dir, 'rss');
  try {
    if (existsSync(GNU_TIME)) {
      await run([GNU_TIME, '-f', '%M', '-o', file, ...cmd], opts);
    } else {
      if (cmd[0] !== process.execPath) throw new Error('peak memory without /usr/bin/time works for node commands only');
      await run([cmd[0], '--import', probe, ...cmd.slice(1)], { ...opts, env: { ...opts.env, GB_BENCH_RSS_FILE: file } });
    }
    const kib = Number(readFileSync(file, 'utf8').trim().split('\n').pop());
    if (!Number.isFinite(kib)) throw new Error(`no peak memory reading for ${cmd.join(' ')}`);
    return kib * 1024;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
