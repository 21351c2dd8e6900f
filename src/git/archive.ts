// Archive mechanics (SPEC §3): a snapshot's full content (tracked tree and untracked part, as one
// combined tree) written by `git archive` as a gzip'd tar, a manifest of every path, mode and blob
// hash beside it, and the read-back that proves an archive holds exactly what the manifest says.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { link, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { BackupError, ExitCode } from '../errors.js';
import { fsyncPath, tempBeside, writeDurably, FILE_MODE } from '../store/durable-write.js';
import { backupTree } from './diff.js';
import { git, gitSpawn, type RepoPaths } from './exec.js';
import { readTar, TarError, type TarEntry } from './tar.js';
import { indexEnv, parseLsTreeZ, withTempIndex, writeTree } from './tree.js';

const gunzipAsync = promisify(gunzip);

export interface ManifestEntry {
  path: string;
  /** git mode: 100644, 100755, 120000 (symlink) or 160000 (submodule pointer: no content). */
  mode: string;
  blob: string;
}

export interface Manifest {
  format: 'git-backup-archive-manifest/1';
  id: string;
  snapshot: string;
  /** The combined tree that was archived. */
  tree: string;
  files: ManifestEntry[];
}

/** `<dir>/YYYY/MM/<id>.tar.gz`, the year and month taken from the id (its creation time, UTC). */
export function archivePathFor(dir: string, id: string): string {
  return join(dir, id.slice(0, 4), id.slice(4, 6), `${id}.tar.gz`);
}

export const manifestPathOf = (archive: string) => archive.replace(/\.tar\.gz$/, '') + '.manifest.json';

export class ArchiveMismatch extends BackupError {
  constructor(path: string, detail: string) {
    super(ExitCode.INVALID, `archive ${path} failed verification: ${detail}`);
  }
}

/** git's object id of a blob with this content (sha1 or sha256, as the repository uses). */
export function blobId(content: Buffer, sha256: boolean): string {
  return createHash(sha256 ? 'sha256' : 'sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

export const sha256Of = (data: Buffer) => createHash('sha256').update(data).digest('hex');

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
): Promise<WrittenArchive> {
  const cwd = repo.worktree;
  const tree = await backupTree(repo, snapshot, tmpDir);
  const files = parseLsTreeZ((await git(['ls-tree', '-r', '-z', tree], { cwd })).stdout).map((e) => ({ path: e.path, mode: e.mode, blob: e.sha }));
  const manifest: Manifest = { format: 'git-backup-archive-manifest/1', id, snapshot, tree, files };
  await mkdirPrivate(dirname(dest));
  const tmp = tempBeside(dest);
  let cleanup = async () => undefined as void;
  try {
    let bytes = 0;
    const hash = createHash('sha256');
    const tap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        bytes += chunk.length;
        done(null, chunk);
      },
    });
    const shadow = await shadowRepo(repo, tmpDir, tree.length === 64);
    cleanup = () => rm(shadow, { recursive: true, force: true });
    // tar.umask pinned so the exec bit survives whatever the user configured.
    const child = gitSpawn(['-c', 'tar.umask=0022', `--git-dir=${shadow}`, 'archive', '--format=tar', tree], { cwd, env: { GIT_DIR: undefined, GIT_INDEX_FILE: undefined } });
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

/** Compare every entry of a tar with the manifest: same paths, kinds, exec bits and blob hashes. */
export function compareWithManifest(entries: TarEntry[], manifest: Manifest): string[] {
  const problems: string[] = [];
  const sha256 = manifest.tree.length === 64;
  const inTar = new Map<string, TarEntry>();
  for (const e of entries) if (e.kind !== 'dir') inTar.set(e.path, e);
  for (const f of manifest.files) {
    if (f.mode === '160000') continue; // a submodule pointer: git archive writes an empty directory
    const e = inTar.get(f.path);
    inTar.delete(f.path);
    if (!e) problems.push(`${f.path} is missing`);
    else if ((f.mode === '120000') !== (e.kind === 'symlink')) problems.push(`${f.path} is a ${e.kind}, expected mode ${f.mode}`);
    else if (e.kind === 'file' && (f.mode === '100755') !== ((e.mode & 0o100) !== 0)) problems.push(`${f.path} has the wrong exec bit`);
    else if (blobId(e.content, sha256) !== f.blob) problems.push(`${f.path} has different content`);
  }
  for (const p of inTar.keys()) problems.push(`${p} is not in the backup`);
  return problems;
}

