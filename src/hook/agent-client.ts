// The first half of `git backup hook agent claude-code`, bundled apart (dist/bundle/hook/agent-client.cjs)
// so that it loads almost nothing: read the agent's event, and hand it to this worktree's checkpoint
// server (hook/agent-server.ts) when one is running. A Node start and the checkpoint's own work are
// what is left of a per-tool-call checkpoint then; the rest (loading the CLI, reading the
// configuration, starting git's helpers) was paid once by the server (issue 10: a one-shot
// checkpoint within 1.5× `git stash create` + `node -e 0`). Anything else (no server, one that
// declines, one that does not answer) and the checkpoint is taken in this process as before, which
// starts a server for the next one (hook/agent.ts).
import { connect } from 'node:net';
import { existsSync, lstatSync, realpathSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HOOK_ENV_VARS } from './env.js';

/** What Claude Code sends on stdin (the fields we use; the rest is ignored). */
export interface AgentEvent {
  session_id?: unknown;
  hook_event_name?: unknown;
  tool_name?: unknown;
  cwd?: unknown;
}

/** What a server is asked: the event, and what must be the same on both sides for its answer to be this hook's. */
export interface AgentRequest {
  agent: string;
  event: AgentEvent;
  /** The top of the worktree the client found from the event's directory. */
  top: string;
  /** The running code (hook/main's bundle: size and time): a server of another build declines, and ends. */
  code: string;
  /** The environment git and this tool read (serverEnvironment). */
  env: Record<string, string>;
}

/** How the hook went: served, or not (then the event, and whether to start a server at `socket`). */
export interface ClientOutcome {
  served: boolean;
  event: AgentEvent;
  /** Where this worktree's server listens, when a server may be started there (nobody listened). */
  startAt: { socket: string; top: string } | null;
}

/** stdin as JSON, or {} when there is none, it is not JSON, or it does not arrive within a moment. */
export async function readEvent(): Promise<AgentEvent> {
  if (process.stdin.isTTY) return {};
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 2_000);
    process.stdin.on('data', (d: Buffer) => chunks.push(d));
    process.stdin.on('end', () => (clearTimeout(timer), resolve()));
    process.stdin.on('error', () => (clearTimeout(timer), resolve()));
  });
  await done;
  process.stdin.destroy();
  try {
    const v: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return typeof v === 'object' && v !== null ? (v as AgentEvent) : {};
  } catch {
    return {};
  }
}

/**
 * The variables whose values can change what a checkpoint does: the server's must be the client's.
 * Not those every hook sets aside before it does anything (hook/env.ts: GIT_EDITOR, GIT_CONFIG_COUNT...):
 * the server, started by a hook, never has them.
 */
export function serverEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(env).sort()) {
    if (HOOK_ENV_VARS.includes(k) || /^GIT_CONFIG_(KEY|VALUE)_\d+$/.test(k)) continue;
    if (/^(GIT_|XDG_|HOME$|EMAIL$|PATH$|TMPDIR$|LC_|LANG$|TZ$)/.test(k) && env[k] !== undefined) out[k] = env[k]!;
  }
  return out;
}

/** The running code's identity: hook/main beside this module (the bundle, or tsc's output). */
export function codeIdentity(): string {
  const here = fileURLToPath(import.meta.url);
  const main = join(dirname(here), here.endsWith('.cjs') ? 'main.cjs' : 'main.js');
  try {
    const st = statSync(main);
    return `${st.size}:${st.mtimeMs}`;
  } catch {
    return 'unknown';
  }
}

/** The top of the worktree around `dir`: the nearest directory holding `.git`; null outside one. */
export function worktreeTop(dir: string): string | null {
  let d: string;
  try {
    d = realpathSync(dir);
  } catch {
    return null;
  }
  for (;;) {
    if (existsSync(join(d, '.git'))) return d;
    const up = dirname(d);
    if (up === d) return null;
    d = up;
  }
}

/** FNV-1a, twice with different seeds: a short stable name, not a secret (the server checks `top`). */
function nameOf(text: string): string {
  const fnv = (seed: number) => {
    let h = seed >>> 0;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
    return h.toString(16).padStart(8, '0');
  };
  return fnv(2166136261) + fnv(0x9747b28c);
}

/**
 * Where the server of worktree `top` (for a hook with environment `env`) listens: a private directory of this user under the temporary
 * directory (a socket's path is limited to ~107 bytes, which a worktree's own path can exceed), or
 * under /tmp when that is too deep.
 */
