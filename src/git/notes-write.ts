// The one way note lines reach refs/notes/backups (the durable record, see docs/store.md), and
// the one way lines leave it (recover moving out text put into a backup's note by hand).
//
// A note is a blob in the notes tree at a path named after the annotated object (flat, or with
// a fan-out of 2-hex directories). `git notes add` and fast-import's `N` refuse an object the
// repository does not have, which is exactly the case after `git backup gc` pruned an archived
// backup's snapshot: its DELETED line must still be written. So notes are written as plain tree
// entries (fast-import `M`) at the path the note already has, or at its neighbours' fan-out (the
// note blob is reachable from the notes ref, gc never prunes it), and git reads them like any
// other. A new note on a fresh snapshot (create) goes in one transaction with its backup's ref
// (notes-commit.ts), or else through `git notes add` after the ref.
// Every write returns the new tip of the notes ref, which the index records (db.json's
// notes_tip) so that it can tell whether it has seen every event.
import { isUtf8 } from 'node:buffer';
import { GitError, git, gitEachZ, gitLine, type RepoPaths } from './exec.js';
import { BackupError, ExitCode } from '../core/errors.js';
import { pauseAt } from '../test-pause.js';
import { heldLock, waitingOutLock } from './ref-lock.js';
import { readObjects } from './object-reader.js';
import { parseLsTreeZ } from './tree.js';
import { isObjectId } from '../core/ids.js';
import { withoutLines } from '../core/notes-format.js';
import { withIdentity } from './identity.js';
import { NOTES_REF } from './notes.js';
import { refValue } from './ref-files.js';
import type { Ident } from '../core/own-commits.js';
import { noteWithRefs } from './notes-commit.js';
import { backupRefName, writeBackupRef } from './snapshot.js';

/** The commit refs/notes/backups points at, or null. Read from the files when it can (no process). */
export async function notesTip(repo: RepoPaths): Promise<string | null> {
  const fromFiles = await refValue(repo, NOTES_REF);
  if (fromFiles !== undefined) return fromFiles;
  const r = await git(['rev-parse', '-q', '--verify', `${NOTES_REF}^{commit}`], { cwd: repo.worktree, okCodes: [1, 128] });
  return r.code === 0 ? r.stdout.trim() : null;
}

/** Where a note on `object` may sit in the notes tree: flat, or under one or two fan-out levels. */
function candidatePaths(object: string): string[] {
  return [object, `${object.slice(0, 2)}/${object.slice(2)}`, `${object.slice(0, 2)}/${object.slice(2, 4)}/${object.slice(4)}`];
}

interface ExistingNote {
  /** Every path a note on the object sits at: one, unless a fan-out change left it twice. */
  paths: string[];
  /** Their texts joined. */
  text: string;
  /** Whether every copy is UTF-8 text: lines are taken out only of such a note (its text is its bytes). */
  utf8: boolean;
}

interface Found {
  notes: Map<string, ExistingNote>;
  /** Where a new note on an object goes (notePath, from the tree's directories). */
  newPath: (object: string) => string;
}

/** Above this many objects the notes tree is listed once instead of each note looked up by path. */
const LISTING_FROM = 2000;

/**
 * The notes on `objects` in the tree of `tip`, with the path each sits at, and where a new note on
 * each would go. A few: each candidate path asked of one cat-file round trip. Many (a policy
 * moving thousands at once): git resolves every `<tip>:<path>` from the top tree down, so the tree
 * is listed once instead (at 100,000 objects, 39 s of lookups against one listing of seconds).
 */
async function lookUp(repo: RepoPaths, tip: string | null, objects: readonly string[]): Promise<Found> {
  if (!tip) return { notes: new Map(), newPath: (object) => object };
  return objects.length >= LISTING_FROM ? lookUpByListing(repo, tip, objects) : lookUpByPaths(repo, tip, objects);
}

function addNote(notes: Map<string, ExistingNote>, object: string, path: string, body: Buffer): void {
  const raw = body.toString('utf8');
  const text = raw === '' || raw.endsWith('\n') ? raw : `${raw}\n`;
  const known = notes.get(object);
  if (known) {
    known.paths.push(path);
    known.text += text;
    known.utf8 &&= isUtf8(body);
  } else notes.set(object, { paths: [path], text, utf8: isUtf8(body) });
}

