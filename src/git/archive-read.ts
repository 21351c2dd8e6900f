// Reading archives back (SPEC §3 "verified by reading it back in full"): the manifest, the archive's
// sha256, every tar entry against the manifest, and bringing the content back into git as a tree.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { BackupError, ExitCode } from '../errors.js';
import { git, type RepoPaths } from './exec.js';
import { blobId, existingObjects } from './objects.js';
import { readTar, TarError, type TarEntry } from './tar.js';
import { indexEnv, withTempIndex, writeTree } from './tree.js';

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

export const sha256Of = (data: Buffer) => createHash('sha256').update(data).digest('hex');

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
  if (sha !== expectedSha256) throw new ArchiveMismatch(path, `sha256 is ${sha.slice(0, 12)}…, expected ${expectedSha256.slice(0, 12)}…`);
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
  const have = new Set(await existingObjects(repo, want.map((f) => f.blob), 'blob'));
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
