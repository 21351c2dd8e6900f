// When `run --watch` takes a checkpoint: once an edit burst settles (no change seen for `quietMs`),
// never more than one a second (`minIntervalMs` between the starts of two checkpoints), and at the
// latest `maxWaitMs` after the first unsaved change when the edits never pause (a long generator
// writing file after file still gets checkpoints). Pure: the watcher feeds times in, the answer is a
// time to wake up at. Which paths count is decided here too.

export interface DebounceRules {
  quietMs: number;
  minIntervalMs: number;
  maxWaitMs: number;
}

export const WATCH_RULES: DebounceRules = { quietMs: 400, minIntervalMs: 1_000, maxWaitMs: 10_000 };

/**
 * The rules while polling every `pollMs`: a burst can straddle two polls, so it counts as settled
 * only once a later poll has found nothing new.
 */
export function pollingRules(pollMs: number, rules: DebounceRules = WATCH_RULES): DebounceRules {
  return { ...rules, quietMs: Math.max(rules.quietMs, pollMs + 200) };
}

export interface DebounceState {
  /** The first change not yet in a checkpoint (ms), null when none waits. */
  firstPending: number | null;
  /** The newest change seen (ms). */
  lastChange: number | null;
  /** When the last checkpoint started (ms), null before the first. */
  lastCheckpoint: number | null;
  /** A checkpoint is being taken: the next one waits for it to end. */
  running: boolean;
}

export const IDLE: DebounceState = { firstPending: null, lastChange: null, lastCheckpoint: null, running: false };

/** A change was seen at `at`. */
export function changed(s: DebounceState, at: number): DebounceState {
  return { ...s, firstPending: s.firstPending ?? at, lastChange: at };
}

/**
 * A checkpoint starts at `at`: every change seen so far is in it (the snapshot reads the tree after
 * this instant); changes seen from now on wait for the next one.
 */
export function started(s: DebounceState, at: number): DebounceState {
  return { firstPending: null, lastChange: s.lastChange, lastCheckpoint: at, running: true };
}

export function finished(s: DebounceState): DebounceState {
  return { ...s, running: false };
}

/** When the next checkpoint is due (ms), or null when nothing waits or one is running. */
export function dueAt(s: DebounceState, rules: DebounceRules = WATCH_RULES): number | null {
  if (s.running || s.firstPending === null || s.lastChange === null) return null;
  const settled = Math.min(s.lastChange + rules.quietMs, s.firstPending + rules.maxWaitMs);
  return s.lastCheckpoint === null ? settled : Math.max(settled, s.lastCheckpoint + rules.minIntervalMs);
}

/**
 * Whether a change at this worktree-relative path (forward slashes) can matter to a backup: nothing
 * inside a `.git` directory (ours, or a nested repository's or submodule's) does. Ignored files are
 * asked of git afterwards, in one batch per burst.
 */
export function watchable(rel: string): boolean {
  if (rel === '') return true;
  return !rel.split('/').includes('.git');
}
