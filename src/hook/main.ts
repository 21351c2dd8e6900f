// `git backup hook …`: what the hook templates call. A fast path: bin/git-backup.cjs comes here
// without loading yargs (~60 ms), and arguments go through node:util parseArgs.
//
//   git backup hook drain [--repo DIR] [--detached]  apply waiting events, reconcile, checks
//   git backup hook pre-rebase [UPSTREAM [BRANCH]]  the opt-in automatic backup before a rebase
//   git backup hook agent claude-code               a coding agent's checkpoint (hook/agent.ts)
//   git backup hook agent-server SOCKET TOP         its worktree's checkpoint server (hook/agent-server.ts)
//
// Nothing here may print more than one line: hooks run in the user's terminal.
import { parseArgs } from 'node:util';
import { hookRepo, stripHookEnvironment, type HookRepo } from './env.js';
import { BackupError, ExitCode } from '../errors.js';
import { nodeChildProcess } from '../builtins.js';
import { writeStdout } from '../fs/stdout.js';
import type { Context, Output } from '../app/context.js';
import type { PushWatch } from '../core/drain-schedule.js';
import type { ClientOutcome } from './agent-client.js';

const USAGE = 'usage: git backup hook drain [--repo DIR] [--detached] | git backup hook pre-rebase [UPSTREAM [BRANCH]] | git backup hook agent claude-code | git backup hook agent-server SOCKET TOP';

/** Output for a process with no one watching: everything goes to the store's backup.log. */
function logOutput(storeDir: () => string | null, log: (dir: string, line: string) => void): Output {
  const write = (t: string) => {
    const dir = storeDir();
    if (dir) log(dir, t.trimEnd());
  };
  return {
    out: write,
    outParts: (groups) => write([...groups].map((g) => Buffer.concat(g).toString()).join('')),
    err: write,
    interactive: false,
    ask: async () => {
      throw new BackupError(ExitCode.REFUSED, 'a hook cannot ask questions');
    },
  };
}

/** GIT_DIR / GIT_WORK_TREE git gave the hook (absolute), taken before they are stripped. */
let givenRepo: HookRepo | null = null;

async function open(repoDir: string, opts: { create?: boolean } = {}): Promise<Context> {
  const { openContext } = await import('../app/context.js');
  const { logLine } = await import('../store/backup-log.js');
  let ctx: Context | null = null;
  const io = logOutput(() => ctx?.store.paths.dir ?? null, logLine);
  let found: unknown = null;
  try {
    ctx = await openContext(io, repoDir, opts);
    if (givenRepo === null || (await sameDir(repoDir, ctx.repo.worktree))) return ctx;
  } catch (e) {
    found = e;
  }
  // Nothing found from the worktree (its git directory is elsewhere and no `.git` points at it:
  // `git --git-dir=~/.cfg --work-tree=~`), or another repository: the one git ran the hook for,
  // as git named it, when it is still there (a repository being deleted is never brought back).
  const given = givenRepo;
  const { existsSync } = await import('node:fs');
  if (given === null || !existsSync(`${given.GIT_DIR}/HEAD`) || !(await isDir(repoDir))) {
    if (found !== null) throw found;
    return ctx!;
  }
  process.env.GIT_DIR = given.GIT_DIR;
  if (given.GIT_WORK_TREE !== undefined) process.env.GIT_WORK_TREE = given.GIT_WORK_TREE;
  ctx = null;
  ctx = await openContext(io, repoDir, opts);
  return ctx;
}

/** Lock waits of a drain in the foreground (GIT_BACKUP_HOOK_MODE=sync): the commit waits for it. */
export const SYNC_LOCK_WAIT_MS = 2_000;

/** The priority a background drain runs at: it yields the CPU to the user's git commands. */
const DRAIN_NICE = 10;