export function socketPathFor(top: string, env: NodeJS.ProcessEnv = process.env): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  // One server per worktree and environment: an agent started with other variables (another
  // identity, another PATH) gets its own server instead of being declined by the first one for ever.
  const name = join(`git-backup-${uid}`, `agent-${nameOf(`${top}\0${JSON.stringify(serverEnvironment(env))}`)}.sock`);
  const at = join(env.TMPDIR ? env.TMPDIR : tmpdir(), name);
  // A longer path is cut short by the system, silently: the socket would be made elsewhere, outside
  // the private directory, and the worktrees of one temporary directory would share it. /tmp's instead.
  return Buffer.byteLength(at) <= SOCKET_PATH_MAX ? at : join('/tmp', name);
}

/** The longest socket path every system takes whole (sun_path: 108 bytes on Linux, 104 on macOS, with its NUL). */
const SOCKET_PATH_MAX = 103;

/** Whether `dir` is a directory of this user that no one else may enter; true when it is not there yet (the server makes it so). */
export function privateToMe(dir: string): boolean {
  let st;
  try {
    st = lstatSync(dir, { throwIfNoEntry: false });
  } catch {
    return false; // cannot be looked at (a temporary directory that is a file, one we may not enter)
  }
  if (!st) return true;
  const uid = typeof process.getuid === 'function' ? process.getuid() : st.uid;
  return st.isDirectory() && st.uid === uid && (st.mode & 0o077) === 0;
}

/** How long a served checkpoint may take before this hook gives up on the server and takes it itself. */
const ANSWER_MS = 30_000; // half of Claude Code's default hook timeout: time left to take it here

/** Ask the server at `socket`: 'served', 'declined', or 'absent' (nobody listens: one may be started). */
function ask(socket: string, request: AgentRequest): Promise<'served' | 'declined' | 'absent'> {
  return new Promise((resolve) => {
    const c = connect(socket);
    let answer = '';
    let settled = false;
    const settle = (v: 'served' | 'declined' | 'absent') => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      c.destroy();
      resolve(v);
    };
    // No answer in time (a server stuck on something): it is no longer found by the path, so the
    // next hook starts a fresh one instead of waiting on it too; it ends once done and idle.
    const timer = setTimeout(() => {
      try {
        unlinkSync(socket);
      } catch {
        // gone already
      }
      settle('declined');
    }, ANSWER_MS);
    c.on('connect', () => c.end(JSON.stringify(request) + '\n'));
    c.on('data', (d: Buffer) => {
      answer += d.toString('utf8');
      if (!answer.endsWith('\n')) return;
      if (process.env.GIT_BACKUP_DEBUG === '1') process.stderr.write(`git backup: agent server at ${socket}: ${answer}`);
      settle(answer.trim() === 'ok' ? 'served' : 'declined');
    });
    c.on('error', (e: NodeJS.ErrnoException) => settle(e.code === 'ENOENT' || e.code === 'ECONNREFUSED' ? 'absent' : 'declined'));
    // Closed without an answer: a server that died under this checkpoint (it is taken here instead).
    c.on('close', () => settle('declined'));
  });
}

export async function agentClient(args: string[]): Promise<ClientOutcome> {
  const agent = args[0] ?? '';
  const event = await readEvent();
  const off: ClientOutcome = { served: false, event, startAt: null };
  // Never a failure of the hook: anything unforeseen and the checkpoint is taken in-process.
  return await served(agent, event, off).catch(() => off);
}

async function served(agent: string, event: AgentEvent, off: ClientOutcome): Promise<ClientOutcome> {
  // Off by request, an agent we do not know (said by the in-process path), or a repository git was
  // told of by variables (the server finds its repository from its directory alone).
  if (process.env.GIT_BACKUP_AGENT_SERVER === 'off' || agent !== 'claude-code' || process.env.GIT_DIR || process.env.GIT_WORK_TREE) return off;
  const top = worktreeTop(typeof event.cwd === 'string' && event.cwd ? event.cwd : process.cwd());
  if (!top) return off;
  const socket = socketPathFor(top);
  // A directory someone else made or may enter could hold a server that is not ours (one that
  // answers "ok" and takes no checkpoint): not asked, and no server is started there.
  if (!privateToMe(dirname(socket))) return off;
  const outcome = await ask(socket, { agent, event, top, code: codeIdentity(), env: serverEnvironment(process.env) });
  if (outcome === 'served') return { served: true, event, startAt: null };
  return { served: false, event, startAt: outcome === 'absent' ? { socket, top } : null };
}
