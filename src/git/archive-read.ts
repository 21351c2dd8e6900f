// Reading archives back (design.md §Storage "verified by reading it back in full"): the manifest, the archive's
// sha256, every tar entry against the manifest, and bringing the content back into git as a tree.
// All of it streams: file → sha256 → gunzip → TarReader → per-entry blob hash (and, for import,
// fast-import), so memory stays at a few stream buffers whatever the archive's size.
import type { Hash } from 'node:crypto';
import { nodeCrypto } from '../builtins.js';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { BackupError, ExitCode } from '../errors.js';
import { BlobImport } from './blob-import.js';
import { git, type RepoPaths } from './exec.js';
import { blobHasher, existingObjects } from './objects.js';
import { TarError, TarReader, type TarHeader, type TarKind } from './tar.js';
import { indexEnv, withTempIndex, writeTree } from './tree.js';

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

export const sha256Of = (data: Buffer) => nodeCrypto().createHash('sha256').update(data).digest('hex');

/** What the archive holds at one path: its kind, permission bits and git blob id (never its content). */
export interface SeenEntry {
  kind: TarKind;
  mode: number;
  blob: string;
}

/** Compare what a tar holds (directories aside) with the manifest: same paths, kinds, exec bits and blob hashes. */
export function compareWithManifest(seen: ReadonlyMap<string, SeenEntry>, manifest: Manifest): string[] {
  const problems: string[] = [];
  const inTar = new Map(seen);
  for (const f of manifest.files) {
    if (f.mode === '160000') continue; // a submodule pointer: git archive writes an empty directory
    const e = inTar.get(f.path);
    inTar.delete(f.path);
    if (!e) problems.push(`${f.path} is missing`);
    else if ((f.mode === '120000') !== (e.kind === 'symlink')) problems.push(`${f.path} is a ${e.kind}, expected mode ${f.mode}`);
    else if (e.kind === 'file' && (f.mode === '100755') !== ((e.mode & 0o100) !== 0)) problems.push(`${f.path} has the wrong exec bit`);
    else if (e.blob !== f.blob) problems.push(`${f.path} has different content`);
  }
  for (const p of inTar.keys()) problems.push(`${p} is not in the backup`);
  return problems;
}

/** Where an entry's content goes besides its hash: BlobImport, for the blobs git lacks. */
type ContentSink = Pick<BlobImport, 'begin' | 'data' | 'end'>;
type SinkFor = (header: TarHeader) => ContentSink | null;

/**
 * One streaming pass over a gzip'd tar: the file's sha256 and, for every file and symlink, its
 * blob id (hashed as its content goes by: the header gives the size `blob <size>\0` needs first).
 * Content handed to a sink is awaited before more is read, so a slow fast-import slows the read
 * instead of letting data pile up. Throws the raw error (fs, zlib, TarError, the sink's).
 */
async function scan(path: string, objectSha256: boolean, sinkFor: SinkFor): Promise<{ sha256: string; seen: Map<string, SeenEntry> }> {
  const fileHash = nodeCrypto().createHash('sha256');
  const reader = new TarReader();
  const seen = new Map<string, SeenEntry>();
  let cur: { header: TarHeader; hash: Hash | null; sink: ContentSink | null } | null = null;
  const consume = async (chunk: Buffer) => {
    for (const ev of reader.push(chunk)) {
      if (ev.type === 'entry') {
        const h = ev.header;
        const content = h.kind !== 'dir';
        cur = { header: h, hash: content ? blobHasher(h.size, objectSha256) : null, sink: content ? sinkFor(h) : null };
        await cur.sink?.begin(h.size);
      } else if (ev.type === 'data') {
        cur!.hash?.update(ev.chunk);
        await cur!.sink?.data(ev.chunk);
      } else {
        const { header, hash, sink } = cur!;
        await sink?.end();
        if (hash) seen.set(header.path, { kind: header.kind, mode: header.mode, blob: hash.digest('hex') });
        cur = null;
      }
    }
  };
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      fileHash.update(chunk);
      done(null, chunk);
    },
  });
  const tar = new Writable({
    write(chunk: Buffer, _enc, done) {
      consume(chunk).then(() => done(), done);
    },
    final(done) {
      try {
        reader.finish();
        done();
      } catch (e) {
        done(e as Error);
      }
    },
  });
  await pipeline(createReadStream(path), tap, createGunzip(), tar);
  return { sha256: fileHash.digest('hex'), seen };
}

