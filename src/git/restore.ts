// Restore writes a backup's files (tracked tree + untracked part) into a directory, byte for byte
// as git stores them (no smudge/eol filters: in a repository using them, the written bytes are the
// cleaned form).
// It never writes outside the target or through a symlink, checks every path before writing the
// first file, replaces each file atomically, leaves a file that already holds the right content and
// mode alone (its mtime too: no needless rebuilds or editor reloads), never deletes files the backup
// does not have (new work is never removed by a restore) and never touches the git index. Large
// files are streamed from git to disk, so memory stays bounded whatever their size.
import { nodeCrypto } from '../builtins.js';
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, realpath, rename, rm, rmdir, stat, symlink, writeFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { pauseAt } from '../test-pause.js';
import { basename, dirname, join } from 'node:path';
import { invalidError, notFoundError } from '../errors.js';
import { readBlob } from './object-reader.js';
import { git, gitBinary, gitLine, gitSpawn, type RepoPaths } from './exec.js';
import { blobHasher, blobId } from './objects.js';
import { normalizeSelector, parseLsTreeZ, removeStaleScratch, splitZBytes, underAny, type TreeEntry } from './tree.js';

export type RestoreMode = '100644' | '100755' | '120000' | '160000';

export interface RestoreFile {
  path: string;
  mode: RestoreMode;
  blob: string;
  /** Bytes of the blob (0 for a submodule pointer). */
  size: number;
}

/** Files at least this large are streamed (written and hashed) instead of held in memory. */
const STREAM_BYTES = 8 * 1024 * 1024;

/** Every file the backup would write, limited to the requested paths, sorted by path. */
export interface RestorePlan {
  files: RestoreFile[];
  /** Names in the backup that are not UTF-8, shown with U+FFFD: not written (they would land under another name). */
  unnamed?: string[];
}

/** Reject what could escape the target: absolute paths, `..`, empty or `.` parts, `.git`, NUL. */
function checkRelative(path: string, what: string): void {
  const parts = path.split('/');
  const bad = path.includes('\0') || parts.some((p) => p === '' || p === '.' || p === '..' || p.toLowerCase() === '.git');
  if (bad) throw invalidError(`refusing to restore ${what} ${JSON.stringify(path)}: not a plain relative path inside the target`);
}

function toMode(mode: string): RestoreMode {
  if (mode === '100755' || mode === '120000' || mode === '160000') return mode;
  return '100644'; // 100644 and git's legacy 100664
}

/**
 * Which of a backup's files to restore. `scope` is what the backup covers (a path-limited backup's
 * paths; empty for the whole tree): its snapshot tree also holds every other tracked file as it was
 * in HEAD, which a restore must not write back. `paths` is what the user asked for, each of which
 * must match something.
 */
export interface RestoreSelection {
  scope: string[];
  paths: string[];
}

export async function planRestore(repo: RepoPaths, snapshotCommit: string, selection: RestoreSelection): Promise<RestorePlan> {
  const cwd = repo.worktree;
  const [tree, ...parents] = (await gitLine(['log', '-1', '--no-show-signature', '--format=%T %P', snapshotCommit, '--'], { cwd })).split(' ');
  const untrackedParent = parents[2];
  const [tracked, untracked] = await Promise.all([lsTree(repo, tree!), untrackedParent ? lsTree(repo, untrackedParent) : Promise.resolve(NO_ENTRIES)]);
  return withUnnamed(selectFiles([...tracked.entries, ...untracked.entries], selection), [...tracked.unnamed, ...untracked.unnamed]);
}

const NO_ENTRIES = { entries: [], unnamed: [] };
const withUnnamed = (plan: RestorePlan, unnamed: string[]): RestorePlan => (unnamed.length ? { ...plan, unnamed } : plan);

/** The plan for one tree holding everything (an archived backup brought back by importArchive). */
export async function planRestoreFromTree(repo: RepoPaths, tree: string, selection: RestoreSelection): Promise<RestorePlan> {
  const listed = await lsTree(repo, tree);
  return withUnnamed(selectFiles(listed.entries, selection), listed.unnamed);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A tree's files, and the names that are not UTF-8 (paths are strings from here on, and a name
 * decoded with U+FFFD in it would be written under another name than the one the backup has).
 */
