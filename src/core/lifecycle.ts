// The lifecycle state machine of design.md §Lifecycle as pure decisions over plain data.
// decideTransition() says whether a request may happen and, if so, the history entry to record;
// applyTransition() applies that entry. Nothing here reads a clock, the store or git: the caller
// passes the time in and performs the content effects (archive, delete) itself.

import { ExitCode } from './errors.js';
import type { BackupRecord, BackupState, HistoryEntry, Tombstone, Trigger } from './types.js';
import { BACKUP_STATES } from './types.js';

/** design.md §Lifecycle: the only transitions allowed without --force. DELETED is terminal. */
export const ALLOWED: Readonly<Record<BackupState, readonly BackupState[]>> = Object.freeze({
  CREATED: Object.freeze(['PENDING', 'CLEANABLE', 'DELETED'] as const),
  PENDING: Object.freeze(['CONFIRMED', 'CLEANABLE', 'DELETED'] as const),
  CONFIRMED: Object.freeze(['CLEANABLE', 'ARCHIVED', 'DELETED'] as const),
  CLEANABLE: Object.freeze(['ARCHIVED', 'DELETED'] as const),
  ARCHIVED: Object.freeze(['DELETED'] as const),
  DELETED: Object.freeze([] as const),
});

/** design.md §Lifecycle: higher wins. */
export const PRIORITY: Readonly<Record<Trigger, number>> = Object.freeze({
  USER: 100,
  DISK_SPACE: 90,
  GIT_HOOK: 80,
  TIME_BASED: 70,
});

export const DEFAULT_CONFLICT_WINDOW_MS = 5 * 60_000;

export interface TransitionRequest {
  to: BackupState;
  trigger: Trigger;
  reason: string;
  force: boolean;
  at: Date;
  /** Defaults to DEFAULT_CONFLICT_WINDOW_MS. */
  conflictWindowMs?: number;
}

export type Decision =
  | { ok: true; entry: HistoryEntry }
  | {
      ok: false;
      code: ExitCode;
      message: string;
      /** Only for DEFERRED: the instant (ISO) from which the same request would no longer be deferred. */
      retryAt?: string;
    };

type DecisionInput = Pick<BackupRecord, 'id' | 'state' | 'pinned' | 'history'>;

export function isAllowed(from: BackupState, to: BackupState): boolean {
  return ALLOWED[from].includes(to);
}

/** The most recent history entry made by `trigger`, or null. */
export function lastActionBy(record: Pick<BackupRecord, 'history'>, trigger: Trigger): HistoryEntry | null {
  for (let i = record.history.length - 1; i >= 0; i--) {
    const e = record.history[i]!;
    if (e.trigger === trigger) return e;
  }
  return null;
}

/**
 * The higher-priority action that defers a request by `trigger` at `at`, if any, and when the
 * deferral ends. When several qualify, the one whose window ends last is reported, so that
 * retrying at `until` is not deferred again by one of the others.
 *
 * Creation entries (from === null) do not count: creating a backup is not a decision about its
 * state, and counting it would defer the post-commit hook in the most common workflow of all
 * ("git backup create", edit, "git commit") for five minutes.
 *
 * An entry dated after `at` (clocks of two clones disagree, or the clock stepped back) counts as
 * recent: we cannot tell it is old, and deferring is the cautious answer.
 */
export function conflictingAction(
  record: Pick<BackupRecord, 'history'>,
  trigger: Trigger,
  at: Date,
  windowMs: number = DEFAULT_CONFLICT_WINDOW_MS,
): { entry: HistoryEntry; until: Date } | null {
  let found: { entry: HistoryEntry; until: Date } | null = null;
  for (const e of record.history) {
    if (e.from === null) continue;
    if (PRIORITY[e.trigger] <= PRIORITY[trigger]) continue;
    const acted = Date.parse(e.at);
    if (Number.isNaN(acted)) continue;
    const until = acted + windowMs;
    // The window is half-open [acted, acted + window): at exactly `until` it has ended.
    if (at.getTime() < until && (found === null || until > found.until.getTime())) {
      found = { entry: e, until: new Date(until) };
    }
  }
  return found;
}

const fail = (code: ExitCode, message: string): Decision => ({ ok: false, code, message });

/**
 * Decide whether `req` may move `record`. The rules are checked in a fixed order, so that each
 * request gets the one answer that is most useful to whoever made it.
 */
