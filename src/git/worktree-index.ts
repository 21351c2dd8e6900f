// The tracked part of a whole-tree snapshot through a temporary index that keeps git's stat data
// from one snapshot to the next, as a shadow repository's own index does (issue 10).
//
// Why: the temporary index starts as a copy of the user's, and we never write the user's back. When
// git last wrote it in the same second as files it holds (a clone, a checkout, a commit of generated
// files), it marked those entries racily clean, and `git add -u` then hashes every one of them again,
// on every snapshot, until the user's own git refreshes its index. 5,000 such files: `add -u` takes
// 63 ms instead of 18.
//
// The cache is <store>/worktree-index/<key>.<seed>: the temporary index after `add -u`, where key
// names the user's index file (a linked worktree has its own) and seed is the SHA-1 of the user's
// index bytes it was made from. It stands in for a copy of the user's index only when that index is
// byte for byte the seed and both hold as many entries: `add -u` updates and removes entries but
// never adds one, so equal counts mean the same paths (a file deleted, then written again, must not
// go missing because the cached index had dropped it). A result with fewer entries than the user's
// index (a deleted file) is not kept. Anything wrong with the cache (a checksum that does not match,
// a file git cannot read, a shared index gone): the ordinary way, seeded from the user's index. A
// cache only: deleting it costs one slower snapshot.
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { RepoPaths } from './exec.js';
import { captureTracked, withTempIndex, writeTree, type IndexSeed, type TrackedTrees } from './tree.js';

/** How the tracked trees were made: from the cache, the ordinary way, or without a user index at all. */
export type IndexCacheUse = 'hit' | 'miss' | 'none';

/** The entry count of an index file (its 12-byte header: "DIRC", version, count), or null when it is not one. */
function entryCount(header: Buffer): number | null {
  if (header.length < 12 || header.toString('latin1', 0, 4) !== 'DIRC') return null;
  const version = header.readUInt32BE(4);
  return version >= 2 && version <= 4 ? header.readUInt32BE(8) : null;
}

/**
 * An index file as one consistent read, its bytes with its times (one open file: git, and this
 * cache, replace an index by rename), or null when there is none.
 */
async function readSeed(indexFile: string): Promise<IndexSeed | null> {
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
 * The entry count of an index whose bytes are whole: its trailer is the SHA-1 (SHA-256 in such a
 * repository) of the rest. git does not check that trailer when it reads an index, and a changed
 * byte in an entry would put a wrong object in a backup without a word; null for anything else (an
 * index written with index.skipHash has no trailer to check, so it is never kept).
 */
function verifiedCount(bytes: Buffer): number | null {
  for (const [algorithm, size] of [['sha1', 20], ['sha256', 32]] as const) {
    if (bytes.length < 12 + size) continue;
    const body = bytes.subarray(0, bytes.length - size);
    if (createHash(algorithm).update(body).digest().equals(bytes.subarray(bytes.length - size))) return entryCount(body);
  }
  return null;
}

const sha1 = (data: Buffer | string) => createHash('sha1').update(data).digest('hex');

/**
 * The staged tree and the tracked files as they are in the working tree (`add -u`), for a snapshot
 * of the whole tree, through the cache in `cacheDir`.
 */
export async function captureWholeTree(repo: RepoPaths, tmpDir: string, cacheDir: string): Promise<TrackedTrees & { cache: IndexCacheUse }> {
  // write-tree (the staged state, when asked), `add -u`, write-tree again (tree.ts)
  const tracked = (idx: string, withIndexTree: boolean) => captureTracked(repo, idx, '', [], withIndexTree);
  const seed = await readSeed(repo.indexFile);
  const count = seed && entryCount(seed.bytes);
  if (!seed || count === null) {
    // No index yet (a fresh repository), or one this reader does not know: the ordinary way, nothing kept.
    return { ...(await withTempIndex(tmpDir, seed, (idx) => tracked(idx, true))), cache: 'none' };
  }
  const key = sha1(repo.indexFile).slice(0, 16);
  const seedId = sha1(seed.bytes);
  const cached = join(cacheDir, `${key}.${seedId}`);
  const keep = (idx: string) => keepIndex(idx, cacheDir, key, cached, count);
  const kept = await readSeed(cached).catch(() => null);
  if (kept && verifiedCount(kept.bytes) === count) {
    try {
      // Two temporary indexes side by side: the user's for the staged tree, the kept one for the worktree.
      const [indexTree, worktreeTree] = await Promise.all([
        withTempIndex(tmpDir, seed, (idx) => writeTree(repo, idx)),
        withTempIndex(tmpDir, kept, async (idx) => {
          const { worktreeTree } = await tracked(idx, false);
          await keep(idx);
          return worktreeTree;
        }),
      ]);
      return { indexTree, worktreeTree, cache: 'hit' };
    } catch {
      await unlink(cached).catch(() => undefined); // the ordinary way below, and a fresh cache from it
    }
  }
  const trees = await withTempIndex(tmpDir, seed, async (idx) => {
    const t = await tracked(idx, true);
    await keep(idx);
    return t;
  });
  return { ...trees, cache: 'miss' };
}

/** A kept index of another index file (a linked worktree since removed, say) goes after this long unused. */
const UNUSED_MS = 14 * 24 * 3600_000;

/**
 * Keep the temporary index as the cache for this seed (a rename: the temporary directory is on the
 * same filesystem), unless it lost entries; older caches of the same index file go, and those of
 * other index files unused for UNUSED_MS.
 */
async function keepIndex(idx: string, cacheDir: string, key: string, target: string, seedCount: number): Promise<void> {
  try {
    if (verifiedCount(await readFile(idx)) !== seedCount) return;
    await mkdir(cacheDir, { recursive: true, mode: 0o700 });
    await rename(idx, target);
    for (const name of await readdir(cacheDir)) {
      const p = join(cacheDir, name);
      if (p === target) continue;
      const stale = name.startsWith(`${key}.`) || Date.now() - (await stat(p)).mtimeMs > UNUSED_MS;
      if (stale) await unlink(p).catch(() => undefined);
    }
  } catch {
    // a cache only: the next snapshot goes the ordinary way
  }
}
