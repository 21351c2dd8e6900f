// Restore writes a backup's files (tracked tree + untracked part) into a directory, byte for byte
// as git stores them (no smudge/eol filters: in a repository using them, the written bytes are the
// cleaned form).
// It never writes outside the target or through a symlink, checks every path before writing the
// first file, replaces each file atomically, never deletes files the backup does not have (new work
// is never removed by a restore) and never touches the git index.
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, realpath, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { pauseAt } from '../test-pause.js';
import { dirname, join } from 'node:path';
import { invalidError, notFoundError } from '../errors.js';
import { tempBeside } from '../fs/durable-write.js';
import { BlobReader } from './blobs.js';
import { git, gitLine, type RepoPaths } from './exec.js';
import { blobId } from './objects.js';
import { normalizeSelector, parseLsTreeZ, underAny } from './tree.js';

export type RestoreMode = '100644' | '100755' | '120000' | '160000';

export interface RestoreFile {
  path: string;
  mode: RestoreMode;
  blob: string;
}

/** Every file the backup would write, limited to the requested paths, sorted by path. */
export interface RestorePlan {
  files: RestoreFile[];
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

export async function planRestore(repo: RepoPaths, snapshotCommit: string, paths: string[]): Promise<RestorePlan> {
  const cwd = repo.worktree;
  const [tree, ...parents] = (await gitLine(['log', '-1', '--no-show-signature', '--format=%T %P', snapshotCommit, '--'], { cwd })).split(' ');
  const untrackedParent = parents[2];
  const [tracked, untracked] = await Promise.all([lsTree(repo, tree!), untrackedParent ? lsTree(repo, untrackedParent) : Promise.resolve([])]);
  return selectFiles([...tracked, ...untracked], paths);
}

/** The plan for one tree holding everything (an archived backup brought back by importArchive). */
export async function planRestoreFromTree(repo: RepoPaths, tree: string, paths: string[]): Promise<RestorePlan> {
  return selectFiles(await lsTree(repo, tree), paths);
}

const lsTree = (repo: RepoPaths, t: string) => git(['ls-tree', '-r', '-z', t], { cwd: repo.worktree }).then((r) => parseLsTreeZ(r.stdout));

function selectFiles(entries: { path: string; mode: string; sha: string }[], paths: string[]): RestorePlan {
  const byPath = new Map<string, RestoreFile>();
  for (const e of entries) byPath.set(e.path, { path: e.path, mode: toMode(e.mode), blob: e.sha });

  const selectors = paths.map((p) => normalizeSelector(p));
  for (const s of selectors) if (s !== '' && s !== '.') checkRelative(s, 'path');
  let files = [...byPath.values()];
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
 * that is a symlink or not a directory, a directory where a file should go.
 */
async function validate(plan: RestorePlan, root: string): Promise<void> {
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
      const st = await lstatOrNull(join(root, rel));
      if (st?.isSymbolicLink()) throw invalidError(`refusing to restore ${f.path}: ${rel} is a symbolic link (restore never writes through links)`);
      if (st && !st.isDirectory()) throw invalidError(`refusing to restore ${f.path}: ${rel} exists and is not a directory`);
      dirs.set(rel, st !== null);
      if (!st) break;
    }
    if (f.mode === '160000') continue;
    const st = await lstatOrNull(join(root, f.path));
    if (st?.isDirectory()) throw invalidError(`refusing to restore ${f.path}: a directory is in the way`);
  }
}

const blobHash = (sha: string, content: Buffer) => blobId(content, sha.length === 64);

/**
 * Paths whose existing file in targetDir would be overwritten with something different (content,
 * exec bit, symlink target, or kind). Files that do not exist are not listed. Content is compared
 * with the blob as stored, so in a repository with eol/smudge filters a file may be reported although
 * it only differs by conversion: reporting too much only makes the caller's safety backup larger.
 */
export async function filesThatDiffer(plan: RestorePlan, targetDir: string): Promise<string[]> {
  const root = await realpath(targetDir);
  await validate(plan, root);
  const differ: string[] = [];
  for (const f of plan.files) {
    if (f.mode === '160000') continue;
    const p = join(root, f.path);
    const st = await lstatOrNull(p).catch((e) => (errno(e) === 'ENOTDIR' ? null : Promise.reject(e)));
    if (!st) continue;
    let same: boolean;
    if (f.mode === '120000') same = st.isSymbolicLink() && blobHash(f.blob, await readlink(p, { encoding: 'buffer' })) === f.blob;
    else if (!st.isFile()) same = false;
    else same = (f.mode === '100755') === ((st.mode & 0o100) !== 0) && blobHash(f.blob, await readFile(p)) === f.blob;
    if (!same) differ.push(f.path);
  }
  return differ;
}

/**
 * Write one file atomically: a temp file, then rename over the old one. The temp file lives in
 * `staging` (private, inside the store, same filesystem) when given, so a restore killed midway
 * leaves nothing in the working tree that `git add -A` would pick up; else beside dest.
 */
async function writeOne(dest: string, mode: RestoreMode, content: Buffer, staging: string | null): Promise<void> {
  await mkdir(dirname(dest), { recursive: true });
  const tmp = staging ? join(staging, `${randomBytes(8).toString('hex')}.tmp`) : tempBeside(dest);
  try {
    if (mode === '120000') await symlink(content, tmp);
    else await writeFile(tmp, content, { mode: mode === '100755' ? 0o777 : 0o666, flag: 'wx' });
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
    for (const n of await readdir(tmpDir)) {
      if (!n.startsWith('restore-')) continue;
      const p = join(tmpDir, n);
      if (Date.now() - (await stat(p)).mtimeMs > 3_600_000) await rm(p, { recursive: true, force: true });
    }
    return await mkdtemp(join(tmpDir, 'restore-'));
  } catch {
    return null;
  }
}

export async function applyRestore(repo: RepoPaths, plan: RestorePlan, targetDir: string, tmpDir?: string): Promise<{ written: number }> {
  await mkdir(targetDir, { recursive: true });
  const root = await realpath(targetDir);
  await validate(plan, root);
  const staging = await stagingFor(tmpDir, root);
  const reader = new BlobReader(repo, false);
  let written = 0;
  try {
    for (const f of plan.files) {
      if (f.mode === '160000') continue; // submodule pointers have no content to write
      const content = await reader.read(f.blob, f.path);
      await writeOne(join(root, f.path), f.mode, content, staging);
      written++;
    }
  } finally {
    reader.close();
    if (staging) await rm(staging, { recursive: true, force: true });
  }
  return { written };
}