async function lookUpByPaths(repo: RepoPaths, tip: string, objects: readonly string[]): Promise<Found> {
  const notes = new Map<string, ExistingNote>();
  const queries = objects.flatMap((object) => candidatePaths(object).map((path) => ({ object, path })));
  // The trees a new note's place is read from: the top, and the 2-hex directory it would go under.
  const dirs = ['', ...new Set(objects.map((o) => o.slice(0, 2)))];
  const found = await readObjects(repo, [...queries.map((q) => `${tip}:${q.path}`), ...dirs.map((d) => `${tip}:${d}`)]);
  queries.forEach((q, i) => {
    const o = found[i];
    if (o?.type === 'blob') addNote(notes, q.object, q.path, o.body);
  });
  const subdirs = new Map<string, Set<string> | null>();
  dirs.forEach((d, i) => {
    const o = found[queries.length + i];
    subdirs.set(d, o?.type === 'tree' ? fanoutDirs(o.body, objects[0]!.length / 2) : null);
  });
  return { notes, newPath: (object) => notePath(object, (dir) => subdirs.get(dir) ?? null) };
}

async function lookUpByListing(repo: RepoPaths, tip: string, objects: readonly string[]): Promise<Found> {
  const wanted = new Set(objects);
  const hits: { object: string; path: string; blob: string }[] = [];
  // The 2-hex directories of the top ('') and of each of those (an empty set: it holds notes).
  const dirs = new Map<string, Set<string>>([['', new Set()]]);
  // The default format (`<mode> <type> <id>\t<path>`): `--format` needs git 2.36, the README promises 2.31.
  await gitEachZ(['ls-tree', '-r', '-z', '--full-tree', tip], { cwd: repo.worktree }, (record) => {
    const [entry] = parseLsTreeZ(record);
    if (!entry || entry.type !== 'blob' || !isObjectId(entry.sha) || !entry.path) return;
    const { sha: blob, path } = entry;
    const parts = path.split('/');
    if (parts.length >= 2) {
      dirs.get('')!.add(parts[0]!);
      let under = dirs.get(parts[0]!);
      if (!under) dirs.set(parts[0]!, (under = new Set()));
      if (parts.length >= 3) under.add(parts[1]!);
    }
    const object = parts.join('');
    if (wanted.has(object)) hits.push({ object, path, blob });
  });
  const notes = new Map<string, ExistingNote>();
  const bodies = await readObjects(repo, hits.map((h) => h.blob));
  hits.forEach((h, i) => addNote(notes, h.object, h.path, bodies[i]?.body ?? Buffer.alloc(0)));
  return { notes, newPath: (object) => notePath(object, (dir) => dirs.get(dir) ?? null) };
}

/** The 2-hex directory names in a tree object's body (entries `<mode> <name>\0<raw id>`). */
function fanoutDirs(body: Buffer, idBytes: number): Set<string> {
  const names = new Set<string>();
  for (let at = 0; at < body.length; ) {
    const space = body.indexOf(0x20, at);
    const nul = body.indexOf(0, space);
    if (space < 0 || nul < 0) break;
    if (nul - space - 1 === 2 && body.toString('latin1', at, space) === '40000') names.add(body.toString('latin1', space + 1, nul));
    at = nul + 1 + idBytes;
  }
  return names;
}

/**
 * Where a note on `object` (which has none yet) goes: at the fan-out its neighbours use, as
 * `git notes` lays them out (a 2-hex directory per level once a tree holds many notes). `dirsIn`
 * gives the 2-hex directories of the top tree ('') or of one of them, null when there is none.
 * git reads a note at any level, so this is for tidiness and speed, not correctness: the written
 * entry is all fast-import touches. fast-import's own `N` instead re-lays the whole notes tree
 * when it finds the fan-out of a tree it did not write wrong (every note read, 27 s at a million).
 */
export function notePath(object: string, dirsIn: (dir: string) => ReadonlySet<string> | null): string {
  const xx = object.slice(0, 2);
  const under = dirsIn(xx);
  if (under !== null) return under.size > 0 ? `${xx}/${object.slice(2, 4)}/${object.slice(4)}` : `${xx}/${object.slice(2)}`;
  return (dirsIn('')?.size ?? 0) > 0 ? `${xx}/${object.slice(2)}` : object;
}

/**
 * The committer identity for our notes commits: the one the configuration makes certain
 * (core/own-commits.ts), else asked of git once per process.
 */
const idents = new Map<string, string>();
async function committer(repo: RepoPaths, known?: Ident): Promise<string> {
  let ident = known ? `${known.name} <${known.email}> 0 +0000` : idents.get(repo.commonDir);
  if (!ident) {
    ident = await withIdentity(repo, (env) => gitLine(['var', 'GIT_COMMITTER_IDENT'], { cwd: repo.worktree, env }));
    idents.set(repo.commonDir, ident);
  }
  // The stored time is replaced by now: each notes commit is dated when it is made.
  return ident.replace(/ \d+ [+-]\d{4}$/, ` ${Math.floor(Date.now() / 1000)} +0000`);
}

