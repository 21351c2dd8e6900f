// Building trees from the working tree through a temporary index, the way `git stash` does, so the
// user's own index file is never opened for writing. Shared by snapshot.ts and diff.ts.
import { lstat, mkdir, mkdtemp, open, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { git, gitBinary, GitError, gitLine, type RepoPaths } from './exec.js';
import { hasAssumeUnchanged } from './index-file.js';

/** Every path we hand git is a literal file name, never a glob or pathspec magic. */
export const LITERAL: Record<string, string> = { GIT_LITERAL_PATHSPECS: '1' };

export const indexEnv = (indexFile: string): Record<string, string> => ({ ...LITERAL, GIT_INDEX_FILE: indexFile });

/** The same for output kept as bytes (names that are not UTF-8 survive). */
export function splitZBytes(out: Buffer): Buffer[] {
  const records: Buffer[] = [];
  for (let at = 0; at < out.length; ) {
    const nul = out.indexOf(0, at);
    const end = nul < 0 ? out.length : nul;
    records.push(out.subarray(at, end));
    at = end + 1;
  }
  return records;
}

/** NUL-separated git output split into records (the trailing NUL yields no empty record). */
export function splitZ(out: string): string[] {
  const parts = out.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

const emptyTrees = new Map<string, string>();
/** The empty tree's id in this repository's hash (sha1 or sha256), written so it surely exists. */
export async function emptyTree(repo: RepoPaths): Promise<string> {
  const known = emptyTrees.get(repo.commonDir);
  if (known) return known;
  const sha = await gitLine(['hash-object', '-t', 'tree', '-w', '--stdin'], { cwd: repo.worktree, input: '' });
  emptyTrees.set(repo.commonDir, sha);
  return sha;
}

/** An index's bytes as read once, with the times its file had (kept on the copy, for racy-git). */
export interface IndexSeed {
  bytes: Buffer;
  atime: Date;
  mtime: Date;
}

/** A command still running uses its scratch directories for seconds or minutes, never an hour. */
const SCRATCH_STALE_MS = 3600_000;

/**
 * Scratch directories in tmpDir whose names `match` (temporary indexes `index-*`, restore staging
 * `restore-*`) that a killed command left: removed once an hour old. Returns how many went.
 */
export async function removeStaleScratch(tmpDir: string, match: RegExp): Promise<number> {
  const names = await readdir(tmpDir).catch(() => [] as string[]);
  let removed = 0;
  for (const name of names.filter((n) => match.test(n))) {
    const p = join(tmpDir, name);
    const st = await stat(p).catch(() => null);
    if (!st?.isDirectory() || Date.now() - st.mtimeMs < SCRATCH_STALE_MS) continue;
    await rm(p, { recursive: true, force: true });
    removed++;
  }
  return removed;
}

/**
 * An index file as one consistent read, its bytes with its times (one open file: git, and the kept
 * temporary index, replace an index by rename), or null when there is none (a fresh repository).
 */
export async function readIndexSeed(indexFile: string): Promise<IndexSeed | null> {
  let fh;
  try {
    fh = await open(indexFile, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  try {
    const st = await fh.stat();
    return { bytes: await fh.readFile(), atime: st.atime, mtime: st.mtime };
  } finally {
    await fh.close();
  }
}

/**
 * Run fn with a fresh, unguessable index path inside tmpDir (its own mkdtemp directory, so git's
 * `<index>.lock` lands there too). With seed (a file, or the bytes read from one), the index starts as a byte
 * copy of it with its mtime kept: git's racy-clean check compares entry mtimes with the index file's, and a fresh mtime
 * would make a file changed in the same second as the last index write look clean.
 */
export async function withTempIndex<T>(tmpDir: string, seed: string | IndexSeed | null, fn: (indexFile: string) => Promise<T>): Promise<T> {
  await mkdir(tmpDir, { recursive: true, mode: 0o700 });
  const dir = await mkdtemp(join(tmpDir, 'index-'));
  try {
    const indexFile = join(dir, 'index');
    // A fresh repository has no index yet: start empty.
    const from = typeof seed === 'string' ? await readIndexSeed(seed) : seed;
    if (from) {
      await writeFile(indexFile, from.bytes, { mode: 0o600 });
      await utimes(indexFile, from.atime, from.mtime);
    }
    return await fn(indexFile);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** One `git diff-tree/diff-index --raw -z` record. */
export interface RawChange {
  srcMode: string;
  dstMode: string;
  srcSha: string;
  dstSha: string;
  status: string;
  path: string;
}

export function parseRawZ(out: string): RawChange[] {
  const parts = splitZ(out);
  const changes: RawChange[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const [srcMode, dstMode, srcSha, dstSha, status] = parts[i]!.slice(1).split(' ');
    changes.push({ srcMode: srcMode!, dstMode: dstMode!, srcSha: srcSha!, dstSha: dstSha!, status: status!, path: parts[i + 1]! });
  }
  return changes;
}

/**
 * `git diff-tree -r -z --stdin` output for tree pairs: each input line comes back as a header
 * (ending in a newline even with -z), followed by that pair's raw records. One list per line.
 */
export function parseStdinRawZ(out: string, lines: string[]): RawChange[][] {
  const groups: RawChange[][] = [];
  let pos = 0;
  for (const line of lines) {
    const header = line + '\n';
    if (!out.startsWith(header, pos)) throw new Error(`unexpected git diff-tree --stdin output at ${pos}: expected the line for ${line}`);
    pos += header.length;
    const changes: RawChange[] = [];
    while (out[pos] === ':') {
      const metaEnd = out.indexOf('\0', pos);
      const pathEnd = out.indexOf('\0', metaEnd + 1);
      if (metaEnd < 0 || pathEnd < 0) throw new Error('truncated git diff-tree --stdin output');
      const [srcMode, dstMode, srcSha, dstSha, status] = out.slice(pos + 1, metaEnd).split(' ');
      changes.push({ srcMode: srcMode!, dstMode: dstMode!, srcSha: srcSha!, dstSha: dstSha!, status: status!, path: out.slice(metaEnd + 1, pathEnd) });
      pos = pathEnd + 1;
    }
    groups.push(changes);
  }
  return groups;
}

/** The empty tree's id in the hash of `like` (sha1 or sha256); git knows it without storing it. */
export function emptyTreeId(like: string): string {
  return like.length === 64 ? '6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321' : '4b825dc642cb6eb9a060e54bf8d69288fbee4904';
}

export interface TreeEntry {
  mode: string;
  type: string;
  sha: string;
  /** Only with `ls-tree -l`; '-' for trees and gitlinks. */
  size: string;
  path: string;
}

/** `git ls-tree -r -z [-l]` output. */
export function parseLsTreeZ(out: string): TreeEntry[] {
  return splitZ(out).map((rec) => {
    const tab = rec.indexOf('\t');
    const [mode, type, sha, size] = rec.slice(0, tab).split(/ +/);
    return { mode: mode!, type: type!, sha: sha!, size: size ?? '-', path: rec.slice(tab + 1) };
  });
}

export const isZeroSha = (sha: string) => /^0+$/.test(sha);

/** Whether path is one of the selectors or lies under one (selectors are repo-relative, no trailing slash). */
export function underAny(path: string, selectors: string[]): boolean {
  return selectors.some((s) => s === '' || s === '.' || path === s || path.startsWith(s + '/'));
}

export const normalizeSelector = (p: string) => p.replace(/\/+$/, '');

/**
 * In paths mode the backup is HEAD's tree with only the named paths taken from the index/working
 * tree (as `git stash push -- PATH`). Entries outside the paths are put back to HEAD in the temporary
 * index with one update-index, so unchanged entries keep their stat data and are not re-hashed.
 */
async function resetOutsidePaths(repo: RepoPaths, indexFile: string, headTree: string, paths: string[]): Promise<void> {
  const env = indexEnv(indexFile);
  const changes = parseRawZ((await git(['diff-index', '--cached', '-z', '--no-renames', headTree], { cwd: repo.worktree, env })).stdout);
  const outside = changes.filter((c) => !underAny(c.path, paths));
  if (outside.length === 0) return;
  const lines: string[] = [];
  const unmerged: string[] = [];
  for (const c of outside) {
    if (c.status === 'U') unmerged.push(c.path);
    else if (isZeroSha(c.srcSha)) lines.push(`0 ${c.srcSha}\t${c.path}`);
    else lines.push(`${c.srcMode} ${c.srcSha} 0\t${c.path}`);
  }
  if (unmerged.length) {
    // An unmerged entry's raw record carries no HEAD side: look it up, or drop it if HEAD lacks it.
    const inHead = parseLsTreeZ((await git(['ls-tree', '-r', '-z', headTree, '--', ...unmerged], { cwd: repo.worktree, env: LITERAL })).stdout);
    const found = new Set(inHead.map((e) => e.path));
    for (const e of inHead) lines.push(`${e.mode} ${e.sha} 0\t${e.path}`);
    for (const p of unmerged) if (!found.has(p)) lines.push(`0 ${'0'.repeat(headTree.length)}\t${p}`);
  }
  await updateIndexInfo(repo, indexFile, lines);
}

export async function updateIndexInfo(repo: RepoPaths, indexFile: string, lines: string[]): Promise<void> {
  if (lines.length === 0) return;
  await git(['update-index', '-z', '--index-info'], { cwd: repo.worktree, env: indexEnv(indexFile), input: lines.map((l) => l + '\0').join('') });
}

/**
 * write-tree of the temporary index. Unmerged entries make write-tree fail; the backup keeps the
 * "ours" side (stage 2) in the index commit, or drops a path that only the other side has — the
 * working-tree file (with its conflict markers) is still captured by the worktree tree.
 */
export async function writeTree(repo: RepoPaths, indexFile: string): Promise<string> {
  const env = indexEnv(indexFile);
  try {
    return await gitLine(['write-tree'], { cwd: repo.worktree, env });
  } catch (e) {
    if (!(e instanceof GitError)) throw e;
    const stages = splitZ((await git(['ls-files', '-u', '-z'], { cwd: repo.worktree, env })).stdout);
    if (stages.length === 0) throw e;
    const ours = new Map<string, string>();
    const all = new Map<string, string>();
    for (const rec of stages) {
      const tab = rec.indexOf('\t');
      const [mode, sha, stage] = rec.slice(0, tab).split(' ');
      const path = rec.slice(tab + 1);
      all.set(path, '0'.repeat(sha!.length));
      if (stage === '2') ours.set(path, `${mode} ${sha} 0\t${path}`);
    }
    await updateIndexInfo(repo, indexFile, [...all].map(([p, zero]) => ours.get(p) ?? `0 ${zero}\t${p}`));
    return await gitLine(['write-tree'], { cwd: repo.worktree, env });
  }
}

export interface TrackedTrees {
  /** The staged state (null when not asked for). */
  indexTree: string | null;
  /** Tracked files as they are in the working tree. */
  worktreeTree: string;
}

/**
 * Fill indexFile (already seeded from the real index) with the tracked files as they are in the
 * working tree. `git add -u` only re-hashes files whose stat data changed, which is what makes a
 * snapshot of a 20k-file tree cheap. `headTree` is read only when `paths` limit the capture.
 */
export async function captureTracked(
  repo: RepoPaths,
  indexFile: string,
  headTree: string,
  paths: string[],
  wantIndexTree: boolean,
  /** Bytes whose entry flags are those of `indexFile` (the seed it was copied from), read already: not read again. */
  flagsFrom?: Buffer,
): Promise<TrackedTrees> {
  const env = indexEnv(indexFile);
  const cwd = repo.worktree;
  if (paths.length) await resetOutsidePaths(repo, indexFile, headTree, paths);
  const indexTree = wantIndexTree ? await writeTree(repo, indexFile) : null;
  // resetOutsidePaths rewrites entries: their flags are then read from the file.
  await clearAssumeUnchanged(repo, indexFile, paths.length ? undefined : flagsFrom);
  if (paths.length === 0) {
    await addUpdate(repo, env);
  } else {
    // `add -u -- PATH` dies on a path that matches nothing in the index, so name only tracked
    // entries; and none that is skip-worktree (outside a sparse checkout, not on disk: the index
    // holds its content, and `add --sparse` names it no match).
    const tracked = splitZ((await git(['ls-files', '-t', '-z', '--', ...paths], { cwd, env })).stdout)
      .filter((e) => !e.startsWith('S '))
      .map((e) => e.slice(2) + '\0')
      .join('');
    if (tracked) await addUpdate(repo, env, tracked);
  }
  return { indexTree, worktreeTree: await writeTree(repo, indexFile) };
}

/** Whether this git knows `add --sparse` (2.34+; null until the first add tells). */
let addKnowsSparse: boolean | null = null;

/**
 * `git add -u` (of the NUL-separated paths given, else of everything), `--sparse` included: without
 * it git skips every path outside the sparse patterns, even a file on disk that git status shows
 * modified, so no backup held it and `restore --no-sparse` overwrote it with nothing keeping it.
 * Entries that are skip-worktree stay as the index has them either way. An older git, which has
 * no `--sparse` and updates such files anyway, runs without it.
 */
async function addUpdate(repo: RepoPaths, env: Record<string, string>, pathspec?: string): Promise<void> {
  const args = ['add', '-u', ...(pathspec === undefined ? [] : ['--pathspec-from-file=-', '--pathspec-file-nul'])];
  const opts = { cwd: repo.worktree, env, ...(pathspec === undefined ? {} : { input: pathspec }) };
  if (addKnowsSparse !== false) {
    try {
      await git([...args, '--sparse'], opts);
      addKnowsSparse = true;
      return;
    } catch (e) {
      if (addKnowsSparse === true || !(e instanceof GitError) || e.code !== 129) throw e;
      addKnowsSparse = false; // usage error: an unknown option
    }
  }
  await git(args, opts);
}

/**
 * `git add -u` takes a file marked assume-unchanged (`update-index --assume-unchanged`) or
 * skip-worktree (`--skip-worktree`, a common way to keep local edits out of `git status`) as the
 * index has it, whatever the working tree holds: its edits would be in no backup. The bits are
 * cleared in the temporary index first (never in the user's): assume-unchanged always,
 * skip-worktree only for a file present in the working tree (a sparse checkout's absent files stay
 * as they are, as git itself does). No git process unless some entry has a bit (or the index
 * cannot be walked: then `ls-files -v` says).
 */
async function clearAssumeUnchanged(repo: RepoPaths, indexFile: string, flagsFrom?: Buffer): Promise<void> {
  const bytes = flagsFrom ?? (await readFile(indexFile).catch(() => null));
  if (bytes === null || hasAssumeUnchanged(bytes) === false) return;
  const env = indexEnv(indexFile);
  const listed = (await gitBinary(['ls-files', '-v', '-z'], { cwd: repo.worktree, env })).stdout;
  // "<tag> <path>": a lower-case tag is assume-unchanged, S or s skip-worktree. Names as bytes, as git gave them.
  const entries = splitZBytes(listed).filter((l) => l.length > 2 && l[1] === 0x20);
  const assumed = entries.filter((l) => l[0]! >= 0x61 && l[0]! <= 0x7a).map((l) => l.subarray(2));
  const top = Buffer.from(repo.worktree + '/');
  const skipTagged = entries.filter((l) => l[0] === 0x53 || l[0] === 0x73).map((l) => l.subarray(2));
  const present = await Promise.all(skipTagged.map((name) => lstat(Buffer.concat([top, name])).then(() => true, () => false)));
  const skipped = skipTagged.filter((_, i) => present[i]);
  if (assumed.length) await git(['update-index', '-z', '--no-assume-unchanged', '--stdin'], { cwd: repo.worktree, env, input: nulTerminated(assumed) });
  if (skipped.length) await git(['update-index', '-z', '--no-skip-worktree', '--stdin'], { cwd: repo.worktree, env, input: nulTerminated(skipped) });
}

/**
 * Untracked files to capture, from the user's real index (read-only). Whole tree: not-ignored ones,
 * plus ignored ones when asked. Explicit paths: everything untracked under them, ignored or not,
 * since the user named them. Directories holding their own repository (`dir/`) are not files we can
 * capture and are left out. Names as bytes, handed back to git as they came: a name that is not
 * UTF-8 (`bad\xffname`) decoded and encoded again would name no file, and the backup would fail.
 */
export async function listUntracked(repo: RepoPaths, includeIgnored: boolean, paths: string[]): Promise<Buffer[]> {
  const args = ['ls-files', '--others', '-z'];
  if (!includeIgnored && paths.length === 0) args.push('--exclude-standard');
  if (paths.length) args.push('--', ...paths);
  const out = (await gitBinary(args, { cwd: repo.worktree, env: LITERAL })).stdout;
  return splitZBytes(out).filter((name) => name.length > 0 && name[name.length - 1] !== SLASH);
}

const SLASH = 0x2f;

/**
 * Which of `paths` (repository-relative) are ignored, untracked files or symlinks on disk: one
 * `git check-ignore` for all of them (tracked paths are never reported as ignored).
 */
export async function ignoredFiles(repo: RepoPaths, paths: readonly string[]): Promise<string[]> {
  const out = await git(['check-ignore', '-z', '--stdin'], { cwd: repo.worktree, input: paths.map((p) => p + '\0').join(''), okCodes: [1] });
  const found: string[] = [];
  for (const p of splitZ(out.stdout)) {
    const st = await lstat(join(repo.worktree, p)).catch(() => null);
    if (st && (st.isFile() || st.isSymbolicLink())) found.push(p);
  }
  return found;
}

/** Hash files (names as bytes) into indexFile (one update-index for all of them). */
export async function addFiles(repo: RepoPaths, indexFile: string, files: readonly Buffer[]): Promise<void> {
  if (files.length === 0) return;
  await git(['update-index', '--add', '--replace', '-z', '--stdin'], {
    cwd: repo.worktree,
    env: indexEnv(indexFile),
    input: nulTerminated(files),
  });
}

/** Names (bytes, as git gave them) each ended by a NUL: the input of `update-index -z --stdin`. */
function nulTerminated(names: readonly Buffer[]): Buffer {
  const nul = Buffer.alloc(1);
  return Buffer.concat(names.flatMap((name) => [name, nul]));
}