async function runDrain(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { repo: { type: 'string' }, detached: { type: 'boolean' }, follower: { type: 'boolean' }, watch: { type: 'string', multiple: true } },
    strict: true,
    allowPositionals: false,
  });
  const detached = values.detached === true;
  const sync = !detached && process.env.GIT_BACKUP_HOOK_MODE === 'sync';
  if (detached) {
    // The hook starts us under nice (and ionice) when it can; make sure of the CPU part.
    try {
      const { getPriority, setPriority } = await import('node:os');
      if (getPriority() < DRAIN_NICE) setPriority(DRAIN_NICE);
    } catch {
      // not permitted: run as we are
    }
  }
  if (sync) {
    // A commit in sync mode waits for us: never for the whole lock timeout. When the lock stays
    // held, the event waits in events.log for the holder's next look or the next drain.
    const set = Number(process.env.GIT_BACKUP_LOCK_TIMEOUT_MS);
    if (!(set >= 0 && set <= SYNC_LOCK_WAIT_MS)) process.env.GIT_BACKUP_LOCK_TIMEOUT_MS = String(SYNC_LOCK_WAIT_MS);
  }
  const repoDir = values.repo ?? process.cwd();
  const { StoreGoneError } = await import('../store/store.js');
  let ctx: Context;
  try {
    // create: false: a drain never creates the store or a parent, so it cannot bring back a
    // repository that is being deleted.
    ctx = await open(repoDir, { create: false });
  } catch (e) {
    if (e instanceof StoreGoneError) return ExitCode.OK;
    // The repository went away under us (or never was one): nothing to do, nothing to say. A
    // linked worktree removed before we started: its repository may still be there.
    // (git cannot even be started in a directory that is gone: spawn's ENOENT.)
    if (e instanceof BackupError && (e.exitCode === ExitCode.USAGE || e.exitCode === ExitCode.UNEXPECTED) && !(await isDir(repoDir))) {
      const linked = givenRepo?.GIT_DIR.replace(/\/+$/, '') ?? '';
      const { basename, dirname } = await import('node:path');
      if (detached && basename(dirname(linked)) === 'worktrees') await handOver(dirname(dirname(linked)));
      return ExitCode.OK;
    }
    throw e;
  }
  // The hook names the top of its worktree: if git found another repository (this one's .git is
  // being deleted and a parent directory is a repository), it is not ours to drain.
  if (values.repo !== undefined && !(await sameDir(values.repo, ctx.repo.worktree))) return ExitCode.OK;
  const { drain, repoGone } = await import('./drain.js');
  const { logLine } = await import('../store/backup-log.js');
  try {
    const watch = (values.watch ?? []).map(parseWatch).filter((w): w is PushWatch => w !== null);
    const report = await drain(ctx, detached ? { detached: true, watch, follower: values.follower === true } : sync ? { lockWaitMs: SYNC_LOCK_WAIT_MS } : {});
    // A foreground drain ran at pre-push, before anything was pushed: a detached drain waits for
    // the remote-tracking refs the push updates, then reconciles (a push confirms by itself). It
    // also takes over a due push to backup.remote, which a foreground drain never makes.
    if (!detached && (report.pushes.length > 0 || report.pushDue) && report.status !== 'gone') await startFollower(ctx, ctx.repo.worktree || repoDir, report.pushes);
    // A detached drain pushes once it has left the drain lock: the next commit's drain never waits on the network.
    if (detached && report.pushDue && report.status !== 'gone' && !repoGone(ctx)) {
      const { runRateLimitedPush } = await import('./periodic.js');
      await runRateLimitedPush(ctx);
    }
    if (detached && report.status === 'gone' && ctx.repo.gitDir !== ctx.repo.commonDir) await handOver(ctx.repo.commonDir);
    return ExitCode.OK;
  } catch (e) {
    if (repoGone(ctx)) {
      if (detached && ctx.repo.gitDir !== ctx.repo.commonDir) await handOver(ctx.repo.commonDir);
      return ExitCode.OK;
    }
    const message = e instanceof Error ? e.message : String(e);
    // GIT_BACKUP_DEBUG=1: the stack too, as the commands print it.
    logLine(ctx.store.paths.dir, `drain failed: ${process.env.GIT_BACKUP_DEBUG === '1' && e instanceof Error ? e.stack : message}`);
    // For status --prometheus; when the store itself cannot be written this fails too, and the
    // last success growing old (with events waiting) is what tells. Not after a lock wait that
    // timed out: a second wait would hold up the git command that runs this drain in the foreground.
    if (!(e instanceof BackupError && e.exitCode === ExitCode.LOCK_TIMEOUT)) {
      const failed = { at: ctx.now.toISOString(), ok: false, detail: message.split('\n')[0]!.slice(0, 200) };
      await ctx.store.update((d) => void (d.stats = { ...d.stats, drain: failed }), { timeoutMs: 1000 }).catch(() => undefined);
    }
    return e instanceof BackupError ? e.exitCode : ExitCode.UNEXPECTED;
  }
}