/**
 * Read an archive back in full: its sha256 must be `expectedSha256`, it must gunzip and parse, and
 * compareWithManifest must find nothing. Returns the parsed entries.
 */
export async function checkArchive(path: string, manifest: Manifest, expectedSha256: string): Promise<TarEntry[]> {
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (e) {
    throw new ArchiveMismatch(path, `cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const sha = sha256Of(data);
  if (sha !== expectedSha256) throw new ArchiveMismatch(path, `sha256 is ${sha.slice(0, 12)}…, recorded ${expectedSha256.slice(0, 12)}…`);
  let entries: TarEntry[];
  try {
    entries = readTar(await gunzipAsync(data));
  } catch (e) {
    throw new ArchiveMismatch(path, e instanceof TarError ? e.message : `not a gzip file (${(e as Error).message})`);
  }
  const problems = compareWithManifest(entries, manifest);
  if (problems.length) throw new ArchiveMismatch(path, `${problems.length} difference(s): ${problems.slice(0, 3).join('; ')}`);
  return entries;
}

/** The manifest beside an archive, checked against the sha256 recorded for it. */
export async function readManifest(archive: string, expectedSha256: string): Promise<Manifest> {
  const path = manifestPathOf(archive);
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (e) {
    throw new ArchiveMismatch(path, `cannot read the manifest (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  if (sha256Of(data) !== expectedSha256) throw new ArchiveMismatch(path, 'the manifest does not match its recorded sha256');
  return JSON.parse(data.toString('utf8')) as Manifest;
}

/**
 * Bring a checked archive's content back into the object database and return its tree, so restore
 * and diff work on it exactly as on a live snapshot. Blobs git still has are not written again; the
 * rest go in through one `git fast-import` (unreachable, so the next gc past its expiry removes them).
 */
export async function importArchive(repo: RepoPaths, tmpDir: string, manifest: Manifest, entries: TarEntry[]): Promise<string> {
  const cwd = repo.worktree;
  const byPath = new Map(entries.map((e) => [e.path, e]));
  const want = manifest.files.filter((f) => f.mode !== '160000');
  const check = await git(['cat-file', '--batch-check=%(objectname) %(objecttype)'], { cwd, input: want.map((f) => f.blob).join('\n') + '\n' });
  const have = new Set(check.stdout.split('\n').filter((l) => l.endsWith(' blob')).map((l) => l.split(' ')[0]));
  const chunks: Buffer[] = [];
  const written = new Set<string>();
  for (const f of want) {
    if (have.has(f.blob) || written.has(f.blob)) continue;
    const content = byPath.get(f.path)!.content;
    chunks.push(Buffer.from(`blob\ndata ${content.length}\n`), content, Buffer.from('\n'));
    written.add(f.blob);
  }
  if (chunks.length) await git(['fast-import', '--quiet'], { cwd, input: Buffer.concat(chunks) });
  const info = manifest.files.map((f) => `${f.mode} ${f.blob}\t${f.path}\0`).join('');
  return withTempIndex(tmpDir, null, async (idx) => {
    await git(['update-index', '--add', '-z', '--index-info'], { cwd, env: indexEnv(idx), input: info });
    const tree = await writeTree(repo, idx);
    if (tree !== manifest.tree) throw new ArchiveMismatch(manifest.id, `the imported tree ${tree.slice(0, 12)} is not the archived ${manifest.tree.slice(0, 12)}`);
    return tree;
  });
}
