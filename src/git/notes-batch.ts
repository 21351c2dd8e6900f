// Adding note lines to many objects at once. appendNoteLines costs two git processes per object,
// which is seconds for the thousands of backups one reconcile can move; here every note is
// rewritten in one `git fast-import` commit on refs/notes/backups (it handles the fan-out).
// Callers hold the store lock, which serialises our updates of the notes ref.
import { git, gitLine, type RepoPaths } from './exec.js';
import { withIdentity } from './identity.js';
import { appendNoteLines, listNotes, NOTES_REF } from './notes.js';
import { existingObjects } from './objects.js';

/** Below this many objects the plain per-object path is simpler and as fast. */
const BATCH_FROM = 8;

export async function appendNotesBatch(repo: RepoPaths, additions: ReadonlyMap<string, readonly string[]>): Promise<void> {
  const wanted = [...additions].filter(([, lines]) => lines.length > 0);
  if (wanted.length === 0) return;
  // git cannot annotate an object it does not have (a snapshot pruned or recorded in another clone):
  // its history stays in db.json, and `recover` reports the missing content.
  const present = new Set(await existingObjects(repo, wanted.map(([o]) => o)));
  const todo = wanted.filter(([o]) => present.has(o));
  if (todo.length === 0) return;
  if (todo.length < BATCH_FROM) {
    for (const [object, lines] of todo) await appendNoteLines(repo, object, [...lines]);
    return;
  }
  const cwd = repo.worktree;
  const tip = await git(['rev-parse', '-q', '--verify', `${NOTES_REF}^{commit}`], { cwd, okCodes: [1] });
  const existing = tip.code === 0 ? await listNotes(repo, new Set(todo.map(([o]) => o))) : new Map<string, string>();

  const chunks: string[] = [];
  const data = (text: string) => `data ${Buffer.byteLength(text)}\n${text}\n`;
  const ident = await withIdentity(repo, (identity) => gitLine(['var', 'GIT_COMMITTER_IDENT'], { cwd, env: identity }));
  chunks.push(`commit ${NOTES_REF}\ncommitter ${ident}\n`, data('Notes added by git backup\n'));
  if (tip.code === 0) chunks.push(`from ${tip.stdout.trim()}\n`);
  let changed = 0;
  for (const [object, lines] of todo) {
    const have = new Set((existing.get(object) ?? '').split('\n').filter(Boolean));
    const before = have.size;
    for (const l of lines) have.add(l);
    if (have.size === before) continue;
    changed++;
    chunks.push(`N inline ${object}\n`, data([...have].sort().join('\n') + '\n'));
  }
  if (changed === 0) return;
  await git(['fast-import', '--quiet', '--date-format=raw'], { cwd, input: chunks.join('') });
}
