// The set-up the tests of a coding agent's checkpoint server share (test/cli/agent-server*.test.ts):
// a repository with the server turned on and its own temporary directory (so its sockets are its
// own), the hook run as Claude Code runs it, the servers of a set-up found by their sockets' place.
// `cli`: another copy of the package to run (a test that makes the bundle another build touches its
// own copy, never the one the files running beside it use).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, TEST_ENV, scratchDir, tempRepo, type TestRepo } from './repo.js';
import type { Rec } from './truth.js';

export type Checkpoint = Rec & { labels: string[] };

export interface Setup {
  repo: TestRepo;
  env: NodeJS.ProcessEnv;
  socketDir: string;
  cli: string;
}

export function setUp(extra: NodeJS.ProcessEnv = {}, cli = CLI): Setup {
  const repo = tempRepo();
  const tmp = scratchDir();
  const env = { ...TEST_ENV, GIT_BACKUP_AGENT_SERVER: 'on', GIT_BACKUP_DEBUG: '1', TMPDIR: tmp, ...extra };
  return { repo, env, socketDir: join(tmp, `git-backup-${process.getuid!()}`), cli };
}

export const EVENT = (repo: TestRepo) => JSON.stringify({ session_id: 'sess-1', hook_event_name: 'PreToolUse', tool_name: 'Edit', cwd: repo.dir });

/** The hook as Claude Code runs it; `served`: its worktree's server answered it. */
export function hook(s: Setup, env: NodeJS.ProcessEnv = {}): { code: number | null; served: boolean; stderr: string } {
  const r = spawnSync(process.execPath, [s.cli, 'hook', 'agent', 'claude-code'], { cwd: s.repo.dir, env: { ...s.env, ...env }, input: EVENT(s.repo), encoding: 'utf8' });
  return { code: r.status, served: /agent server at .*: ok/.test(r.stderr), stderr: r.stderr };
}

/** The pids of the servers of this set-up (their socket is in its private directory). */
export function servers(s: Setup): number[] {
  const out = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).stdout;
  return out.split('\n').filter((l) => l.includes('hook agent-server') && l.includes(s.socketDir)).map((l) => Number(l.trim().split(/\s+/)[0]));
}

export async function until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const socketThere = (s: Setup) => existsSync(s.socketDir) && readdirSync(s.socketDir).some((n) => n.endsWith('.sock'));
export const checkpoints = (repo: TestRepo) => repo.json<Checkpoint[]>(['list']).filter((b) => b.labels.includes('agent:claude-code'));
export const stopAll = (s: Setup) => servers(s).forEach((pid) => process.kill(pid, 'SIGKILL'));

/** The first hook (which starts the server), then hooks until one is served. */
export async function withServer(s: Setup): Promise<void> {
  s.repo.write('a.txt', 'one\n');
  hook(s);
  await until('the server', () => servers(s).length === 1 && socketThere(s));
  s.repo.write('a.txt', 'two\n');
  await until('a served hook', () => hook(s).served);
}
