// Writing archives (design.md §Storage): a snapshot's full content (tracked tree and untracked part, as one
// combined tree) streamed from `git archive` through gzip to disk, verified by reading it back in
// full (archive-read.ts, streaming too), with a manifest of every path, mode and blob hash beside it.
import { nodeCrypto } from '../builtins.js';
import { createWriteStream } from 'node:fs';
import { link, mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { BackupError, ExitCode } from '../errors.js';
import { fsyncPath, tempBeside, writeDurably, FILE_MODE } from '../fs/durable-write.js';
import { checkArchive, manifestPathOf, sha256Of, type Manifest } from './archive-read.js';
import { backupTree } from './diff.js';
import { git, gitSpawn, type RepoPaths } from './exec.js';
import { isZeroSha, parseLsTreeZ, parseRawZ } from './tree.js';
import { listed } from '../core/content.js';

export { ArchiveMismatch, archivePathFor, checkArchive, importArchive, manifestPathOf, readManifest, sha256Of } from './archive-read.js';
export { blobId } from './objects.js';
export type { Manifest, ManifestEntry } from './archive-read.js';

async function mkdirPrivate(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
}

export interface WrittenArchive {
  manifest: Manifest;
  sha256: string;
  bytes: number;
  manifestSha256: string;
}

/**
 * Write the archive of `snapshot` to a temp name beside `dest`, fsync it, read it back in full and
 * compare it with the manifest, and only then claim dest (never replacing a file there) and write
 * the manifest beside it. On any failure what this call made is removed, and only that. `onWritten` runs between the
 * durable write and the read-back (the test pause point).
 */
export async function writeArchive(
  repo: RepoPaths,
  tmpDir: string,
  id: string,
  snapshot: string,
  dest: string,
  onWritten: () => Promise<void> = async () => undefined,
  /** Paths whose content the history holds (the integration proof: none of it unique): their staged version need not be in the archive. */
  settled: ReadonlySet<string> = new Set(),
): Promise<WrittenArchive> {
  const cwd = repo.worktree;
  const tree = await backupTree(repo, snapshot, tmpDir);
  const files = parseLsTreeZ((await git(['ls-tree', '-r', '-z', tree], { cwd })).stdout).map((e) => ({ path: e.path, mode: e.mode, blob: e.sha }));
  await refuseLostStagedContent(repo, id, snapshot, new Set(files.map((f) => `${f.blob} ${f.mode}`)), settled);
  const manifest: Manifest = { format: 'git-backup-archive-manifest/1', id, snapshot, tree, files };
  await mkdirPrivate(dirname(dest));
  const tmp = tempBeside(dest);
  let cleanup = async () => undefined as void;
  try {
    let bytes = 0;
    const hash = nodeCrypto().createHash('sha256');
    const tap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        bytes += chunk.length;
        done(null, chunk);
      },
    });
    const shadow = await shadowRepo(repo, tmpDir, tree.length === 64);
    cleanup = () => rm(shadow, { recursive: true, force: true });
    // tar.umask pinned so the exec bit survives whatever the user configured. core.bigFileThreshold
    // low: git archive then streams each large blob into the tar instead of loading it whole first
    // (same bytes out; measured: half git's peak for a 128 MiB file, the rest being mapped object files).
    const child = gitSpawn(['-c', 'tar.umask=0022', '-c', 'core.bigFileThreshold=1m', `--git-dir=${shadow}`, 'archive', '--format=tar', tree], { cwd, env: { GIT_DIR: undefined, GIT_INDEX_FILE: undefined } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
    child.stdin.end();
    await pipeline(child.stdout, createGzip({ level: 6 }), tap, createWriteStream(tmp, { flags: 'wx', mode: FILE_MODE }));
    const code = await exited;
    if (code !== 0) throw new BackupError(ExitCode.UNEXPECTED, `git archive failed: ${stderr.trim().split('\n')[0] ?? `exit ${code}`}`);
    await fsyncPath(tmp);
    await onWritten();
    const sha256 = hash.digest('hex');
    await checkArchive(tmp, manifest, sha256);
    const manifestText = JSON.stringify(manifest) + '\n';
    await claim(tmp, dest, id);
    try {
      await writeDurably(manifestPathOf(dest), manifestText);
    } catch (e) {
      await rm(dest, { force: true });
      throw e;
    }
    await rm(tmp, { force: true });
    await fsyncPath(dirname(dest));
    return { manifest, sha256, bytes, manifestSha256: sha256Of(Buffer.from(manifestText)) };
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  } finally {
    await cleanup();
  }
}

