// The tracked part of a whole-tree snapshot through a temporary index that keeps git's stat data
// from one snapshot to the next, as a shadow repository's own index does (issue 10).
//
// Why: the temporary index starts as a copy of the user's, and we never write the user's back. When
// git last wrote it in the same second as files it holds (a clone, a checkout, a commit of generated
// files), it marked those entries racily clean, and `git add -u` then hashes every one of them again,
// on every snapshot, until the user's own git refreshes its index. 5,000 such files: `add -u` takes
// 63 ms instead of 18.
//
// The cache is <store>/worktree-index/<key>.<id>: the temporary index after `add -u`, where key
// names the user's index file (a linked worktree has its own) and id names the exact bytes of the
// user's index it was made from (its trailer, index-file.ts). It stands in for a copy of the user's
// index only while that index is those bytes: an index git wrote again (a `git status`, a commit) is
// fresh, and the ordinary way is fast with it; one left as it was keeps its racily-clean entries,
// which is when the cache pays. Both must hold as many entries: `add -u` updates and removes entries
// but never adds one, so equal counts mean the same paths (a file deleted, then written again, must
// not go missing because the kept index had dropped it); a result with fewer entries is not kept.
// Anything wrong with it (a checksum that does not match, a file git cannot read, a blob gc pruned
// since): the ordinary way, seeded from the user's index. A cache only: deleting it costs one slower
// snapshot, and `gc --now` does (its entries may name blobs only a deleted backup held).
import { nodeCrypto } from '../builtins.js';
import { mkdir, readFile, readdir, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { RepoPaths } from './exec.js';
import { isObjectId } from '../core/ids.js';
import { indexIdentity, verifiedEntryCount } from './index-file.js';
import { freshLooseObject } from './loose-object.js';
import { readMemo, writeMemo } from './memo-file.js';
import { captureTracked, readIndexSeed, withTempIndex, writeTree, type IndexSeed } from './tree.js';

/** How the tracked trees were made: from the kept index, the ordinary way (kept for next time), or without keeping. */
export type IndexCacheUse = 'hit' | 'miss' | 'none';

/** The two trees of a whole-tree capture, each as soon as it is ready (the index commit need not wait for `add -u`). */
export interface WholeTreeCapture {
  indexTree: Promise<string>;
  worktree: Promise<{ tree: string; cache: IndexCacheUse }>;
}

const sha1 = (data: string) => nodeCrypto().createHash('sha1').update(data).digest('hex');

/**
 * The staged tree, and the tracked files as they are in the working tree (`add -u`), for a snapshot
 * of the whole tree. With a kept index that may stand in for the user's (above): two temporary
 * indexes side by side, a copy of the user's for the staged tree, the kept one for `add -u`.
 * Otherwise one copy of the user's index: write-tree, `add -u`, write-tree (which then reuses the
 * trees the first one computed), and the result kept for next time.
 */
export function captureWholeTree(repo: RepoPaths, tmpDir: string, cacheDir: string): WholeTreeCapture {
  let stagedFound: (tree: string) => void = () => undefined;
  const staged = new Promise<string>((resolve) => (stagedFound = resolve));
  const worktree = readIndexSeed(repo.indexFile).then((seed) => worktreeTree(repo, tmpDir, cacheDir, seed, stagedFound));
  // The staged tree is found by whichever way runs; a failure before it is the worktree's too.
  return { indexTree: Promise.race([staged, worktree.then(() => staged)]), worktree };
}

async function worktreeTree(
  repo: RepoPaths,
  tmpDir: string,
  cacheDir: string,
  seed: IndexSeed | null,
  stagedFound: (tree: string) => void,
): Promise<{ tree: string; cache: IndexCacheUse }> {
  const user = seed && indexIdentity(seed.bytes);
  const key = sha1(repo.indexFile).slice(0, 16);
  const stagedMemo = join(cacheDir, 'staged');
  const ordinary = (keep?: (idx: string) => Promise<void>) =>
    withTempIndex(tmpDir, seed, async (idx) => {
      const staged = await writeTree(repo, idx);
      stagedFound(staged);
      if (user) await writeMemo(stagedMemo, `${key}.${user.id}`, staged);
      // write-tree adds only the cache-tree extension: the entries' flags are the seed's.
      return addUpdatedIn(repo, idx, seed?.bytes, keep);
    });
  // No index yet (a fresh repository), or one this reader does not know: the ordinary way, nothing kept.
  if (!seed || !user) return { tree: await ordinary(), cache: 'none' };
  const cached = join(cacheDir, `${key}.${user.id}`);
  const keep = (idx: string) => keepIndex(idx, cacheDir, key, cached, user.count);
  const kept = await readIndexSeed(cached).catch(() => null);
  if (kept && verifiedEntryCount(kept.bytes) === user.count) {
    const throughKept = withTempIndex(tmpDir, kept, (idx) => addUpdatedIn(repo, idx, kept.bytes, keep)).catch(() => null);
    stagedFound(await stagedTree(repo, tmpDir, seed, stagedMemo, `${key}.${user.id}`)); // its failure fails the ordinary way too
    const tree = await throughKept;
    if (tree !== null) return { tree, cache: 'hit' };
    await unlink(cached).catch(() => undefined); // the ordinary way below, and a fresh kept index from it
  }
  return { tree: await ordinary(keep), cache: 'miss' };
}

/**
 * The staged tree of the user's index, whose exact bytes `memoKey` names: the tree the last backup
 * found for those bytes while it is still there as a loose tree (a memo names no object gc could
 * have pruned since, and one gc packed is asked for again; a memo naming anything else is no
 * answer), freshened as write-tree would have freshened it, so that a `git prune --expire` that
 * runs meanwhile keeps it; else write-tree of a copy.
 */
async function stagedTree(repo: RepoPaths, tmpDir: string, seed: IndexSeed, memoFile: string, memoKey: string): Promise<string> {
  const known = await readMemo(memoFile, memoKey);
  if (known && isObjectId(known) && (await freshLooseObject(repo, known, 'tree'))) return known;
  const tree = await withTempIndex(tmpDir, seed, (idx) => writeTree(repo, idx));
  await writeMemo(memoFile, memoKey, tree);
  return tree;
}

/** `add -u`, then write-tree, in the temporary index `idx` (tree.ts); then `keep` it (when given). */
async function addUpdatedIn(repo: RepoPaths, idx: string, flagsFrom: Buffer | undefined, keep?: (idx: string) => Promise<void>): Promise<string> {
  const { worktreeTree } = await captureTracked(repo, idx, '', [], false, flagsFrom);
  await keep?.(idx);
  return worktreeTree;
}

/** A kept index of another index file (a linked worktree since removed, say) goes after this long unused. */
const UNUSED_MS = 14 * 24 * 3600_000;

/**
 * Keep the temporary index for the user's index content it came from (a rename: the temporary
 * directory is on the same filesystem), unless it lost entries; older ones of the same index file
 * go, and those of other index files unused for UNUSED_MS.
 */
async function keepIndex(idx: string, cacheDir: string, key: string, target: string, seedCount: number): Promise<void> {
  try {
    // Just written by git: its checksum is checked when it is next read; here the count, and a trailer at all.
    if (indexIdentity(await readFile(idx))?.count !== seedCount) return;
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