function parseWatch(s: string): PushWatch | null {
  const m = /^(refs\/remotes\/[^=\s]+)=([0-9a-f]{40,64})$/.exec(s);
  return m ? { ref: m[1]!, sha: m[2]! } : null;
}

/** `git backup hook drain --detached --follower --watch REF=SHA…` in the background, for what a foreground drain left (docs/hooks.md). */
async function startFollower(ctx: Context, repoDir: string, pushes: PushWatch[]): Promise<void> {
  await startDetachedDrain(ctx.store.paths.dir, repoDir, ['--follower', ...pushes.flatMap((p) => ['--watch', `${p.ref}=${p.sha}`])], { GIT_BACKUP_HOOK_MODE: '' });
}

/**
 * `hook drain --detached --repo REPO_DIR` and `extra`, on its own (detached, unreferenced), with
 * `env` over ours. A failure to start it is no error: the next git event's drain catches up.
 */
async function startDetachedDrain(storeDir: string, repoDir: string, extra: string[], env: NodeJS.ProcessEnv): Promise<void> {
  await startDetached(storeDir, repoDir, ['drain', '--detached', '--repo', repoDir, ...extra], env);
}

/**
 * `git backup hook ARGS` on its own (detached, unreferenced) in `cwd`, with `env` over ours. What it
 * says goes where a hook-started drain's stderr goes: the store's backup.log. A failure to start it
 * is no error (the next hook tries again).
 */
async function startDetached(storeDir: string, cwd: string, hookArgs: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const { closeSync, openSync } = await import('node:fs');
  const { backupLogPath } = await import('../store/backup-log.js');
  let log: number | null = null;
  try {
    log = openSync(backupLogPath(storeDir), 'a', 0o600);
    const child = nodeChildProcess().spawn(process.execPath, [process.argv[1]!, 'hook', ...hookArgs], {
      cwd, detached: true, stdio: ['ignore', 'ignore', log], env: { ...process.env, ...env },
    });
    child.on('error', () => {});
    child.unref();
  } catch {
    // the next hook tries again
  } finally {
    if (log !== null) closeSync(log);
  }
}

/**
 * A linked worktree removed (`git worktree remove`) right after a commit in it: the drain its hook
 * started finds the worktree gone and leaves, but the repository and its store are still there,
 * and the events it was started for waited for the next git event in another worktree (the
 * backups stayed CREATED meanwhile; hostile campaign 47). Start one drain in the main worktree
 * (or the bare repository) instead, when the common dir and the store are still there: it opens
 * nothing it does not find, so a repository being deleted is not brought back. Once only.
 */
async function handOver(commonDir: string): Promise<void> {
  if (process.env.GIT_BACKUP_HANDED_OVER === '1') return;
  const { existsSync } = await import('node:fs');
  const { join } = await import('node:path');
  const store = join(commonDir, 'backup');
  if (!existsSync(join(commonDir, 'HEAD')) || !(await isDir(store))) return;
  const listed = nodeChildProcess().spawnSync('git', ['worktree', 'list', '--porcelain'], { cwd: commonDir, encoding: 'utf8', timeout: 10_000 });
  if (listed.status !== 0) return;
  const first = (listed.stdout ?? '').split('\n\n')[0]!.split('\n');
  const main = first[0]?.startsWith('worktree ') ? first[0].slice('worktree '.length) : '';
  const repo = first.includes('bare') ? commonDir : main;
  if (!repo || !(await isDir(repo))) return;
  await startDetachedDrain(store, repo, [], { GIT_BACKUP_HANDED_OVER: '1' });
}

async function isDir(p: string): Promise<boolean> {
  const { stat } = await import('node:fs/promises');
  return stat(p).then((s) => s.isDirectory(), () => false);
}

