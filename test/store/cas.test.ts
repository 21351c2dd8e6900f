// Compare-and-swap on the file read: a process that writes db.json without the lock (or one paused
// past the stale time) must not lose its write to ours.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { scratchDir } from '../helpers/repo.js';
import { openStore, type Store } from '../../src/store/store.js';
import { DurableJSONFile, parseStore } from '../../src/store/durable-file.js';
import type { StoreData } from '../../src/core/types.js';
import { BackupError, ExitCode } from '../../src/errors.js';
import { makeRecord } from './fixtures/records.js';
import { captureStderr } from './fixtures/util.js';

const onDisk = (store: Store): StoreData => parseStore(readFileSync(store.paths.db, 'utf8'), 'db.json');

/** What the other process does: read db.json, add a record, bump the generation, write. */
async function intrude(store: Store, id: string, how: 'adapter' | 'by hand'): Promise<void> {
  const data = onDisk(store);
  data.backups.push(makeRecord(id));
  data.generation += 1;
  if (how === 'adapter') await new DurableJSONFile(store.paths.db, { prev: store.paths.prev }).write(data);
  else writeFileSync(store.paths.db, JSON.stringify({ backups: data.backups, generation: data.generation, schema: 1 }, null, 2));
}

for (const how of ['adapter', 'by hand'] as const) {
  test(`another writer bumps the generation inside fn (${how}): fn re-runs, nothing lost`, async () => {
    const store = await openStore(scratchDir());
    await store.update((d) => void d.backups.push(makeRecord('base')));
    let calls = 0;
    const seen: number[] = [];
    const result = await store.update(async (d) => {
      calls++;
      seen.push(d.generation);
      if (calls === 1) await intrude(store, 'intruder', how);
      d.backups.push(makeRecord('mine'));
      return calls;
    });
    assert.is(result, 2, 'the result is from the run that was written');
    assert.equal(seen, [1, 2], 'the second run saw the intruder’s generation');
    const data = onDisk(store);
    assert.is(data.generation, 3);
    assert.equal(data.backups.map((b) => b.id), ['base', 'intruder', 'mine']);
  });
}

test('the first write of a new store is checked too', async () => {
  const store = await openStore(scratchDir());
  let calls = 0;
  await store.update(async (d) => {
    if (++calls === 1) await new DurableJSONFile(store.paths.db).write({ schema: 1, generation: 1, backups: [makeRecord('first')] });
    d.backups.push(makeRecord('mine'));
  });
  assert.is(calls, 2);
  assert.equal(onDisk(store).backups.map((b) => b.id), ['first', 'mine']);
  assert.is(onDisk(store).generation, 2);
});

test('a store that keeps changing under the lock: gives up after 5 runs, exit 5, own change not written', async () => {
  const store = await openStore(scratchDir());
  await store.update((d) => void d.backups.push(makeRecord('base')));
  let calls = 0;
  const { error } = await captureStderr(() =>
    store.update(async (d) => {
      calls++;
      await intrude(store, `intruder-${calls}`, 'adapter');
      d.backups.push(makeRecord('mine'));
    }),
  );
  assert.is(calls, 5);
  assert.instance(error, BackupError);
  assert.is((error as BackupError).exitCode, ExitCode.LOCK_TIMEOUT);
  assert.match((error as Error).message, /kept changing while it was locked/);
  const data = onDisk(store);
  assert.is(data.generation, 6);
  assert.not.ok(data.backups.some((b) => b.id === 'mine'));
});

test('db.json damaged by the other writer inside fn: re-run recovers from prev', async () => {
  const store = await openStore(scratchDir());
  await store.update((d) => void d.backups.push(makeRecord('a')));
  await store.update((d) => void d.backups.push(makeRecord('b')));
  let calls = 0;
  const { error, stderr } = await captureStderr(() =>
    store.update((d) => {
      if (++calls === 1) writeFileSync(store.paths.db, 'garbage');
      d.backups.push(makeRecord('c'));
    }),
  );
  assert.is(error, undefined);
  assert.is(calls, 2);
  assert.match(stderr, /damaged; using generation 1/);
  assert.equal(onDisk(store).backups.map((b) => b.id), ['a', 'c']);
});

test.run();
