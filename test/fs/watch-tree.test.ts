// The tree watcher (fs/watch-tree.ts) on a real directory: one watch per directory (Node 20 has no
// recursive watch on Linux), new directories watched as they appear, skipped and pruned directories
// silent, and the polling fallback seeing the same changes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { watchTree } from '../../src/fs/watch-tree.js';
import { scratchDir } from '../helpers/repo.js';

/** Wait until `seen` holds `rel` (events arrive asynchronously), at most 3 s. */
async function until(seen: Set<string>, rel: string): Promise<void> {
  for (let i = 0; i < 300 && !seen.has(rel); i++) await sleep(10);
  assert.ok(seen.has(rel), `saw ${rel} (saw ${[...seen].join(', ')})`);
}

for (const mode of ['auto', 'poll'] as const) {
  test(`${mode}: changes deep down and in new directories; skipped and pruned ones stay silent`, async () => {
    const root = scratchDir('gb-watch-');
    mkdirSync(join(root, 'a/b'), { recursive: true });
    mkdirSync(join(root, '.git'));
    mkdirSync(join(root, 'ignored'));
    const seen = new Set<string>();
    const w = watchTree({ root, skip: (rel) => rel === '.git' || rel === 'ignored', mode, pollMs: 50, onChange: (rel) => seen.add(rel) });
    assert.is(w.mode(), mode === 'auto' ? 'watch' : 'poll');
    await sleep(mode === 'poll' ? 80 : 0); // the poller's first walk is its baseline
    writeFileSync(join(root, 'a/b/deep.txt'), 'x');
    await until(seen, 'a/b/deep.txt');
    mkdirSync(join(root, 'new/er'), { recursive: true });
    await until(seen, 'new');
    await sleep(mode === 'poll' ? 80 : 30); // the new directory is watched (or walked)
    writeFileSync(join(root, 'new/er/f.txt'), 'y');
    await until(seen, 'new/er/f.txt');
    w.prune('a');
    seen.clear();
    rmSync(join(root, 'new'), { recursive: true });
    await until(seen, 'new');
    await sleep(mode === 'poll' ? 120 : 50);
    // Real paths only (a removed directory's own watch names it as its child: new/er/er); a file's
    // event may come in after its directory went, reported as the directory.
    for (const p of seen) assert.ok(['new', 'new/er', 'new/er/f.txt'].includes(p), `a removed tree, by its real paths: ${p}`);
    seen.clear();
    writeFileSync(join(root, '.git/index'), 'z');
    writeFileSync(join(root, 'ignored/out.o'), 'z');
    writeFileSync(join(root, 'a/b/deep.txt'), 'changed');
    writeFileSync(join(root, 'top.txt'), 't');
    await until(seen, 'top.txt');
    await sleep(mode === 'poll' ? 120 : 50);
    assert.equal([...seen].filter((p) => p !== 'top.txt'), [], 'nothing from .git, a skipped or a pruned directory');
    w.close();
    writeFileSync(join(root, 'after-close.txt'), 'c');
    await sleep(mode === 'poll' ? 120 : 50);
    assert.not.ok(seen.has('after-close.txt'), 'closed: silent');
  });
}

test('more directories than allowed: falls back to polling, says why once, and still sees changes', async () => {
  const root = scratchDir('gb-watch-');
  for (const d of ['d1', 'd2', 'd3']) mkdirSync(join(root, d));
  const seen = new Set<string>();
  const why: string[] = [];
  const w = watchTree({ root, skip: () => false, maxWatches: 2, pollMs: 50, onChange: (rel) => seen.add(rel), onPolling: (m) => why.push(m) });
  assert.is(w.mode(), 'poll');
  assert.equal(why, ['more than 2 directories']);
  assert.is(seen.size, 0, 'nothing reported before watchTree returned');
  await sleep(80);
  assert.ok(seen.has(''), 'what happened meanwhile is unknown: the root is reported changed');
  writeFileSync(join(root, 'd3/f.txt'), 'x');
  await until(seen, 'd3/f.txt');
  w.close();
});

test.run();
