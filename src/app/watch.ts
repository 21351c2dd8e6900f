// `run --watch`: while the command runs, a checkpoint each time an edit burst settles
// (core/watch-debounce.ts decides when), taken in this process by the create use case: no Node start,
// no yargs, the store already open, git started through kept shells (git/launcher.ts). A checkpoint is an ordinary backup with the run's labels plus
// `run:checkpoint`; a tree identical to the newest backup makes none (create's reuse), and a burst that
// touched only ignored files makes none either (one `git check-ignore` per burst). Loaded only when
// --watch is given.
import type { Context } from './context.js';
import { resetClock } from './context.js';
import type { BackupRecord } from '../core/types.js';
import { IDLE, WATCH_RULES, changed, dueAt, finished, pollingRules, started, watchable, type DebounceState } from '../core/watch-debounce.js';
import { ignoredAmong, ignoredDirectories } from '../git/ignore.js';
import { watchTree } from '../fs/watch-tree.js';
import { launchThroughShells } from '../git/launcher.js';
import { logLine } from '../store/backup-log.js';
import { createBackup } from './create.js';

export interface WatchOptions {
  /** Labels every checkpoint carries (the run's, `run:<session>` among them). */
  labels: string[];
  /** What the run is, for the checkpoints' messages. */
  what: string;
  /** Poll instead of watching (GIT_BACKUP_WATCH=poll: network file systems, tests). */
  poll: boolean;
  /** Told once if the watcher falls back to polling, and of a checkpoint that failed. */
  warn: (line: string) => void;
}

export interface WatchSummary {
  /** The checkpoints taken (new backups only, oldest first). */
  checkpoints: BackupRecord[];
  /** How changes were seen at the end: 'watch' (inotify) or 'poll'. */
  mode: 'watch' | 'poll';
}

export interface Watching {
  /** Stop watching, wait for a checkpoint under way, and say what was taken. */
  stop(): Promise<WatchSummary>;
}

export async function startWatch(ctx: Context, opts: WatchOptions): Promise<Watching> {
  const { repo } = ctx;
  // Ignored directories (node_modules, build output) are never watched; more that appear later are
  // pruned once a burst finds them ignored.
  const ignoredDirs = await ignoredDirectories(repo).catch(() => new Set<string>());
  // Every checkpoint starts a few git processes: through kept shells, not forks of this process.
  const stopLaunching = launchThroughShells(ctx.tmpDir);
  let state: DebounceState = IDLE;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const changedPaths = new Set<string>();
  const checkpoints: BackupRecord[] = [];

  const watcher = watchTree({
    root: repo.worktree,
    skip: (rel) => !watchable(rel) || ignoredDirs.has(rel),
    mode: opts.poll ? 'poll' : 'auto',
    onPolling: (why) => {
      if (!opts.poll) opts.warn(`watching by polling: ${why}`);
    },
    onChange: (rel) => {
      if (stopped) return;
      changedPaths.add(rel);
      state = changed(state, Date.now());
      schedule();
    },
  });

  function schedule(): void {
    if (timer) clearTimeout(timer);
    timer = null;
    const due = dueAt(state, watcher.mode() === 'poll' ? pollingRules(watcher.pollInterval()) : WATCH_RULES);
    if (due === null || stopped) return;
    timer = setTimeout(fire, Math.max(0, due - Date.now()));
  }

  function fire(): void {
    timer = null;
    if (stopped) return;
    const paths = [...changedPaths];
    changedPaths.clear();
    state = started(state, Date.now());
    running = checkpoint(paths)
      .catch((e: unknown) => {
        const line = `run --watch: no checkpoint: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
        logLine(ctx.store.paths.dir, line);
        opts.warn(line);
      })
      .finally(() => {
        state = finished(state);
        schedule();
      });
  }

  async function checkpoint(paths: string[]): Promise<void> {
    const named = paths.filter((p) => p !== '');
    if (named.length === paths.length) {
      // A path git cannot judge (beyond a symlink) counts as a change.
      const ignored = await ignoredAmong(repo, named).catch(() => new Set<string>());
      for (const p of ignored) watcher.prune(p);
      if (ignored.size === named.length) return;
    }
    resetClock(ctx);
    const made = await createBackup(ctx, {
      message: `checkpoint ${checkpoints.length + 1}: ${opts.what}`,
      includeIgnored: false,
      paths: [],
      cwd: repo.worktree,
      pin: false,
      labels: [...opts.labels, 'run:checkpoint'],
      trigger: 'USER',
      allowEmpty: true, // a tree put back to HEAD is a point worth rewinding to as well
      reuse: true, // ... but the same tree as the newest backup is not
    });
    if (made.kind === 'created') checkpoints.push(made.record);
  }

  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      watcher.close();
      await running;
      stopLaunching();
      return { checkpoints, mode: watcher.mode() };
    },
  };
}