async function sameDir(a: string, b: string): Promise<boolean> {
  if (!b) return true; // bare repository: nothing to compare
  const { realpath } = await import('node:fs/promises');
  const [ra, rb] = await Promise.all([realpath(a).catch(() => a), realpath(b).catch(() => b)]);
  return ra === rb;
}

async function runPreRebase(args: string[]): Promise<number> {
  const { positionals } = parseArgs({ args, options: {}, strict: true, allowPositionals: true });
  const ctx = await open(process.cwd());
  const { logLine } = await import('../store/backup-log.js');
  // Warnings (unknown keys) go to backup.log through the context's output: a hook prints at most one line.
  const config = await ctx.config();
  if (!config.hooks.preRebase) return ExitCode.OK;
  const { createBackup } = await import('../app/create.js');
  const [upstream, branch] = positionals;
  const made = await createBackup(ctx, {
    message: `before rebase${branch ? ` of ${branch}` : ''}${upstream ? ` onto ${upstream}` : ''}`,
    includeIgnored: false,
    paths: [],
    cwd: ctx.repo.worktree,
    pin: false,
    labels: ['auto:pre-rebase'],
    trigger: 'GIT_HOOK',
  });
  logLine(ctx.store.paths.dir, made.kind === 'empty' ? 'pre-rebase: nothing to protect, no backup' : `pre-rebase: ${made.kind === 'reused' ? 'the newest backup already holds the work' : 'took backup'} ${made.record.id}`);
  return ExitCode.OK;
}

const HELP = `git backup hook <command>

What the hook templates call; you do not need it day to day (docs/hooks.md).

Commands:
  git backup hook drain [--repo DIR] [--detached]     apply the events the hooks recorded (exactly once), then reconcile;
                                                      --detached (what the hooks use): wait for a burst to end, follow a push
  git backup hook pre-rebase [UPSTREAM [BRANCH]]      the automatic backup before a rebase (backup.hooks.preRebase=true)
  git backup hook agent claude-code                   a checkpoint from a coding agent's hook (install --agent); reads
                                                      the agent's JSON on stdin, always exits 0, prints nothing; handed
                                                      to the worktree's checkpoint server when one runs
  git backup hook agent-server SOCKET TOP             that server (started by the first agent hook; ends when idle)

Environment: GIT_BACKUP_HOOK_MODE=sync drains in the foreground (tests, CI); =off makes the hooks do nothing.`;

/** `client`: how the agent hook's first half went (bin/git-backup.cjs, hook/agent-client.ts), for `hook agent`. */
export async function hookMain(argv: string[], client: ClientOutcome | null = null): Promise<number> {
  // First thing: git's hook variables must not leak into any git command we run. The repository
  // git named is kept for a worktree where it cannot be found (open).
  givenRepo = hookRepo(process.env, () => process.cwd());
  stripHookEnvironment(process.env);
  const [sub, ...rest] = argv;
  try {
    if (sub === '--help' || sub === '-h' || sub === 'help') {
      writeStdout(`${HELP}\n`);
      return ExitCode.OK;
    }
    if (sub === 'drain') return await runDrain(rest);
    if (sub === 'pre-rebase') return await runPreRebase(rest);
    if (sub === 'agent') {
      const startServer = (ctx: Context, socket: string, top: string) => startDetached(ctx.store.paths.dir, top, ['agent-server', socket, top], {});
      return await (await import('./agent.js')).runAgentCheckpoint(rest, (dir) => open(dir), client, startServer);
    }
    if (sub === 'agent-server') {
      const { agentCheckpoint } = await import('./agent.js');
      return await (await import('./agent-server.js')).runAgentServer(rest, (dir) => open(dir), agentCheckpoint);
    }
    process.stderr.write(`git backup hook: unknown hook command ${JSON.stringify(sub ?? '')}; ${USAGE}\n`);
    return ExitCode.USAGE;
  } catch (e) {
    if (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`git backup hook: ${e.message}; ${USAGE}\n`);
      return ExitCode.USAGE;
    }
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`git backup hook ${sub}: ${message.split('\n')[0]}\n`);
    return e instanceof BackupError ? e.exitCode : ExitCode.UNEXPECTED;
  }
}