export function decideTransition(record: DecisionInput, req: TransitionRequest): Decision {
  const from = record.state;
  const { to, trigger } = req;
  const id = record.id;
  const windowMs = req.conflictWindowMs ?? DEFAULT_CONFLICT_WINDOW_MS;

  // 1. --force is the user's explicit consent. An automatic trigger cannot give consent, so a
  //    forced automatic request is a programming or usage error, whatever else is true of it.
  if (req.force && trigger !== 'USER') {
    return fail(ExitCode.USAGE, `--force is for USER only (trigger ${trigger} asked to force ${id} to ${to})`);
  }

  // 2. DELETED is terminal: the content is gone and only a tombstone remains, so no state after it
  //    could be true. Not even --force can leave it.
  if (from === 'DELETED') {
    return fail(ExitCode.INVALID, `backup ${id} is DELETED; nothing can leave that state (its tombstone is kept)`);
  }

  // 3. A no-op is reported rather than recorded: history should only hold real changes, and a
  //    caller that asked for the current state most likely acted on stale information.
  if (to === from) {
    return fail(ExitCode.INVALID, `backup ${id} is already ${from}`);
  }

  // 4. Conflict window (design.md §Lifecycle): while a higher-priority trigger has acted recently, a lower one
  //    waits. This comes before the validity rules below because the lower trigger's view of the
  //    backup is likely stale; it should look again after the window rather than get a verdict
  //    about a state it did not expect. USER has the highest priority, so it is never deferred
  //    (forced or not).
  const conflict = conflictingAction(record, trigger, req.at, windowMs);
  if (conflict) {
    const e = conflict.entry;
    return {
      ok: false,
      code: ExitCode.DEFERRED,
      message:
        `deferred: ${e.trigger} moved backup ${id} to ${e.to} at ${e.at}; ` +
        `${trigger} may act on it again from ${conflict.until.toISOString()}`,
      retryAt: conflict.until.toISOString(),
    };
  }

  // 5. A pin is the user's statement "keep this". design.md §Lifecycle names TIME_BASED and DISK_SPACE; we
  //    extend it to every automatic trigger (GIT_HOOK included), since no automatic trigger has a
  //    legitimate reason to archive or delete something the user pinned. Exit 3, not 9: exit 9
  //    means "add --yes/--force", which an automatic trigger cannot do; the user has to unpin.
  if (trigger !== 'USER' && record.pinned && (to === 'ARCHIVED' || to === 'DELETED')) {
    return fail(ExitCode.INVALID, `backup ${id} is pinned; ${trigger} may not move it to ${to} (unpin it first)`);
  }

  // 6. design.md §Lifecycle: automatic triggers delete only what a policy already marked CLEANABLE or what is
  //    safely ARCHIVED. Anything else could be work that exists nowhere else.
  if (trigger !== 'USER' && to === 'DELETED' && from !== 'CLEANABLE' && from !== 'ARCHIVED') {
    return fail(ExitCode.INVALID, `${trigger} may delete only CLEANABLE or ARCHIVED backups; ${id} is ${from}`);
  }

  // 7. The table. Outside it, only the user can go, and only with --force (recorded as forced).
  if (!isAllowed(from, to) && !(trigger === 'USER' && req.force)) {
    const targets = ALLOWED[from];
    const list = targets.length ? targets.join(', ') : 'nothing';
    const hint = trigger === 'USER' ? '; use --force to override' : '';
    return fail(ExitCode.INVALID, `cannot move backup ${id} from ${from} to ${to}: ${from} may go to ${list}${hint}`);
  }

  // 8. CREATED and PENDING backups hold work that is not in the integration branch yet; deleting
  //    one can lose work for good, so the user must say so explicitly. Exit 9 is "needs --force".
  if (trigger === 'USER' && to === 'DELETED' && (from === 'CREATED' || from === 'PENDING') && !req.force) {
    return fail(
      ExitCode.REFUSED,
      `backup ${id} is ${from}: it holds work that is not in the integration branch; add --force to delete it`,
    );
  }

  // 9. Accepted. `forced` records that the user passed --force, whether or not this particular
  //    transition needed it: that is what the user did, and an audit trail should say so.
  return {
    ok: true,
    entry: { at: req.at.toISOString(), from, to, trigger, reason: req.reason, forced: req.force },
  };
}

/**
 * Apply an accepted entry: state, updated_at and history; a move to DELETED also writes the
 * tombstone from what the record protected, so the invariant "DELETED ⇔ tombstone" holds wherever
 * the record is rebuilt (index or notes). Throws on an entry that does not start from the current
 * state: that is a bug in the caller, and applying it would corrupt the history.
 */
export function applyTransition(record: BackupRecord, entry: HistoryEntry): void {
  if (entry.from !== record.state) {
    throw new Error(`applyTransition: entry goes from ${String(entry.from)} but backup ${record.id} is ${record.state}`);
  }
  record.state = entry.to;
  record.updated_at = entry.at;
  record.history.push({ ...entry });
  if (entry.to === 'DELETED') record.tombstone = tombstoneFor(record, entry);
}

export function tombstoneFor(record: Pick<BackupRecord, 'files' | 'bytes' | 'paths'>, entry: HistoryEntry): Tombstone {
  return {
    deleted_at: entry.at,
    trigger: entry.trigger,
    reason: entry.reason,
    files: record.files,
    bytes: record.bytes,
    paths: [...record.paths],
  };
}

export function isBackupState(s: string): s is BackupState {
  return (BACKUP_STATES as readonly string[]).includes(s);
}

/**
 * The shortest path of allowed moves from one state to another, excluding `from` itself; null when
 * the table allows none. `confirm` uses it: vouching that work is integrated implies it was committed.
 */
export function routeTo(from: BackupState, to: BackupState): BackupState[] | null {
  const previous = new Map<BackupState, BackupState>();
  const queue: BackupState[] = [from];
  while (queue.length) {
    const at = queue.shift()!;
    if (at === to && at !== from) break;
    for (const next of ALLOWED[at]) {
      if (next !== from && !previous.has(next)) {
        previous.set(next, at);
        queue.push(next);
      }
    }
  }
  if (!previous.has(to)) return null;
  const path: BackupState[] = [];
  for (let s: BackupState = to; s !== from; s = previous.get(s)!) path.unshift(s);
  return path;
}

/** Whether a backup in this state still has its content under refs/backups/<id> (ARCHIVED moved it
 * into an archive; DELETED has none). */
export function holdsRef(r: Pick<BackupRecord, 'state'>): boolean {
  return r.state !== 'ARCHIVED' && r.state !== 'DELETED';
}