async function lsTree(repo: RepoPaths, t: string): Promise<{ entries: TreeEntry[]; unnamed: string[] }> {
  const out = (await gitBinary(['ls-tree', '-r', '-l', '-z', t], { cwd: repo.worktree })).stdout;
  const entries: TreeEntry[] = [];
  const unnamed: string[] = [];
  for (const rec of splitZBytes(out)) {
    const tab = rec.indexOf(0x09);
    if (tab <= 0) continue;
    try {
      entries.push(...parseLsTreeZ(utf8.decode(rec)));
    } catch {
      unnamed.push(rec.toString('utf8', tab + 1));
    }
  }
  return { entries, unnamed };
}

function selectFiles(entries: { path: string; mode: string; sha: string; size: string }[], selection: RestoreSelection): RestorePlan {
  const byPath = new Map<string, RestoreFile>();
  for (const e of entries) byPath.set(e.path, { path: e.path, mode: toMode(e.mode), blob: e.sha, size: Number(e.size) || 0 });

  const scope = selection.scope.map((p) => normalizeSelector(p)).filter((s) => s !== '' && s !== '.');
  const selectors = selection.paths.map((p) => normalizeSelector(p));
  for (const s of selectors) if (s !== '' && s !== '.') checkRelative(s, 'path');
  let files = [...byPath.values()];
  // A path of the scope with nothing in the snapshot was a deletion: restore never deletes, so it
  // simply has nothing to write.
  if (scope.length) files = files.filter((f) => underAny(f.path, scope));
  if (selectors.length) {
    files = files.filter((f) => underAny(f.path, selectors));
    for (const s of selectors) {
      if (!files.some((f) => underAny(f.path, [s]))) throw notFoundError(`path not in backup: ${s}`);
    }
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files };
}

const errno = (e: unknown) => (e as NodeJS.ErrnoException).code;

async function lstatOrNull(p: string) {
  try {
    return await lstat(p);
  } catch (e) {
    if (errno(e) === 'ENOENT') return null;
    throw e;
  }
}

/**
 * Everything that could make a write land outside root or go through a link, checked before
 * anything is written: bad path shapes, a plan path under another plan path, an existing parent
 * that is a symlink or not a directory, a directory where a file should go. What `removing` names
 * goes before the first write (an undo of a run that turned a file into a directory, or a
 * directory into a link): a parent in it is no obstacle, nor a directory holding only files in it.
 */
async function validate(plan: RestorePlan, root: string, removing: ReadonlySet<string>): Promise<void> {
  const planned = new Set(plan.files.map((f) => f.path));
  const dirs = new Map<string, boolean>(); // relative dir -> exists
  for (const f of plan.files) {
    checkRelative(f.path, 'file');
    const parts = f.path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const rel = parts.slice(0, i).join('/');
      if (planned.has(rel)) throw invalidError(`refusing to restore ${f.path}: the backup also has a file at ${rel}`);
      if (dirs.has(rel)) {
        if (!dirs.get(rel)) break; // missing: nothing deeper exists either
        continue;
      }
      if (removing.has(rel)) {
        dirs.set(rel, false); // removed first: nothing under it either
        break;
      }
      const st = await lstatOrNull(join(root, rel));
      if (st?.isSymbolicLink()) throw invalidError(`refusing to restore ${f.path}: ${rel} is a symbolic link (restore never writes through links)`);
      if (st && !st.isDirectory()) throw invalidError(`refusing to restore ${f.path}: ${rel} exists and is not a directory`);
      dirs.set(rel, st !== null);
      if (!st) break;
    }
    if (f.mode === '160000' || !dirs.get(parts.slice(0, -1).join('/')) && parts.length > 1) continue;
    const st = await lstatOrNull(join(root, f.path));
    if (!st?.isDirectory()) continue;
    // In the way unless everything in it goes before the writes; said with what stays, which is
    // usually an ignored file (build output, a log) no backup holds, so nothing would put it back.
    const kept = await firstKept(root, f.path, removing);
    if (kept === null && removing.size > 0) continue;
    const what = kept === null ? 'it is empty' : `it holds ${kept}, which this restore would not put back (an ignored or untracked file no backup of it holds): move it away first`;
    throw invalidError(`refusing to restore ${f.path}: a directory is in the way (${what})`);
  }
}