/** The note's lines with `lines` added, as a set; null when that adds nothing (unless `rewrite`). */
function merged(existing: string, lines: readonly string[], rewrite = false): string | null {
  const have = new Set(existing.split('\n').filter(Boolean));
  const before = have.size;
  for (const l of lines) have.add(l);
  if (have.size === before && existing !== '' && !rewrite) return null;
  return [...have].sort().join('\n') + '\n';
}

export interface NoteWriteOptions {
  /** Objects made a moment ago (a new snapshot): known to exist and to have no note yet. */
  fresh?: ReadonlySet<string>;
  /**
   * The committer git would take, when certain: no `git var` to ask it. Certain also means this
   * process may write the objects itself (core/own-commits.ts): a new backup's note then goes in
   * one transaction with its ref (notes-commit.ts).
   */
  committer?: Ident;
  /**
   * New backups (id → snapshot) whose refs come into being with these lines: in the same
   * transaction as the note where it can, else written before it (never a note on a snapshot no ref keeps).
   */
  refs?: ReadonlyMap<string, string>;
  /**
   * Lines to take out of the notes of these objects (as parseNoteLines reports them): every other
   * line of such a note keeps its bytes and its place (recover, for lines that are not events).
   */
  drop?: ReadonlyMap<string, readonly string[]>;
}

/**
 * Add lines to the notes of many objects in one commit on refs/notes/backups (lines already there
 * are not repeated; each note stays sorted, which is cat_sort_uniq's order), and take out those of
 * `opts.drop` in the same commit. Returns the tip after the write. Callers hold the store lock; a
 * notes ref moved meanwhile by git itself (notes.rewriteRef during an amend or rebase) makes
 * fast-import refuse the non-fast-forward update, and the write is tried again on the new tip
 * (lines are taken out of the notes as they are there).
 */
