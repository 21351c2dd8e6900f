// The patch-id cache beside the index (<store>/patch-ids): reconcile asks, on every drain, whether a
// pending commit's patch landed in the integration branch (squash or rebase merge), and a patch-id
// is a function of immutable objects. Kept, the question costs a `rev-list` instead of diffing and
// hashing every commit of the branch again (issue 9: bursts). A cache only: a lost or damaged file
// costs one recomputation, never a wrong answer (lines that are not exactly "key patch-id" are
// dropped), and a racing writer may lose the other's new entries.
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FILE_MODE, tempBeside } from '../fs/durable-write.js';
import { readPatchFacts, type PatchIdCache } from '../git/facts.js';
import type { RepoPaths } from '../git/exec.js';
import type { CommitGraph } from '../core/graph.js';
import type { PatchFacts } from '../core/reconcile.js';

/** Enough for every pending commit and a long integration range; ~110 bytes each. */
const MAX_ENTRIES = 20_000;
const LINE = /^((?:commit|combined):[0-9a-f]{40,64}(?::[0-9a-f]{40,64})?) ([0-9a-f]{40,64})?$/;

export interface StoredPatchIdCache extends PatchIdCache {
  /** Write the cache back if anything was added (the most recently used entries are kept). */
  save(): Promise<void>;
}

export async function openPatchCache(storeDir: string): Promise<StoredPatchIdCache> {
  const file = join(storeDir, 'patch-ids');
  const entries = new Map<string, string>();
  try {
    for (const line of (await readFile(file, 'utf8')).split('\n')) {
      const m = LINE.exec(line);
      if (m) entries.set(m[1]!, m[2] ?? '');
    }
  } catch {
    // none yet, or unreadable: start empty
  }
  let dirty = false;
  return {
    get(key) {
      const v = entries.get(key);
      if (v !== undefined) {
        // Most recently used last, so a full cache drops what no drain asked for in longest.
        entries.delete(key);
        entries.set(key, v);
      }
      return v;
    },
    set(key, patchId) {
      entries.set(key, patchId);
      dirty = true;
    },
    async save() {
      if (!dirty) return;
      const kept = [...entries].slice(-MAX_ENTRIES);
      const tmp = tempBeside(file);
      try {
        await writeFile(tmp, kept.map(([k, v]) => `${k} ${v}\n`).join(''), { mode: FILE_MODE });
        await rename(tmp, file);
        dirty = false;
      } catch {
        // A read-only or full store: the next pass computes the patches again.
        await unlink(tmp).catch(() => {});
      }
    },
  };
}

/** readPatchFacts through the store's cache, which is written back with what it learnt. */
export async function readPatchFactsCached(
  storeDir: string,
  repo: RepoPaths,
  pendings: string[],
  integrationTip: string,
  graph?: CommitGraph,
): Promise<PatchFacts> {
  const cache = await openPatchCache(storeDir);
  const facts = await readPatchFacts(repo, pendings, integrationTip, graph, cache);
  await cache.save();
  return facts;
}
