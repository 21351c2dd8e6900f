// Is refs/notes/backups a notes commit? (docs/store.md, "A damaged notes ref"). Pure.
//
// The notes ref is the truth the index is derived from, so a ref that points somewhere else (a
// blob, a missing object, a user's commit set there by a mistaken `git update-ref`) must be named
// as damage, not read as "no backups", and new notes commits must never be built on top of it.
import { isObjectId } from './ids.js';

/** One top-level entry of the tree of the commit the notes ref points at. */
export interface TopEntry {
  type: string;
  name: string;
}

/**
 * What is wrong with a notes tree, judged from its top level, or null when it is one. git writes
 * only notes at the top of a notes tree: blobs named by a full object id, or fan-out directories
 * named by two hex digits. Anything else there (a README, `src/`) is a commit of someone's work.
 */
export function notesTreeProblem(entries: readonly TopEntry[]): string | null {
  const foreign = entries.find((e) => !(e.type === 'tree' ? /^[0-9a-f]{2}$/.test(e.name) : e.type === 'blob' && isObjectId(e.name)));
  return foreign ? `its tree holds ${JSON.stringify(foreign.name)}, which is not a note: it is not a notes commit` : null;
}

/** The name a damaged notes ref is kept under by `recover`, for a person to look at. */
export function damagedNotesRef(ref: string, at: Date): string {
  return `${ref}-damaged-${at.getTime()}`;
}