/** sha256 of a file, read in chunks. */
async function sha256OfFile(path: string): Promise<string> {
  const hash = nodeCrypto().createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const cannotRead = (path: string, e: unknown) => new ArchiveMismatch(path, `cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})`);

/** The archive file's sha256 must be the recorded one; one read, nothing else done with it. */
async function checkSha256(path: string, expected: string, actual?: string): Promise<void> {
  let sha = actual;
  if (sha === undefined) {
    try {
      sha = await sha256OfFile(path);
    } catch (e) {
      throw cannotRead(path, e);
    }
  }
  if (sha !== expected) throw new ArchiveMismatch(path, `sha256 is ${sha.slice(0, 12)}…, expected ${expected.slice(0, 12)}…`);
}

/**
 * Read an archive back in full, in one streaming pass: its sha256 must be `expectedSha256`, it must
 * gunzip and parse, and compareWithManifest must find nothing. The errors rank as they did when the
 * file was read whole before parsing: unreadable, then sha256 (a damaged file is reported as that,
 * whatever gunzip or the tar reader made of it first), then gzip/tar, then the differences.
 * `sinkFor` may take a copy of entries' content as it goes by (import).
 */
export async function checkArchive(path: string, manifest: Manifest, expectedSha256: string, sinkFor: SinkFor = () => null): Promise<void> {
  let result: Awaited<ReturnType<typeof scan>>;
  try {
    result = await scan(path, manifest.tree.length === 64, sinkFor);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.syscall) throw cannotRead(path, e); // fs: open or read failed
    const zlib = typeof err.code === 'string' && err.code.startsWith('Z_');
    if (!(e instanceof TarError) && !zlib) throw e;
    await checkSha256(path, expectedSha256);
    throw new ArchiveMismatch(path, e instanceof TarError ? e.message : `not a gzip file (${err.message})`);
  }
  await checkSha256(path, expectedSha256, result.sha256);
  const problems = compareWithManifest(result.seen, manifest);
  if (problems.length) throw new ArchiveMismatch(path, `${problems.length} difference(s): ${problems.slice(0, 3).join('; ')}`);
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
 * Check an archive and bring its content back into the object database, returning its tree, so
 * restore and diff work on it exactly as on a live snapshot. First the file's sha256 alone (a
 * damaged archive is refused before anything reaches git); then one pass checks every entry
 * against the manifest while the blobs git lacks stream into one `git fast-import` (git computes
 * their ids itself, so nothing can be stored under a wrong name). Blobs git still has are not
 * written again. What is imported is unreachable: the next gc past its expiry removes it, and
 * removes it too when a later check fails.
 */
export async function importArchive(repo: RepoPaths, tmpDir: string, path: string, manifest: Manifest, expectedSha256: string): Promise<string> {
  await checkSha256(path, expectedSha256);
  const want = manifest.files.filter((f) => f.mode !== '160000');
  const have = new Set(await existingObjects(repo, want.map((f) => f.blob), 'blob'));
  // The path each missing blob is taken from: its first in the manifest.
  const fromPath = new Set<string>();
  const taken = new Set<string>();
  for (const f of want) {
    if (have.has(f.blob) || taken.has(f.blob)) continue;
    taken.add(f.blob);
    fromPath.add(f.path);
  }
  const importer = fromPath.size ? new BlobImport(repo) : null;
  try {
    await checkArchive(path, manifest, expectedSha256, (h) => (importer && fromPath.delete(h.path) ? importer : null));
    await importer?.close();
  } catch (e) {
    await importer?.abort();
    throw e;
  }
  const info = manifest.files.map((f) => `${f.mode} ${f.blob}\t${f.path}\0`).join('');
  return withTempIndex(tmpDir, null, async (idx) => {
    await git(['update-index', '--add', '-z', '--index-info'], { cwd: repo.worktree, env: indexEnv(idx), input: info });
    const tree = await writeTree(repo, idx);
    if (tree !== manifest.tree) throw new ArchiveMismatch(manifest.id, `the imported tree ${tree.slice(0, 12)} is not the archived ${manifest.tree.slice(0, 12)}`);
    return tree;
  });
}
