// The patch-id cache (store/patch-cache.ts) under readPatchFacts, against real git: the same
// answers cold, warm and from a damaged file, and the warm pass really reads the cache.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir, squashFeatureIntoMain, tempRepo, type TestRepo } from '../helpers/repo.js';
import { findRepo } from '../../src/git/exec.js';
import { readPatchFacts } from '../../src/git/facts.js';
import { openPatchCache } from '../../src/store/patch-cache.js';

/** main, a feature branch of two commits, then main advanced and the feature squash-merged. */
function squashed(): { repo: TestRepo; pending: string; squash: string; tip: string } {
  const repo = tempRepo();
  repo.git(['checkout', '-q', '-b', 'feature']);
  repo.write('a.txt', 'work\n');
  repo.commitAll('feature 1');
  repo.write('b.txt', 'more\n');
  const pending = repo.commitAll('feature 2');
  const squash = squashFeatureIntoMain(repo);
  return { repo, pending, squash, tip: squash };
}

const plain = (m: ReadonlyMap<string, unknown>) => JSON.stringify([...m].sort());

test('cold, warm and without a cache: the same patch facts; the squash commit carries the combined patch', async () => {
  const { repo, pending, squash, tip } = squashed();
  const paths = await findRepo(repo.dir);
  const store = scratchDir();
  const none = await readPatchFacts(paths, [pending], tip);
  const combined = none.pending.get(pending)?.combined;
  assert.ok(combined, 'the pending commit has a combined patch');
  assert.is(none.integration.get(combined!), squash);

  const cold = await openPatchCache(store);
  const first = await readPatchFacts(paths, [pending], tip, undefined, cold);
  await cold.save();
  const file = readFileSync(join(store, 'patch-ids'), 'utf8');
  assert.match(file, new RegExp(`^combined:${pending}:[0-9a-f]{40} ${combined}$`, 'm'));
  assert.match(file, new RegExp(`^commit:${squash} ${combined}$`, 'm'));

  const warm = await readPatchFacts(paths, [pending], tip, undefined, await openPatchCache(store));
  for (const f of [first, warm]) {
    assert.is(plain(f.pending), plain(none.pending));
    assert.is(plain(f.integration), plain(none.integration));
  }
});

test('the warm pass answers from the file (a planted entry changes the answer), and damaged lines are recomputed', async () => {
  const { repo, pending, squash, tip } = squashed();
  const paths = await findRepo(repo.dir);
  const store = scratchDir();
  const cache = await openPatchCache(store);
  await readPatchFacts(paths, [pending], tip, undefined, cache);
  await cache.save();
  const file = join(store, 'patch-ids');
  const good = readFileSync(file, 'utf8');
  const fake = 'f'.repeat(40);
  writeFileSync(file, good.replace(new RegExp(`^(commit:${squash}) [0-9a-f]+$`, 'm'), `$1 ${fake}`));
  const planted = await readPatchFacts(paths, [pending], tip, undefined, await openPatchCache(store));
  assert.is(planted.integration.get(fake), squash, 'the cache was read, not recomputed');

  // A torn last line and garbage: dropped, so the squash commit's patch is computed again.
  writeFileSync(file, good.replace(new RegExp(`^(commit:${squash}) ([0-9a-f]{12})[0-9a-f]+$`, 'm'), '$1 $2') + 'garbage\n\u0000\n');
  const repaired = await openPatchCache(store);
  const facts = await readPatchFacts(paths, [pending], tip, undefined, repaired);
  const combined = facts.pending.get(pending)?.combined;
  assert.is(facts.integration.get(combined!), squash);
  await repaired.save();
  assert.match(readFileSync(file, 'utf8'), new RegExp(`^commit:${squash} ${combined}$`, 'm'));
  assert.not.match(readFileSync(file, 'utf8'), /garbage/);
});

test('a store directory that is gone: save does nothing and does not create it', async () => {
  const cache = await openPatchCache(join(scratchDir(), 'gone'));
  cache.set(`commit:${'a'.repeat(40)}`, 'b'.repeat(40));
  await cache.save();
  assert.is(cache.get(`commit:${'a'.repeat(40)}`), 'b'.repeat(40));
});

test.run();
