// Bringing a backup's note up to its record in db.json. The store write comes first and the note
// append after it (the note is the copy, db.json the index), so a process killed between the two
// leaves the note a line behind: a transition, a pin, or facts such as pending_commit. A rebuild
// from notes would then bring back an older state. `recover` compares the record rebuilt from the
// note with the indexed one and appends what is missing. Pure.
import type { BackupRecord, BackupState, HistoryEntry } from './types.js';
import { formatNoteLine, noteLines, type RecordFacts, type TimedNoteEvent } from './notes-format.js';
import { applyFacts } from './record.js';

const entryKey = (e: HistoryEntry) => `${e.at} ${e.from} ${e.to}`;

/** A backup's note: its events as written, and the record they replay to. */
export interface NotedBackup {
  events: readonly TimedNoteEvent[];
  record: BackupRecord;
}

/** The facts a note line carries with a transition into `to`, taken from the record as it is now. */
function factsInto(record: BackupRecord, to: BackupState): RecordFacts | undefined {
  if (to === 'PENDING' && record.pending_commit) return { pending_commit: record.pending_commit };
  if (to === 'CONFIRMED' && record.confirmed_by) return { confirmed_by: record.confirmed_by };
  if (to === 'ARCHIVED' && record.archive) return { archive: record.archive };
  return undefined;
}

/**
 * Facts the indexed record knows and the note-rebuilt one holds differently. Only known values:
 * a fact the index lacks may have come from another clone through merged notes, and must stay.
 */
function factsDrift(indexed: BackupRecord, noted: BackupRecord): RecordFacts | null {
  const drift: RecordFacts = {};
  if (indexed.pending_commit && indexed.pending_commit !== noted.pending_commit) drift.pending_commit = indexed.pending_commit;
  if (indexed.confirmed_by && indexed.confirmed_by !== noted.confirmed_by) drift.confirmed_by = indexed.confirmed_by;
  if (indexed.archive && JSON.stringify(indexed.archive) !== JSON.stringify(noted.archive ?? null)) drift.archive = indexed.archive;
  return Object.keys(drift).length ? drift : null;
}

/**
 * Note lines that make the backup's note (undefined when it has none) say what `indexed` says: the whole history for a missing note, else the history entries
 * it lacks, then, when the index was updated after the note's last event (otherwise the note may
 * hold a newer change from another clone), a pin line and a facts line dated `at` for what still
 * differs.
 */
export function noteCatchUpLines(indexed: BackupRecord, note: NotedBackup | undefined, at: string): string[] {
  if (!note) return indexed.history.map((e) => noteLines(indexed, e, e.from === null ? undefined : factsInto(indexed, e.to)));
  // Transitions as the note wrote them (the replay may have set some aside where merged notes disagree).
  const have = new Set<string>();
  for (const { at: when, event } of note.events) if (event.event === 'transition') have.add(`${when} ${event.from} ${event.to}`);
  const noted = note.record;
  const lines: string[] = [];
  const replayed = structuredClone(noted);
  for (const e of indexed.history) {
    if (have.has(entryKey(e)) || e.from === null) continue;
    const facts = factsInto(indexed, e.to);
    lines.push(noteLines(indexed, e, facts));
    applyFacts(replayed, facts);
  }
  if (indexed.updated_at <= noted.updated_at) return lines;
  if (replayed.pinned !== indexed.pinned) lines.push(formatNoteLine(at, { event: indexed.pinned ? 'pin' : 'unpin', id: indexed.id }));
  const drift = factsDrift(indexed, replayed);
  if (drift) lines.push(formatNoteLine(at, { event: 'facts', id: indexed.id, facts: drift }));
  return lines;
}

const sameEntry = (a: HistoryEntry, b: HistoryEntry) => a.at === b.at && a.from === b.from && a.to === b.to && a.trigger === b.trigger;

/**
 * Whether a note is behind the record the index (or the cold store) keeps: its history a strict
 * prefix of the record's. That is a notes ref moved back (a forced fetch of older notes, a hand
 * `update-ref`), never a change of ours: ours only append. Replaying it would undo moves that
 * happened (a DELETED or ARCHIVED backup read as CREATED again, and its archive deleted by the
 * repair that followed, in a hostile test).
 */
export function noteBehind(kept: BackupRecord, noted: BackupRecord): boolean {
  if (noted.history.length >= kept.history.length) return false;
  return noted.history.every((e, i) => sameEntry(e, kept.history[i]!));
}

/** The note lines a note behind `kept` lacks, each step with the facts a rebuild needs from it. */
export function linesToCatchUp(kept: BackupRecord, noted: BackupRecord): string[] {
  return kept.history.slice(noted.history.length).map((e) => noteLines(kept, e, factsInto(kept, e.to)));
}
