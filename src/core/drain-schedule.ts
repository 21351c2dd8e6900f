// When a detached drain runs its next round, and what a push leaves it to wait for (docs/hooks.md,
// "Scheduling"). Pure: the drain (src/hook/drain.ts) observes the clock, the size of events.log and
// the sequence directories, and asks these functions what to do.
//
// A burst of git events (a rebase replaying 20 commits, a script committing in a loop, an agent)
// must cost about one drain, not one per event: the drain waits until events.log has been quiet for
// a moment (longer while a rebase, am or cherry-pick sequence is under way, since it ends with its
// own event), but never longer than a bound, so a long burst still makes progress. A round the bound
// forces in the middle of a burst only applies the events (a read and a write of db.json); the
// reconcile (a dozen git processes: the content judgement, a note) waits for the quiet, so a burst
// pays for it about once (RECONCILE_MAX_STALE_MS bounds how long it may wait).
import type { HookEvent } from './events.js';

export interface ScheduleTimes {
  /** Quiet time after the last event before a round runs. */
  quietMs: number;
  /** A round runs at the latest this long after the drain started waiting, quiet or not. */
  maxDelayMs: number;
}

/**
 * Outside a sequence: a burst of commits from a script or an agent. The quiet time adapts to the
 * burst's pace (QUIET_GAPS × the last gap between events, within these bounds), so a loop whose
 * commits take longer than 250 ms on a busy machine is still one burst.
 */
export const BURST: ScheduleTimes = { quietMs: 250, maxDelayMs: 10_000 };
/**
 * Capped at 1 s: the backup should follow the branch within about a second of a burst's end. A
 * pause longer than that inside a burst costs one extra reconcile, no more.
 */
export const BURST_MAX_QUIET_MS = 1_000;
/** 2 gaps (the larger of the last two): one slow commit in a loop does not end the burst. */
export const QUIET_GAPS = 2;
/** During a rebase/am/cherry-pick sequence (its end is an event of its own, or a stop for the user). */
export const SEQUENCE: ScheduleTimes = { quietMs: 1_500, maxDelayMs: 60_000 };
/**
 * How long a detached drain stays, idle, after the log is empty: a commit that comes within it is
 * applied by the same process instead of a new Node start (the bulk of a drain's CPU). It sleeps,
 * looking at the log's size every POLL_MS.
 */
export const LINGER_MS = 3_000;
/** How often a waiting drain looks at events.log (a stat: microseconds). */
export const POLL_MS = 50;

/**
 * Directories git keeps in a worktree's git dir while a sequence of commits is under way:
 * `rebase-merge` (rebase, rebase -i), `rebase-apply` (am, rebase --apply), `sequencer`
 * (cherry-pick and revert of several commits).
 */
export const SEQUENCE_DIRS = ['rebase-merge', 'rebase-apply', 'sequencer'] as const;

export interface WaitState {
  /** When the drain began waiting (ms). */
  startedAt: number;
  /** When it last saw events.log grow (ms); startedAt when it has not. */
  lastGrowthAt: number;
  /** The last interval between two growths it saw (ms); null before two. */
  lastGapMs: number | null;
  /** The one before it (ms); null before three growths. */
  prevGapMs: number | null;
  /** Wall time of this drain's last reconciling round (ms); null before one. */
  lastRoundMs?: number | null;
}

/**
 * On a loaded machine a commit takes longer than the quiet time's cap and a reconcile takes
 * seconds: a round per commit would keep the drain busy through the whole burst. So the quiet time
 * is at least as long as the last reconciling round took (up to this): the drain spends at most
 * about half a burst's wall time reconciling. Unloaded, a round takes a few hundred ms and this
 * changes nothing.
 */
export const ROUND_QUIET_MAX_MS = 3_000;

/** Record that events.log grew at `now`. */
export function sawGrowth(w: WaitState, now: number, grewBefore: boolean): void {
  if (grewBefore) {
    w.prevGapMs = w.lastGapMs;
    w.lastGapMs = now - w.lastGrowthAt;
  }
  w.lastGrowthAt = now;
}

