// Watching a directory tree for changes (`run --watch`). Node 20's recursive fs.watch does not work on
// Linux, so each directory gets its own non-recursive watch (one inotify watch each), new directories
// are watched as they appear and removed ones dropped. When the watches run out (ENOSPC: the user's
// inotify limit, which their editor and other tools share; or more directories than `maxWatches`), or
// when asked (network file systems send no events), it polls instead: a walk comparing each entry's
// mtime, size, inode and mode, at most every `pollMs`, and walking at most a tenth of the time.
// It only reports which paths changed; what to do about them is the caller's.
import { lstatSync, readdirSync, watch, type FSWatcher } from 'node:fs';

export interface TreeWatchOptions {
  root: string;
  /** Directories (root-relative, forward slashes) not to enter: .git, ignored ones. */
  skip: (rel: string) => boolean;
  /** A path changed (root-relative; '' is the root itself, also reported after a switch to polling). Never called before watchTree returns. */
  onChange: (rel: string) => void;
  /** 'auto': watches, polling when they run out; 'poll': poll from the start. */
  mode?: 'auto' | 'poll';
  /** Most directories to watch before polling instead (leaves the user's inotify budget to others). */
  maxWatches?: number;
  pollMs?: number;
  /** Told once, when it falls back to polling and why. */
  onPolling?: (why: string) => void;
}

export interface TreeWatcher {
  readonly mode: () => 'watch' | 'poll';
  /** How long between two polls now (ms); 0 while watching. */
  readonly pollInterval: () => number;
  /** Stop watching under this directory (found ignored after all). */
  prune(rel: string): void;
  close(): void;
}

const join2 = (dir: string, name: string) => (dir === '' ? name : `${dir}/${name}`);
/** Root-relative to absolute by concatenation (path.join's normalising costs a walk of 40k files most of its time). */
const abs = (root: string, rel: string) => (rel === '' ? root : `${root}/${rel}`);
const under = (rel: string, dir: string) => rel === dir || rel.startsWith(dir + '/');

export function watchTree(opts: TreeWatchOptions): TreeWatcher {
  const maxWatches = opts.maxWatches ?? 8_192;
  const pollMs = opts.pollMs ?? 500;
  const watchers = new Map<string, FSWatcher>();
  const pruned = new Set<string>();
  let mode: 'watch' | 'poll' = 'watch';
  let closed = false;
  let pollTimer: NodeJS.Timeout | null = null;
  let seen = new Map<string, string>();
  let interval = 0;

  /** rel or a directory above it was pruned (a look-up per level, however many were pruned). */
  const prunedAt = (rel: string) => {
    for (let i = rel.length; i > 0; i = rel.lastIndexOf('/', i - 1)) if (pruned.has(rel.slice(0, i))) return true;
    return false;
  };
  const skipped = (rel: string) => rel !== '' && (opts.skip(rel) || prunedAt(rel));

  const unwatch = (dir: string) => {
    for (const [rel, w] of watchers) {
      if (under(rel, dir)) {
        w.close();
        watchers.delete(rel);
      }
    }
  };

  /** Watch `rel` and every directory below it; false when the watches ran out (now polling). */
  const addDir = (rel: string): boolean => {
    if (closed || mode === 'poll' || skipped(rel) || watchers.has(rel)) return true;
    if (watchers.size >= maxWatches) return fallBack(`more than ${maxWatches} directories`);
    let w: FSWatcher;
    try {
      w = watch(abs(opts.root, rel), { persistent: false }, (_type, name) => onEvent(rel, name === null ? null : String(name)));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' || code === 'EMFILE') return fallBack(`no more file watches (${code})`);
      return true; // gone already, or not readable: nothing to watch there
    }
    w.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOSPC' || e.code === 'EMFILE') fallBack(`no more file watches (${e.code})`);
      else if (watchers.get(rel) === w) (w.close(), watchers.delete(rel));
    });
    watchers.set(rel, w);
    for (const name of entries(rel)) {
      if (name.dir && !addDir(join2(rel, name.name))) return false;
    }
    return true;
  };

  const entries = (rel: string): { name: string; dir: boolean }[] => {
    try {
      return readdirSync(abs(opts.root, rel), { withFileTypes: true }).map((d) => ({ name: d.name, dir: d.isDirectory() }));
    } catch {
      return [];
    }
  };

  const kind = (rel: string): 'dir' | 'other' | 'gone' => {
    try {
      return lstatSync(abs(opts.root, rel)).isDirectory() ? 'dir' : 'other';
    } catch {
      return 'gone';
    }
  };

  const onEvent = (dir: string, name: string | null) => {
    if (closed || mode === 'poll') return;
    let rel = name === null ? dir : join2(dir, name);
    if (skipped(rel)) return;
    const k = name === null ? 'other' : kind(rel);
    if (k === 'dir') addDir(rel);
    else if (k === 'gone' && dir !== '' && kind(dir) === 'gone') rel = dir; // the watched directory itself went (its watch names it as its own child)
    if (k === 'gone' && watchers.has(rel)) unwatch(rel);
    opts.onChange(rel);
  };

  /** Every entry below the root (not skipped) with what changes when it is written. */
  const walk = (): Map<string, string> => {
    const out = new Map<string, string>();
    const visit = (rel: string) => {
      for (const e of entries(rel)) {
        const child = join2(rel, e.name);
        if (skipped(child)) continue;
        try {
          const st = lstatSync(abs(opts.root, child));
          out.set(child, `${st.mtimeMs}:${st.size}:${st.ino}:${st.mode}`);
          if (st.isDirectory()) visit(child);
        } catch {
          // removed while we looked: the next walk sees it gone
        }
      }
    };
    visit('');
    return out;
  };

  const poll = () => {
    pollTimer = null;
    if (closed) return;
    const t0 = Date.now();
    const now = walk();
    for (const [rel, sig] of now) if (seen.get(rel) !== sig) opts.onChange(rel);
    for (const rel of seen.keys()) if (!now.has(rel)) opts.onChange(rel);
    seen = now;
    schedulePoll(Date.now() - t0);
  };

  const schedulePoll = (took: number) => {
    if (closed) return;
    interval = Math.max(pollMs, 10 * took);
    pollTimer = setTimeout(poll, interval);
    pollTimer.unref();
  };

  function fallBack(why: string): false {
    if (mode === 'poll') return false;
    mode = 'poll';
    unwatch('');
    opts.onPolling?.(why);
    const t0 = Date.now();
    seen = walk();
    // What changed while the watches were being set up or lost is unknown: say the root changed (a
    // checkpoint of an unchanged tree costs a snapshot and is not kept). Never before watchTree
    // has returned: the caller may not hold the watcher yet.
    setImmediate(() => closed || opts.onChange(''));
    schedulePoll(Date.now() - t0);
    return false;
  }

  if (opts.mode === 'poll') fallBack('asked to poll');
  else addDir('');

  return {
    mode: () => mode,
    pollInterval: () => interval,
    prune(rel) {
      if (rel === '' || prunedAt(rel)) return;
      pruned.add(rel);
      unwatch(rel);
      for (const k of seen.keys()) if (under(k, rel)) seen.delete(k);
    },
    close() {
      closed = true;
      if (pollTimer) clearTimeout(pollTimer);
      unwatch('');
    },
  };
}
