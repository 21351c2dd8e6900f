// Checks for CI pipelines, over note events alone (a fresh clone has no db.json): every recorded
// history must be a valid path through the state machine, and no backup may sit in a state longer
// than the pipeline allows.
import { isAllowed, isBackupState } from './lifecycle.js';
import { inReplayOrder, isStrayLine, type SkippedLine, type TimedNoteEvent } from './notes-format.js';
import type { BackupState } from './types.js';
import { DAY_MS, requireDuration } from './duration.js';
import { usageError } from './errors.js';

export interface CiProblem {
  id: string;
  check: 'note' | 'history' | 'max-age';
  message: string;
}

export interface HistoryVerdict {
  id: string;
  state: BackupState;
  /** When the backup entered its current state (ISO). */
  since: string;
  /** The last pending commit the notes recorded (null: never committed, as far as they say). */
  pending_commit: string | null;
  problems: CiProblem[];
}

/** `STATE=DURATION` arguments → limit per state (ms). */
export function parseMaxAges(args: readonly string[]): Map<BackupState, number> {
  const out = new Map<BackupState, number>();
  for (const a of args) {
    const m = /^([A-Za-z]+)=(.+)$/.exec(a);
    const state = m?.[1]?.toUpperCase();
    if (!m || !state || !isBackupState(state)) throw usageError(`--max-age ${JSON.stringify(a)}: write STATE=DURATION with a state such as PENDING, e.g. PENDING=14d`);
    out.set(state, requireDuration(m[2]!, `--max-age ${state}`));
  }
  return out;
}

/** What a skipped note line's problem adds: a line that is not an event at all (put there by hand) is one recover moves out. */
export function strayHint(s: SkippedLine): string {
  return isStrayLine(s) ? '; run git backup recover' : '';
}

/**
 * Walk one backup's events in time order and check the chain: it starts with the creation, each
 * transition leaves the state the previous one reached, each step is in the table or forced by
 * the USER, nothing follows DELETED. Same-millisecond transitions are taken in chain order.
 */
export function checkHistory(id: string, events: readonly TimedNoteEvent[], skipped: readonly SkippedLine[] = []): HistoryVerdict {
  const problems: CiProblem[] = skipped.map((s) => ({ id, check: 'note' as const, message: `line ${s.line} is not a valid event (${s.why})${strayHint(s)}` }));
  const fail = (message: string) => problems.push({ id, check: 'history', message });
  const own = events.filter((e) => e.event.id === id && e.event.event !== 'drove');
  const created = own.filter((e) => e.event.event === 'created');
  if (created.length !== 1) fail(created.length === 0 ? 'no creation line' : `${created.length} creation lines`);
  const start = created[0];
  let state: BackupState = 'CREATED';
  let since = start?.at ?? own[0]?.at ?? '';
  let pending: string | null = null;
  for (const { event: ev } of own) if ((ev.event === 'transition' || ev.event === 'facts') && ev.facts?.pending_commit !== undefined) pending = ev.facts.pending_commit;
  const transitions = own.filter((e) => e.event.event === 'transition');
  for (const { at, event: ev } of inReplayOrder(transitions, () => state)) {
    if (ev.event !== 'transition') continue;
    if (start && at < start.at) fail(`${at}: ${ev.from}→${ev.to} dated before the creation`);
    if (ev.from !== state) fail(`${at}: ${ev.from}→${ev.to} but the backup was ${state}`);
    else if (state === 'DELETED') fail(`${at}: ${ev.from}→${ev.to} after DELETED`);
    else if (ev.forced && ev.trigger !== 'USER') fail(`${at}: ${ev.from}→${ev.to} forced by ${ev.trigger} (only USER may force)`);
    else if (!isAllowed(ev.from, ev.to) && !ev.forced) fail(`${at}: ${ev.from}→${ev.to} is not an allowed transition`);
    // DELETED stays terminal, as the replay (core/rebuild.ts) keeps it: another clone's moves merged
    // in after it (sync) are reported above, never taken, or ci would count a backup list shows
    // DELETED as CONFIRMED (and judge --max-age by it).
    if (state === 'DELETED') continue;
    state = ev.to;
    since = at;
  }
  return { id, state, since, pending_commit: pending, problems };
}

export function checkMaxAge(v: HistoryVerdict, limits: ReadonlyMap<BackupState, number>, now: Date): CiProblem | null {
  const limit = limits.get(v.state);
  const entered = Date.parse(v.since);
  if (limit === undefined || Number.isNaN(entered)) return null;
  const age = now.getTime() - entered;
  if (age <= limit) return null;
  const days = (age / DAY_MS).toFixed(1);
  return { id: v.id, check: 'max-age', message: `${v.state} since ${v.since} (${days} days), longer than the limit` };
}