/** The quiet time a burst needs before a round, given its pace. */
export function quietMs(w: WaitState, inSequence: boolean): number {
  if (inSequence) return SEQUENCE.quietMs;
  const gap = Math.max(w.lastGapMs ?? 0, w.prevGapMs ?? 0);
  const paced = Math.min(BURST_MAX_QUIET_MS, Math.max(BURST.quietMs, QUIET_GAPS * gap));
  return Math.max(paced, Math.min(ROUND_QUIET_MAX_MS, w.lastRoundMs ?? 0));
}

/**
 * `quiet`: the burst is over (or at a pause): apply and reconcile. `forced`: the bound ran out in
 * the middle of a burst: apply the events, and reconcile only if the last reconcile is stale
 * (`fullRound`).
 */
export type Step = { kind: 'run'; quiet: boolean } | { kind: 'wait'; ms: number };

/**
 * Run now, or wait (and look again) how long. The bound forces a round only while the log keeps
 * growing during this wait: without growth the quiet time comes soon anyway. `maxDelayMs` replaces
 * the bound (tests make a short burst run past it).
 */
export function nextStep(now: number, w: WaitState, inSequence: boolean, maxDelayMs?: number): Step {
  const max = maxDelayMs ?? (inSequence ? SEQUENCE : BURST).maxDelayMs;
  const quiet = quietMs(w, inSequence);
  const quietFor = now - w.lastGrowthAt;
  const waited = now - w.startedAt;
  if (quietFor >= quiet) return { kind: 'run', quiet: true };
  if (waited >= max && w.lastGrowthAt > w.startedAt) return { kind: 'run', quiet: false };
  return { kind: 'wait', ms: Math.max(1, Math.min(POLL_MS, quiet - quietFor, Math.max(0, max - waited) || POLL_MS)) };
}

/**
 * How long the states may lag the events in a burst that never pauses (an agent committing every
 * few seconds all afternoon): a forced round reconciles when the last reconcile is older than this.
 */
export const RECONCILE_MAX_STALE_MS = 30_000;

/**
 * Whether a round reconciles (and runs the checks) or only applies the events. `sinceReconcileMs`:
 * since this drain's last reconcile, or since it started when it has not reconciled yet.
 */
export function fullRound(quiet: boolean, sinceReconcileMs: number): boolean {
  return quiet || sinceReconcileMs >= RECONCILE_MAX_STALE_MS;
}

/** How long a drain keeps watching for the remote-tracking refs a push is about to update. */
export const PUSH_WATCH_MS = 60_000;

export interface PushWatch {
  /** The remote-tracking ref git updates once the remote accepted the push, e.g. refs/remotes/origin/main. */
  ref: string;
  /** The commit pushed. */
  sha: string;
}

const ZERO = /^0+$/;
/** A remote name git could have tracking refs for (a URL or a path has none). */
const REMOTE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9._-]+)*$/;

/**
 * The remote-tracking refs a pre-push event announces: for each branch pushed to a named remote
 * (`refs/heads/B` → `refs/remotes/REMOTE/B`, git's default refspec), the commit it will point at
 * once the push is accepted. Deletions and pushes to a URL (no tracking refs) announce nothing.
 */
export function pushWatches(e: HookEvent, stdin: string): PushWatch[] {
  if (e.hook !== 'pre-push') return [];
  const [remote, url] = e.args;
  if (!remote || remote === url || !REMOTE_NAME.test(remote) || remote.includes('..')) return [];
  const out: PushWatch[] = [];
  for (const line of stdin.split('\n')) {
    const [, localSha, remoteRef] = line.trim().split(/\s+/);
    if (!localSha || !remoteRef || ZERO.test(localSha) || !/^[0-9a-f]{40,64}$/.test(localSha)) continue;
    if (!remoteRef.startsWith('refs/heads/')) continue;
    out.push({ ref: `refs/remotes/${remote}/${remoteRef.slice('refs/heads/'.length)}`, sha: localSha });
  }
  return out;
}
