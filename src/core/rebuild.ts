// Rebuilding a backup record from its note events (db.json from refs + notes, design.md §Storage).

import { BackupError, ExitCode } from './errors.js';
import { applyTransition } from './lifecycle.js';
import type { BackupRecord, HistoryEntry } from './types.js';
import { applyFacts, newRecord } from './record.js';
import { inReplayOrder, type TimedNoteEvent } from './notes-format.js';

// ---------------------------------------------------------------------------------------------
// Rebuild

/**
 * Replay one backup's note events into a record (used to rebuild db.json from refs + notes).
 * Events are taken in replay order (inReplayOrder: time, then the transition that continues).
 *
 * Merged notes from two clones can disagree (both moved the backup from the same state). The
 * notes are the durable record, so rather than refuse, the replay follows time order — the later
 * event wins, recorded as it happened — except that DELETED stays terminal: once deleted on any
 * clone, the content is gone there, so later events are ignored. Each such oddity is reported
 * through `problems`. accessed_at is not kept in notes (it would mean a write per `show`) and
 * comes back null.
 *
 * Throws BackupError STORE_DAMAGED (7) when there is no creation event to rebuild from.
 */
export function rebuildRecord(events: readonly TimedNoteEvent[], problems: string[] = []): BackupRecord {
  const created = events.find((e) => e.event.event === 'created');
  if (!created || created.event.event !== 'created') {
    throw new BackupError(ExitCode.STORE_DAMAGED, 'cannot rebuild a backup record: its note has no creation line');
  }
  const c = created.event;
  const r = newRecord({ ...c, created_at: c.created_at });
  const id = c.id;

  for (const { at, event: ev } of inReplayOrder(events.filter((e) => e.event !== c), () => r.state)) {
    if (ev.id !== id) {
      problems.push(`${at}: event for ${ev.id} in the note of ${id}; ignored`);
      continue;
    }
    if (ev.event === 'created') {
      problems.push(`${at}: a second creation line for ${id}; ignored`);
      continue;
    }
    if (ev.event === 'drove') continue; // belongs on user commits; harmless here
    if (r.state === 'DELETED') {
      problems.push(`${at}: ${ev.event} after ${id} was DELETED; ignored`);
      continue;
    }
    if (at < r.created_at) problems.push(`${at}: ${ev.event} dated before ${id} was created`);
    switch (ev.event) {
      case 'pin':
      case 'unpin':
        r.pinned = ev.event === 'pin';
        r.updated_at = at;
        break;
      case 'facts':
        applyFacts(r, ev.facts);
        r.updated_at = at;
        break;
      case 'transition': {
        if (ev.from !== r.state) {
          problems.push(`${at}: ${id} moved ${ev.from}→${ev.to} but was ${r.state} (merged notes disagree); took ${ev.to}`);
        }
        const entry: HistoryEntry = { at, from: r.state, to: ev.to, trigger: ev.trigger, reason: ev.reason, forced: ev.forced };
        if (ev.to === r.state) {
          problems.push(`${at}: ${id} already ${ev.to}; transition ignored`);
          break;
        }
        applyTransition(r, entry);
        // Keep the history as it was written, even where it disagreed with the replayed state.
        r.history[r.history.length - 1]!.from = ev.from;
        applyFacts(r, ev.facts);
        break;
      }
    }
  }
  return r;
}

/**
 * The indexed record brought up to the record its note replays to (the note is the truth for
 * everything it carries: state, history, pin, lifecycle facts). What only the index keeps
 * (accessed_at, base_successor, a tombstone's full path list, fields added by later versions) stays.
 * Pure.
 */
export function mergeFromNotes(indexed: BackupRecord, noted: BackupRecord): BackupRecord {
  const out = structuredClone(indexed);
  out.state = noted.state;
  out.history = structuredClone(noted.history);
  out.pinned = noted.pinned;
  // In the same state the index may know newer facts than the note (a drain remaps pending_commit
  // after a rebase in db.json only): those stay. A state the index had not reached brings the note's.
  const same = indexed.state === noted.state;
  out.pending_commit = same ? (indexed.pending_commit ?? noted.pending_commit) : (noted.pending_commit ?? indexed.pending_commit);
  out.confirmed_by = same ? (indexed.confirmed_by ?? noted.confirmed_by) : (noted.confirmed_by ?? indexed.confirmed_by);
  out.confidence = noted.confidence ?? indexed.confidence;
  if (noted.archive !== undefined && noted.archive !== null) out.archive = structuredClone(noted.archive);
  if (noted.copies) out.copies = structuredClone(noted.copies);
  if (noted.origin) out.origin = noted.origin;
  out.updated_at = noted.updated_at > indexed.updated_at ? noted.updated_at : indexed.updated_at;
  out.tombstone = noted.state === 'DELETED' ? (indexed.state === 'DELETED' && indexed.tombstone ? indexed.tombstone : noted.tombstone) : null;
  return out;
}

