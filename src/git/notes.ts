// refs/notes/backups: the durable, shareable mirror of every backup's life. One note per backup,
// on its snapshot commit, one JSON event per line behind a fixed-width timestamp, so git's
// cat_sort_uniq strategy merges two clones' notes in time order without conflict. Notes are
// written only by notes-write.ts (writeNoteLines), under the store lock.
import { git, type RepoPaths } from './exec.js';
import { readObjects } from './object-reader.js';

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

/** Notes read per cat-file round trip by eachNote: a million notes are ~640 MB, never all held at once. */
const NOTES_CHUNK = 10_000;

/**
 * Every note in refs/notes/backups (or those on `only`), as (annotated object, text), read in
 * chunks through the one cat-file reader; nothing when there is no notes ref.
 */
export async function eachNote(repo: RepoPaths, fn: (object: string, text: string) => void, only?: ReadonlySet<string>): Promise<void> {
  const list = await git(['notes', `--ref=${NOTES_REF}`, 'list'], { cwd: repo.worktree, okCodes: [1, 128] });
  if (list.code !== 0) return;
  const pairs = list.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ') as [string, string])
    .filter(([, object]) => !only || only.has(object));
  for (let at = 0; at < pairs.length; at += NOTES_CHUNK) {
    const part = pairs.slice(at, at + NOTES_CHUNK);
    const blobs = await readObjects(repo, part.map((p) => p[0]));
    part.forEach(([, object], i) => fn(object, blobs[i]?.body.toString('utf8') ?? ''));
  }
}