/**
 * An archive holds the working tree and the untracked part; what was staged and then edited again
 * or deleted (the index commit, the snapshot's second parent) is not in it. Such content must not
 * depend on an archive: archiving would let git prune the only copy (the ref goes). Refused with
 * the paths named; the backup keeps its ref until the user restores, commits or deletes it. A path
 * the integration branch holds (or supersedes: `settled`, from the content proof) is not refused:
 * its staged version is no longer found only here, and the policies could delete it anyway.
 */
async function refuseLostStagedContent(repo: RepoPaths, id: string, snapshot: string, archived: ReadonlySet<string>, settled: ReadonlySet<string>): Promise<void> {
  // archived: "<blob> <mode>" of every file in the archive.
  const out = await git(['diff-tree', '-r', '-z', '--no-renames', `${snapshot}^1`, `${snapshot}^2`], { cwd: repo.worktree });
  // The blob and its mode: a staged exec bit is content too.
  const missing = parseRawZ(out.stdout)
    .filter((c) => c.dstMode !== '160000' && !isZeroSha(c.dstSha) && !archived.has(`${c.dstSha} ${c.dstMode}`) && !settled.has(c.path))
    .map((c) => c.path);
  if (missing.length === 0) return;
  throw new BackupError(ExitCode.INVALID, `cannot archive ${id}: it holds staged content that its working tree does not (${listed(missing)}), and an archive keeps only the working tree; nothing changed (git backup restore ${id} brings it back, or delete the backup)`);
}

/**
 * Put the verified temp file at dest only if nothing is there: a hard link fails on an existing
 * name, where a rename would silently replace another process's archive of the same backup (whose
 * recorded sha256 would then not match). Filesystems without hard links (FAT on a removable
 * archive disk) fall back to check-then-rename.
 */
async function claim(tmp: string, dest: string, id: string): Promise<void> {
  const taken = () => new BackupError(ExitCode.INVALID, `${dest} already exists: another git backup is archiving ${id}; nothing changed, retry later`);
  try {
    await link(tmp, dest);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw taken();
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EMLINK') throw e;
    if (await stat(dest).then(() => true, () => false)) throw taken();
    await rename(tmp, dest);
  }
}

/**
 * `git archive` applies the export-ignore and export-subst attributes of the archived tree, which
 * would leave files out of (or rewrite them in) a backup. $GIT_DIR/info/attributes overrides the
 * tree's .gitattributes, but the user's is not ours to edit: so archive through a private bare
 * repository in the store's scratch space that borrows the user's objects (alternates) and whose
 * info/attributes unsets both for every path.
 */
async function shadowRepo(repo: RepoPaths, tmpDir: string, sha256: boolean): Promise<string> {
  await mkdir(tmpDir, { recursive: true, mode: 0o700 });
  const dir = await mkdtemp(join(tmpDir, 'archive-'));
  await git(['init', '-q', '--bare', ...(sha256 ? ['--object-format=sha256'] : []), dir], { cwd: repo.worktree, env: { GIT_DIR: undefined } });
  await writeFile(join(dir, 'objects', 'info', 'alternates'), `${resolve(repo.commonDir, 'objects')}\n`);
  await mkdir(join(dir, 'info'), { recursive: true });
  await writeFile(join(dir, 'info', 'attributes'), '* -export-ignore -export-subst\n');
  return dir;
}