export async function writeNoteLines(
  repo: RepoPaths,
  additions: ReadonlyMap<string, readonly string[]>,
  opts: NoteWriteOptions = {},
): Promise<string | null> {
  const drop = new Map([...(opts.drop ?? [])].filter(([, lines]) => lines.length > 0).map(([o, lines]) => [o, new Set(lines)]));
  const wanted: [string, readonly string[]][] = [...additions].filter(([, lines]) => lines.length > 0);
  for (const object of drop.keys()) if (!additions.get(object)?.length) wanted.push([object, []]);
  const cwd = repo.worktree;
  const fresh = wanted.length === 1 && drop.size === 0 && opts.fresh?.has(wanted[0]![0]) ? wanted[0]! : null;
  const text = (lines: readonly string[]) => [...lines].sort().join('\n') + '\n';
  // The common case, one line on a brand-new snapshot (create): with its ref, one transaction.
  if (fresh && opts.refs?.size && opts.committer) {
    const refs = new Map([...opts.refs].map(([id, commit]) => [backupRefName(id), commit]));
    const tip = await noteWithRefs(repo, await notesTip(repo), fresh[0], text(fresh[1]), refs, `${opts.committer.name} <${opts.committer.email}>`);
    if (tip !== null) return tip;
  }
  if (opts.refs?.size) {
    await createBackupRefs(repo, opts.refs);
    await pauseAt('notes:after-refs'); // tests: killed between a ref and its note
  }
  if (wanted.length === 0) return notesTip(repo);
  // Else one `git notes add`. Whatever it refuses goes the general way below: a notes ref set by
  // hand to an annotated tag of a notes commit (git notes exits 128 on it, fast-import builds on
  // the commit it names).
  if (fresh) {
    const [object, lines] = fresh;
    const r = await waitingOutNotesLock(() =>
      withIdentity(repo, (env) => git(['notes', `--ref=${NOTES_REF}`, 'add', '-F', '-', object], { cwd, input: text(lines), env, okCodes: [1, 128] })),
    );
    if (r.code === 0) return notesTip(repo);
    // Only that refusal: any other failure (a full disk, a ref that cannot be locked) is said as git
    // said it, which the top level explains (a full disk named as one), not as fast-import's crash after it.
    if (r.code === 128) {
      const ref = await git(['cat-file', '-t', NOTES_REF], { cwd, okCodes: [128] });
      if (ref.code !== 0 || ref.stdout.trim() === 'commit') throw new GitError(['notes', 'add'], r.code, r.stderr);
    }
  }
  for (let attempt = 1; ; attempt++) {
    const tip = await notesTip(repo);
    const { notes: existing, newPath } = await lookUp(repo, tip, wanted.map(([o]) => o));
    const ident = await committer(repo, opts.committer);
    const data = (text: string) => `data ${Buffer.byteLength(text)}\n${text}\n`;
    const chunks: string[] = [`commit ${NOTES_REF}\ncommitter ${ident}\n`, data(drop.size ? 'Notes changed by git backup (lines that are not events taken out)\n' : 'Notes added by git backup\n')];
    if (tip) chunks.push(`from ${tip}\n`);
    let changed = 0;
    for (const [object, lines] of wanted) {
      const note = existing.get(object);
      const paths = note?.paths ?? [];
      // A note found at two paths (flat and fanned out: `git notes copy` during a rebase writes with
      // a fan-out, fast-import's N without) reads as its text twice: written once, it is mended.
      const before = note?.text ?? '';
      const gone = note?.utf8 === false ? undefined : drop.get(object);
      const after = gone ? withoutLines(before, gone) : before;
      // Only lines taken out: the rest as it was. Lines added too: merged as any addition is.
      const text = lines.length > 0 || paths.length > 1 ? merged(after, lines, paths.length > 1 || after !== before) : after !== before ? after : null;
      if (text === null) continue;
      changed++;
      // A plain tree entry where the note is (another copy of it removed), or where a new one goes.
      // Not fast-import's `N`: that refuses an object this clone lacks (a pruned snapshot, whose
      // DELETED line must still be written), and re-lays the whole tree when its fan-out differs.
      for (const p of paths.slice(1)) chunks.push(`D ${p}\n`);
      // Nothing left (a note that held only lines taken out): no note, rather than an empty one.
      if (text.trim() === '') {
        if (paths[0]) chunks.push(`D ${paths[0]}\n`);
        continue;
      }
      chunks.push(`M 100644 inline ${paths[0] ?? newPath(object)}\n`, data(text));
    }
    if (changed === 0) return tip;
    await pauseAt('notes:before-import'); // tests: the notes ref moved by git between the read of its tip and this write
    const r = await waitingOutNotesLock(() => git(['fast-import', '--quiet', '--date-format=raw'], { cwd, input: chunks.join(''), okCodes: [1, 128] }));
    if (r.code === 0) return notesTip(repo);
    // Moved under the write (an amend or rebase copying notes beside it): built again on the new
    // tip, after a pause that lets a burst of such moves pass; still moving after them, exit 5.
    const moved = MOVED_UNDER.test(r.stderr);
    if (moved && attempt <= MOVED_WAITS_MS.length) {
      await new Promise((done) => setTimeout(done, MOVED_WAITS_MS[attempt - 1]));
      continue;
    }
    if (moved) {
      throw new BackupError(
        ExitCode.LOCK_TIMEOUT,
        `${NOTES_REF} kept moving while this change was written (another git process rewriting notes, as an amend or a rebase does with notes.rewriteRef); the change was not recorded: retry once it is done`,
      );
    }
    if (attempt >= 3) throw new Error(`could not update ${NOTES_REF}: ${r.stderr.trim().split('\n').pop() ?? 'git fast-import failed'}`);
  }
}

/** The refs of new backups, one by one, before their notes (the way for every write but the common one). */
export async function createBackupRefs(repo: RepoPaths, refs: ReadonlyMap<string, string> | undefined): Promise<void> {
  for (const [id, commit] of refs ?? []) await writeBackupRef(repo, id, commit);
}

/** fast-import's refusal of a ref that moved since `from` was read (not a fast-forward of it any more). */
const MOVED_UNDER = /Not updating refs\/notes\/backups/;
/** The pauses before building a write again on a notes ref that moved under it: about 1.3 s in all. */
const MOVED_WAITS_MS = [0, 10, 20, 40, 80, 160, 320, 640];

/**
 * `write` (a git process updating the notes ref) tried again while another process holds the
 * ref's lock file (git/ref-lock.ts); still held, exit 5 naming it.
 */
async function waitingOutNotesLock<R extends { code: number; stderr: string }>(write: () => Promise<R>): Promise<R> {
  const r = await waitingOutLock(write);
  const lock = r.code === 0 ? null : heldLock(r.stderr);
  if (lock === null) return r;
  throw new BackupError(
    ExitCode.LOCK_TIMEOUT,
    `${NOTES_REF} is locked by another git process (${lock} exists); the change was not recorded: retry once it is done, or remove that file if no git process is running`,
  );
}
