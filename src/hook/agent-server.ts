// `git backup hook agent-server SOCKET TOP`: one worktree's checkpoint server for a coding agent's
// hooks (hook/agent-client.ts). Started detached by the first hook that found none; takes each
// checkpoint it is asked for in this process, one at a time, as the hook would have (hook/agent.ts:
// the same use case, a fresh context each time, so the configuration and the store are read as a new
// process reads them), with what a `run --watch` session keeps: git's helpers and the kept shells.
// It answers only a hook of the same worktree, the same build and the same environment (else the
// hook takes the checkpoint itself), and ends after GIT_BACKUP_AGENT_IDLE_MS without a request
// (10 minutes), when its worktree is gone, or when a hook of another build asks.
// The socket lives in a directory only this user may enter; a server already listening wins.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { existsSync, mkdirSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Context } from '../app/context.js';
import { pauseAt } from '../test-pause.js';
import { usageError } from '../errors.js';
import { codeIdentity, privateToMe, serverEnvironment, type AgentRequest } from './agent-client.js';

const IDLE_MS = () => Number(process.env.GIT_BACKUP_AGENT_IDLE_MS ?? 600_000);
/** How long a connection may take to send its request. */
const REQUEST_MS = 10_000;

/** The socket's directory, made private to this user, or an error saying why it cannot be used. */
function privateDirectory(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!privateToMe(dir)) throw new Error(`${dir} is not a directory private to this user`);
}

/** Whether a server answers at `socket` (a connection is taken). */
function listening(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(socket);
    c.on('connect', () => (c.destroy(), resolve(true)));
    c.on('error', () => resolve(false));
  });
}

/** Listen at `socket`; a file left there by a server that died is replaced, a live server is not. */
async function listen(server: Server, socket: string): Promise<boolean> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const ok = await new Promise<boolean>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) => (e.code === 'EADDRINUSE' ? resolve(false) : reject(e)));
      server.listen(socket, () => resolve(true));
    });
    if (ok) return true;
    if (await listening(socket)) return false;
    try {
      unlinkSync(socket);
    } catch {
      return false;
    }
  }
  return false;
}

export async function runAgentServer(args: string[], open: (dir: string) => Promise<Context>, checkpoint: (ctx: Context, agent: string, event: AgentRequest['event']) => Promise<boolean>): Promise<number> {
  const [socket, top, ...extra] = args;
  if (!socket || !top || extra.length) throw usageError('usage: git backup hook agent-server SOCKET TOP (started by an agent hook, not by hand)');
  privateDirectory(dirname(socket));
  const code = codeIdentity();
  const env = JSON.stringify(serverEnvironment(process.env));
  let queue: Promise<unknown> = Promise.resolve();
  let idle: NodeJS.Timeout | null = null;
  let stopLaunching: (() => void) | null = null;
  let stopped = false;
  // Half-open: the hook ends its side once the request is written; the answer still goes back.
  const server = createServer({ allowHalfOpen: true });
  const stop = () => {
    stopped = true;
    if (idle) clearTimeout(idle);
    server.close();
    stopLaunching?.();
  };
  const rest = () => {
    if (idle) clearTimeout(idle);
    if (!stopped) idle = setTimeout(stop, IDLE_MS());
  };
  const gone = () => !existsSync(join(top, '.git'));

  async function serve(conn: Socket, line: string): Promise<void> {
    let request: AgentRequest;
    try {
      request = JSON.parse(line) as AgentRequest;
    } catch {
      conn.end('declined: not a request\n');
      return;
    }
    if (request.code !== code) {
      conn.end('declined: another build\n');
      stop(); // a newer (or older) install: the next hook starts its own server
      return;
    }
    if (request.top !== top || JSON.stringify(request.env) !== env) {
      conn.end('declined: another worktree or environment\n');
      return;
    }
    if (gone()) {
      conn.end('declined: the worktree is gone\n');
      stop();
      return;
    }
    const ctx = await open(top);
    stopLaunching ??= (await import('../git/launcher.js')).launchThroughShells(ctx.tmpDir);
    await pauseAt('agent-server:checkpoint'); // tests: the server killed under a checkpoint
    if (await checkpoint(ctx, request.agent, request.event)) {
      conn.end('ok\n');
      return;
    }
    // Failed here (what this server keeps may be what failed: its worktree made again, a kept git
    // gone): the hook takes the checkpoint itself, and the next one starts a fresh server.
    conn.end('declined: the checkpoint failed\n');
    stop();
  }

  let pending = 0;
  server.on('connection', (conn) => {
    let line = '';
    let asked = false;
    conn.on('error', () => undefined); // a hook that gave up: the checkpoint is still taken
    // A hook writes its request at once; a connection that sends none is let go (and keeps no server
    // alive: only a request stops the idle clock). One that ends without a request (another server
    // checking that this one listens, a hook killed) is closed at once (half-open: an end alone closes nothing).
    conn.setTimeout(REQUEST_MS, () => conn.destroy());
    conn.on('end', () => {
      if (!asked) conn.destroy();
    });
    conn.on('data', (d: Buffer) => {
      line += d.toString('utf8');
      const nl = line.indexOf('\n');
      if (nl < 0) return;
      conn.removeAllListeners('data');
      conn.setTimeout(0);
      asked = true;
      pending++;
      if (idle) clearTimeout(idle);
      queue = queue
        .then(() => serve(conn, line.slice(0, nl)))
        .catch(() => conn.destroy())
        .finally(() => {
          if (--pending === 0) rest();
        });
    });
  });
  if (!(await listen(server, socket))) return 0;
  rest();
  await new Promise<void>((resolve) => server.on('close', resolve));
  await queue;
  // Ours still (a later server may have replaced a file it thought stale): removed.
  try {
    if (!(await listening(socket))) unlinkSync(socket);
  } catch {
    // already gone
  }
  return 0;
}
