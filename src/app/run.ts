// `git backup run -- COMMAND`: an undo point before, the command with its terminal, streams and exit
// status untouched, and a backup after when the command changed anything, the two linked by a
// `run:<session>` label (snapper's pre/post pair) so `diff BEFORE AFTER` shows what it did and
// `undo` takes the tree back to before it. With --watch, checkpoints in between (app/watch.ts).
import { constants as osConstants } from 'node:os';
import { nodeChildProcess, nodeCrypto } from '../builtins.js';
import { resetClock, type Context } from './context.js';
import type { BackupRecord } from '../core/types.js';
import { undoPointLabels } from '../core/undo-stack.js';
import { createBackup } from './create.js';

export interface RunOptions {
  command: string;
  args: string[];
  message: string;
  labels: string[];
  /** Also a checkpoint each time an edit burst settles while the command runs (app/watch.ts). */
  watch?: boolean;
  /** Where watch warnings go (a fallback to polling, a failed checkpoint). */
  warn?: (line: string) => void;
}

export interface RunOutcome {
  session: string;
  before: BackupRecord;
  /** The backup after the command; null when it changed nothing (or left nothing to protect). */
  after: BackupRecord | null;
  /** The status to exit with: the command's own, 128 + signal number when a signal ended it, 127 not found, 126 not runnable. */
  exitCode: number;
  /** Why the command did not run, when it did not. */
  failure: string | null;
  /** Why the backup after it (or the watch's last look) could not be taken: the command's status stands. */
  afterFailure: string | null;
  /** With --watch: the checkpoints taken while it ran, oldest first, and how changes were seen. */
  watched: { checkpoints: BackupRecord[]; mode: 'watch' | 'poll' } | null;
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15, SIGUSR1: 10, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14 };
/** Signals passed on to the command; SIGINT and SIGQUIT from a terminal reach it directly (same process group). */
const FORWARDED = ['SIGTERM', 'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'] as const;

/** Run the command with everything inherited; resolves with how it ended. */
function runChild(command: string, args: string[], cwd: string): Promise<{ code: number; failure: string | null }> {
  return new Promise((resolve) => {
    const forward = (sig: NodeJS.Signals) => () => {
      // A terminal's Ctrl-C already reached the child (same process group); sending it again would
      // interrupt twice. Other senders (kill PID) signal only us: pass it on.
      if (!child.killed) child.kill(sig);
    };
    // Listening before the child starts: a signal sent the moment it runs (the sender saw its first
    // output) would otherwise find no handler, end us, and leave the command running as an orphan.
    // Signal handlers run from the event loop, so `child` is set by the time one does.
    const handlers = FORWARDED.map((sig) => [sig, forward(sig)] as const);
    for (const [sig, h] of handlers) process.on(sig, h);
    const child = nodeChildProcess().spawn(command, args, { stdio: 'inherit', cwd });
    const done = (r: { code: number; failure: string | null }) => {
      for (const [sig, h] of handlers) process.off(sig, h);
      resolve(r);
    };
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') done({ code: 127, failure: `${command}: command not found` });
      else if (e.code === 'EACCES') done({ code: 126, failure: `${command}: permission denied` });
      else done({ code: 126, failure: `${command}: ${e.message}` });
    });
    // Every signal's own number (a crash is SIGSEGV or SIGABRT, not SIGHUP), as a shell reports it.
    child.on('exit', (code, signal) => done({ code: code ?? 128 + (SIGNALS[signal ?? ''] ?? osConstants.signals[signal as NodeJS.Signals] ?? 1), failure: null }));
  });
}

export async function runWrapped(ctx: Context, opts: RunOptions): Promise<RunOutcome> {
  const session = nodeCrypto().randomBytes(4).toString('hex');
  const shown = [opts.command, ...opts.args].join(' ');
  const what = opts.message || shown;
  const base = { includeIgnored: false, paths: [], cwd: ctx.repo.worktree, pin: false, trigger: 'USER' as const };
  const pair = [...opts.labels, `run:${session}`];
  resetClock(ctx);
  const pre = await createBackup(ctx, {
    ...base,
    message: `before: ${what}`,
    labels: [...pair, 'run:before', ...undoPointLabels('run', null)],
    allowEmpty: true, // the undo point must exist even for a clean tree: undo removes what the command adds
  });
  if (pre.kind === 'empty') throw new Error('unreachable: allowEmpty'); // narrows the type
  const watching = opts.watch
    ? await (await import('./watch.js')).startWatch(ctx, {
        labels: pair,
        what,
        poll: process.env.GIT_BACKUP_WATCH === 'poll',
        warn: opts.warn ?? (() => undefined),
      })
    : null;
  const ran = await runChild(opts.command, opts.args, process.cwd());
  let watched: RunOutcome['watched'] = null;
  let after: BackupRecord | null = null;
  try {
    watched = watching ? await watching.stop() : null;
    after = ran.failure ? null : await afterBackup(watched);
  } catch (e) {
    // The repository moved or went away under the command (it may have done it itself), or the
    // store cannot be written: that is no reason to lose the command's own exit status.
    return { session, before: pre.record, after: null, exitCode: ran.code, failure: ran.failure, afterFailure: e instanceof Error ? e.message : String(e), watched };
  }
  return { session, before: pre.record, after, exitCode: ran.code, failure: ran.failure, afterFailure: null, watched };

  async function afterBackup(watched: RunOutcome['watched']): Promise<BackupRecord | null> {
    // Without checkpoints the newest backup is the one just taken, so "reused" means the command
    // changed nothing. After a checkpoint the newest is that checkpoint: the after backup is taken
    // even when it holds the same, so the pair is always there for `diff BEFORE AFTER`.
    const checkpointed = (watched?.checkpoints.length ?? 0) > 0;
    resetClock(ctx); // the command may have run for hours: date the after backup now
    const post = await createBackup(ctx, {
      ...base,
      message: `after: ${what} (exit ${ran.code})`,
      labels: [...pair, 'run:after'],
      ...(checkpointed ? { allowEmpty: true, reuse: false } : {}),
    });
    return post.kind === 'created' ? post.record : null;
  }
}