/** The first file under directory `dir` (relative) that does not go before the writes; null when every one does. */
async function firstKept(root: string, dir: string, removing: ReadonlySet<string>): Promise<string | null> {
  for (const e of await readdir(join(root, dir), { withFileTypes: true })) {
    const rel = `${dir}/${e.name}`;
    const kept = e.isDirectory() ? await firstKept(root, rel, removing) : removing.has(rel) ? null : rel;
    if (kept !== null) return kept;
  }
  return null;
}

const blobHash = (sha: string, content: Buffer) => blobId(content, sha.length === 64);

/** A regular file's blob id, read in chunks when it is large. */
async function fileBlobId(p: string, size: number, sha256: boolean): Promise<string> {
  if (size < STREAM_BYTES) return blobId(await readFile(p), sha256);
  const h = blobHasher(size, sha256);
  for await (const chunk of createReadStream(p)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** How the target compares with the plan, file by file. */
export interface TargetComparison {
  /** Existing files the restore would replace with something different (content, exec bit, link target, kind). */
  differ: string[];
  /** Files that already hold exactly what the backup has: the restore leaves them (and their mtime) alone. */
  unchanged: Set<string>;
}

/**
 * Compare each planned file with what is in targetDir. Files that do not exist are in neither list.
 * Content is compared with the blob as stored; in the working tree (`repo` given), a file whose
 * bytes differ but which git reads as that blob (eol conversion, a clean filter such as nbstripout)
 * is unchanged too. Rewriting it with the stored form would lose what only the file holds (CRLF line
 * ends, a notebook's outputs), which no backup can hold: git stores the cleaned form. `removing`:
 * paths that go before the first write (validate); a planned file under one is not there yet.
 */
export async function compareWithTarget(plan: RestorePlan, targetDir: string, repo?: RepoPaths, removing: ReadonlySet<string> = new Set()): Promise<TargetComparison> {
  const root = await realpath(targetDir);
  await validate(plan, root, removing);
  const out: TargetComparison = { differ: [], unchanged: new Set() };
  const underRemoved = (path: string) => path.split('/').slice(0, -1).some((_, i, parts) => removing.has(parts.slice(0, i + 1).join('/')));
  for (const f of plan.files) {
    if (f.mode === '160000' || underRemoved(f.path)) continue;
    const p = join(root, f.path);
    const st = await lstatOrNull(p).catch((e) => (errno(e) === 'ENOTDIR' ? null : Promise.reject(e)));
    if (!st) continue;
    const sha256 = f.blob.length === 64;
    let same: boolean;
    if (f.mode === '120000') same = st.isSymbolicLink() && blobHash(f.blob, await readlink(p, { encoding: 'buffer' })) === f.blob;
    else if (!st.isFile()) same = false;
    else same = (f.mode === '100755') === ((st.mode & 0o100) !== 0) && st.size === f.size && (await fileBlobId(p, st.size, sha256)) === f.blob;
    (same ? out.unchanged.add(f.path) : out.differ.push(f.path));
  }
  if (repo && out.differ.length) {
    const differ = new Set(out.differ);
    const asGit = await sameToGit(repo, plan.files.filter((f) => differ.has(f.path) && f.mode !== '120000'));
    out.differ = out.differ.filter((p) => !asGit.has(p));
    for (const p of asGit) out.unchanged.add(p);
  }
  return out;
}

/**
 * Which of these working-tree files git reads as their planned blob, filters and eol conversion
 * applied (one `git hash-object --stdin-paths`), with the planned exec bit. Names git would read
 * otherwise on that input (a newline in them, a carriage return, a leading double quote, which
 * it takes for a quoted name) stay "different"; so does everything if git fails (a filter missing).
 */
async function sameToGit(repo: RepoPaths, files: RestoreFile[]): Promise<Set<string>> {
  const same = new Set<string>();
  const asked: RestoreFile[] = [];
  for (const f of files) {
    if (/[\n\r]/.test(f.path) || f.path.startsWith('"')) continue;
    const st = await lstatOrNull(join(repo.worktree, f.path)).catch(() => null);
    if (st?.isFile() && (f.mode === '100755') === ((st.mode & 0o100) !== 0)) asked.push(f);
  }
  if (asked.length === 0) return same;
  const out = await git(['hash-object', '--stdin-paths'], { cwd: repo.worktree, input: asked.map((f) => f.path + '\n').join('') }).catch(() => null);
  const ids = out?.stdout.split('\n') ?? [];
  asked.forEach((f, i) => ids[i] === f.blob && same.add(f.path));
  return same;
}

/** Where temp files go: a private staging directory, or beside each file under this restore's token. */
type Temps = { staging: string } | { token: string };

/** The temp name beside `dest` for the restore with this token: recover finds exactly these (removeTempsBeside). */
const tempNameBeside = (dest: string, token: string) => join(dirname(dest), `.${basename(dest)}.${token}.tmp`);

/**
 * Write one file atomically: a temp file, then rename over the old one. The temp file lives in
 * the staging directory (private, inside the store, same filesystem) when there is one, so a restore
 * killed midway leaves nothing in the working tree that `git add -A` would pick up; else beside dest,
 * named with the restore's token, which its journal entry holds.
 */
async function writeOne(repo: RepoPaths, dest: string, f: RestoreFile, temps: Temps, onBytes: (n: number) => void): Promise<void> {
  await mkdir(dirname(dest), { recursive: true });
  const tmp = 'staging' in temps ? join(temps.staging, `${nodeCrypto().randomBytes(8).toString('hex')}.tmp`) : tempNameBeside(dest, temps.token);
  try {
    const fileMode = f.mode === '100755' ? 0o777 : 0o666;
    if (f.mode === '120000') await symlink(await readBlob(repo, f.blob), tmp);
    else if (f.size >= STREAM_BYTES) await streamBlob(repo, f.blob, tmp, fileMode, onBytes);
    else {
      await writeFile(tmp, await readBlob(repo, f.blob), { mode: fileMode, flag: 'wx' });
      onBytes(f.size);
    }
    await pauseAt('restore:before-rename');
    // rename replaces a symlink at dest rather than following it.
    await rename(tmp, dest);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** A private staging directory under `tmpDir` when it is on the target's filesystem (rename works), else null. */
async function stagingFor(tmpDir: string | undefined, root: string): Promise<string | null> {
  if (!tmpDir) return null;
  try {
    const [a, b] = await Promise.all([stat(tmpDir), stat(root)]);
    if (a.dev !== b.dev) return null;
    // Leftovers of a killed restore (older than an hour) are removed here; they were never in the tree.
    await removeStaleScratch(tmpDir, /^restore-/);
    return await mkdtemp(join(tmpDir, 'restore-'));
  } catch {
    return null;
  }
}

/** One large blob from its own `git cat-file blob`, piped straight into the temp file. */
async function streamBlob(repo: RepoPaths, sha: string, tmp: string, mode: number, onBytes: (n: number) => void): Promise<void> {
  const child = gitSpawn(['cat-file', 'blob', sha], { cwd: repo.worktree });
  child.stdin.end();
  child.stdout.on('data', (d: Buffer) => onBytes(d.length));
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((res) => child.on('close', res));
  await pipeline(child.stdout, createWriteStream(tmp, { mode, flags: 'wx' }));
  const code = await exited;
  if (code !== 0) throw invalidError(`cannot read blob ${sha}: ${stderr.trim().split('\n')[0] ?? `git exited ${code}`}`);
}

export interface RestoreResult {
  written: number;
  /** Files left alone because they already held the backup's content. */
  unchanged: number;
  /** Submodule pointers in the plan: restore does not move a submodule's checkout, and says so. */
  submodules: RestoreFile[];
}

export async function applyRestore(
  repo: RepoPaths,
  plan: RestorePlan,
  targetDir: string,
  opts: {
    tmpDir?: string;
    unchanged?: ReadonlySet<string>;
    onBytes?: (bytesSoFar: number) => void;
    /**
     * Temp files will go beside the targets (no staging on their filesystem): called before the
     * first is made, so they can be found after a kill; what it returns is called once none is left.
     */
    noteTempsBeside?: (t: TempsBeside) => Promise<() => Promise<void>>;
  } = {},
): Promise<RestoreResult> {
  await mkdir(targetDir, { recursive: true });
  const root = await realpath(targetDir);
  await validate(plan, root, new Set()); // what the caller removes first is gone by now
  const staging = await stagingFor(opts.tmpDir, root);
  let temps: Temps;
  let tempsGone: (() => Promise<void>) | undefined;
  if (staging) temps = { staging };
  else {
    temps = { token: nodeCrypto().randomBytes(6).toString('hex') };
    const toWrite = plan.files.filter((f) => f.mode !== '160000' && !opts.unchanged?.has(f.path));
    if (toWrite.length > 0) tempsGone = await opts.noteTempsBeside?.({ root, token: temps.token, dirs: [...new Set(toWrite.map((f) => dirname(f.path)))] });
  }
  const result: RestoreResult = { written: 0, unchanged: 0, submodules: [] };
  let bytes = 0;
  const onBytes = (n: number) => opts.onBytes?.((bytes += n));
  try {
    for (const f of plan.files) {
      if (f.mode === '160000') {
        result.submodules.push(f); // a pointer has no content to write
        continue;
      }
      if (opts.unchanged?.has(f.path)) {
        result.unchanged++;
        continue;
      }
      await writeOne(repo, join(root, f.path), f, temps, onBytes);
      result.written++;
    }
  } finally {
    if (staging) await rm(staging, { recursive: true, force: true });
    await tempsGone?.(); // each temp file was renamed into place or removed by writeOne
  }
  return result;
}

/** Temp files a restore puts beside its targets: the target root, the restore's token, the directories (relative, "." for the root). */
export interface TempsBeside {
  root: string;
  token: string;
  dirs: string[];
}

/**
 * Remove what a killed restore left beside its targets: only names that end in its token (random
 * per restore, so nobody else's file), only files and links, never through a linked directory.
 * Returns how many went.
 */
export async function removeTempsBeside(t: TempsBeside): Promise<number> {
  let removed = 0;
  const suffix = `.${t.token}.tmp`;
  for (const dir of t.dirs) {
    const full = dir === '.' ? t.root : join(t.root, dir);
    if ((await realpath(full).catch(() => null)) !== full) continue; // gone, or a link now
    for (const name of await readdir(full)) {
      if (!name.startsWith('.') || !name.endsWith(suffix)) continue;
      const st = await lstatOrNull(join(full, name));
      if (!st || !(st.isFile() || st.isSymbolicLink())) continue;
      await rm(join(full, name), { force: true });
      removed++;
    }
  }
  return removed;
}

/**
 * Delete files (repository-relative) from root, then the directories that become empty. Never
 * through a symbolic link: a path with a linked or missing parent is left alone. A path that is a
 * directory (a submodule) is left alone too. Returns how many files went.
 */
export async function removeFiles(root: string, paths: readonly string[]): Promise<number> {
  let removed = 0;
  const dirs = new Set<string>();
  for (const path of paths) {
    checkRelative(path, 'file');
    const parts = path.split('/');
    let safe = true;
    for (let i = 1; i < parts.length && safe; i++) {
      const st = await lstatOrNull(join(root, ...parts.slice(0, i)));
      safe = !!st && st.isDirectory() && !st.isSymbolicLink();
    }
    const st = safe ? await lstatOrNull(join(root, path)) : null;
    if (!st || st.isDirectory()) continue;
    await rm(join(root, path));
    removed++;
    for (let i = parts.length - 1; i > 0; i--) dirs.add(parts.slice(0, i).join('/'));
  }
  // Deepest first, so a parent is tried after its children; rmdir fails (and is ignored) when not empty.
  for (const d of [...dirs].sort((a, b) => b.length - a.length)) await rmdir(join(root, d)).catch(() => undefined);
  return removed;
}
