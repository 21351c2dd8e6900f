// refs/notes/backups: the durable, shareable mirror of every backup's life. One note per backup,
// on its snapshot commit, one JSON event per line behind a fixed-width timestamp, so git's
// cat_sort_uniq strategy merges two clones' notes in time order without conflict. Notes are
// written only by notes-write.ts (writeNoteLines), under the store lock.
import { isUtf8 } from 'node:buffer';
import { git, type RepoPaths } from './exec.js';
import { BackupError, ExitCode } from '../errors.js';
import { readObjects } from './object-reader.js';
import { parseLsTreeZ, splitZ } from './tree.js';
import { isObjectId } from '../core/ids.js';

export const NOTES_REF = 'refs/notes/backups';

/** The note on `object`, or '' when it has none. */
export async function readNote(repo: RepoPaths, object: string): Promise<string> {
  const r = await git(['notes', `--ref=${NOTES_REF}`, 'show', object], { cwd: repo.worktree, okCodes: [1] });
  return r.code === 0 ? r.stdout : '';
}

/**
 * Annotated objects in the notes ref with their note text (all of them, or only those in `only`):
 * one `notes list` and one `cat-file --batch` however many there are.
 */
export async function listNotes(repo: RepoPaths, only?: ReadonlySet<string>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  await eachNote(repo, (object, text) => void out.set(object, text), only);
  return out;
}

/** A note blob in a notes tree: its path (the annotated object, with fan-out slashes) and its id. */
interface NoteBlob {
  path: string;
  blob: string;
}

/**
 * Note blobs in the notes tree that were added or changed from `from` to `to` (all of `to` when
 * from is null or gone), with their ids as git lists them: read by id, not as `<to>:<path>`, which
 * git resolves by a walk of each tree on the way (a tree of 50,000 notes laid out flat, as another
 * tool may write it, made a catch-up of them all quadratic: 458 s).
 */
async function changedNotes(repo: RepoPaths, from: string | null, to: string): Promise<NoteBlob[]> {
  const cwd = repo.worktree;
  if (from) {
    const r = await git(['diff-tree', '-r', '-z', '--no-renames', '--diff-filter=AM', from, to], { cwd, okCodes: [128] });
    // -z: `:<mode> <mode> <old> <new> <status>` NUL `<path>` NUL, for each entry.
    if (r.code === 0) {
      const fields = splitZ(r.stdout);
      const out: NoteBlob[] = [];
      for (let i = 0; i + 1 < fields.length; i += 2) {
        const blob = fields[i]!.split(' ')[3];
        if (blob && isObjectId(blob)) out.push({ path: fields[i + 1]!, blob });
      }
      return out;
    }
  }
  return parseLsTreeZ((await git(['ls-tree', '-r', '-z', to], { cwd })).stdout).filter((e) => e.type === 'blob').map((e) => ({ path: e.path, blob: e.sha }));
}

/** The texts of note blobs, by annotated object (the path without its fan-out slashes). */
async function readNoteBlobs(repo: RepoPaths, notes: NoteBlob[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (notes.length === 0) return out;
  const blobs = await readObjects(repo, notes.map((n) => n.blob));
  notes.forEach((n, i) => {
    const o = blobs[i];
    if (o?.type === 'blob') out.set(n.path.replace(/\//g, ''), o.body.toString('utf8'));
  });
  return out;
}

/** The notes added or changed from notes commit `from` to `to` (all of `to` without one), by annotated object. */
export async function notesChangedBetween(repo: RepoPaths, from: string | null, to: string): Promise<Map<string, string>> {
  return readNoteBlobs(repo, await changedNotes(repo, from, to));
}

/** Notes read per cat-file round trip by eachNote: a million notes are ~640 MB, never all held at once. */
const NOTES_CHUNK = 10_000;

/**
 * Every note in refs/notes/backups (or those on `only`), as (annotated object, text), read in
 * chunks through the one cat-file reader; nothing when there is no notes ref.
 */
export async function eachNote(
  repo: RepoPaths,
  /** `utf8`: whether the note's bytes are UTF-8 text (else `text` holds U+FFFD for bytes it does not show). */
  fn: (object: string, text: string, utf8: boolean) => void,
  only?: ReadonlySet<string>,
  // A note whose blob git does not have (default: read as empty, which recover's catch-up rewrites).
  missing?: (object: string, blob: string) => void,
): Promise<void> {
  // No notes ref lists nothing and exits 0. A failure is a notes tree git cannot read (a fan-out
  // tree object missing): read as "no notes", ci said "0 backup(s) checked: ok".
  const list = await git(['notes', `--ref=${NOTES_REF}`, 'list'], { cwd: repo.worktree, okCodes: [1, 128] });
  if (list.code !== 0) {
    const why = list.stderr.trim().split('\n').pop() || `git notes list exited ${list.code}`;
    throw new BackupError(
      ExitCode.STORE_DAMAGED,
      `${NOTES_REF} cannot be read (${why}): objects of its notes tree are missing; fetch it again from a clone that has it (git fetch origin ${NOTES_REF}:${NOTES_REF}), or let git backup recover write it again from the index`,
    );
  }
  const pairs = list.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ') as [string, string])
    .filter(([, object]) => !only || only.has(object));
  for (let at = 0; at < pairs.length; at += NOTES_CHUNK) {
    const part = pairs.slice(at, at + NOTES_CHUNK);
    const blobs = await readObjects(repo, part.map((p) => p[0]));
    part.forEach(([blob, object], i) => {
      const o = blobs[i];
      if (!o && missing) missing(object, blob);
      else fn(object, o?.body.toString('utf8') ?? '', !o || isUtf8(o.body));
    });
  }
}
