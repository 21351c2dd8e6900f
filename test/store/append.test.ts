// Adding a backup without parsing the index (store/append.ts, Store.append): the next generation is
// byte for byte what a full write would make, and anything the append cannot vouch for goes the
// full read-modify-write way (which compacts, repairs and catches up).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { scratchDir } from '../helpers/repo.js';
import { openStore, type Store } from '../../src/store/store.js';
import { readHead, serializeStore } from '../../src/store/durable-file.js';
import { summarize } from '../../src/core/query.js';
import { identicalNewest } from '../../src/core/record.js';
import type { BackupRecord } from '../../src/core/types.js';
import { makeRecord } from './fixtures/records.js';

const id = (k: number) => `20250102-0304${String(k).padStart(2, '0')}-${(4096 + k).toString(16)}`;

async function storeOf(n: number): Promise<Store> {
  const store = await openStore(scratchDir());
  await store.update((d) => {
    for (let k = 0; k < n; k++) d.backups.push({ ...makeRecord(id(k)), state: k % 3 === 0 ? 'CREATED' : 'PENDING', bytes: 10 + k });
    d.backups[1]!.message = 'grüße, ✓ "quoted" {"id":"not-a-record"}'; // multi-byte, and a record start inside a string
    d.events_offset = 7;
  });
  return store;
}

/** append() adding `record`, and which records the view parsed to find the newest. */
async function appendOne(store: Store, record: BackupRecord, walk = 1): Promise<string[]> {
  return store.append((view) => {
    const seen: string[] = [];
    for (const r of view.newestFirst()) {
      seen.push(r.id);
      if (seen.length === walk) break;
    }
    view.add(record);
    return seen;
  });
}

test('an append writes exactly what the full write would, without parsing the records it copies', async () => {
  const store = await storeOf(40);
  const before = await store.read();
  // Another reader could not tell the difference: the whole file is one a full write makes.
  const seen = await appendOne(store, { ...makeRecord(id(50)), state: 'CREATED', bytes: 5 }, 3);
  assert.equal(seen, [id(39), id(38), id(37)], 'newest id first');
  const after = await store.read();
  assert.is(after.generation, before.generation + 1);
  assert.equal(after.backups, [...before.backups, { ...makeRecord(id(50)), state: 'CREATED', bytes: 5 }]);
  assert.is(after.events_offset, 7);
  assert.ok(readFileSync(store.paths.db).equals(serializeStore(after)), 'byte for byte the full write');
  const head = await readHead(store.paths.db);
  assert.ok(head, 'the head is whole (its byte count covers the multi-byte message)');
  const { backups_bytes: _b, backups_sha256: _h, ...summary } = head!.summary;
  assert.equal(summary, summarize(after.backups));
  // And appends chain: the hash written by one append is the one the next checks.
  await appendOne(store, { ...makeRecord(id(51)), state: 'CREATED' });
  assert.ok(readFileSync(store.paths.db).equals(serializeStore(await store.read())));
});

/** db.json with one old record's message cut short (its closing quote turned into `x`): same size, no longer JSON. */
function garble(file: string, k: number): void {
  const text = readFileSync(file, 'utf8');
  const field = `"message":"before refactoring ${id(k)}"`;
  writeFileSync(file, text.replace(field, `${field.slice(0, -1)}x`));
  assert.is(readFileSync(file).length, Buffer.byteLength(text));
}

test('the records an append copies through are not parsed', async () => {
  const store = await storeOf(10);
  garble(store.paths.db, 4);
  // The hash made to match the garbled bytes (what no accident does): the append vouches for them and copies them as they are.
  const raw = readFileSync(store.paths.db, 'utf8');
  const array = raw.slice(raw.indexOf(',"backups":[') + ',"backups":'.length, -1);
  const head = JSON.parse(`${raw.slice(0, raw.indexOf(',"backups":['))}}`);
  writeFileSync(store.paths.db, raw.replace(head.summary.backups_sha256, createHash('sha256').update(array).digest('hex')));
  await appendOne(store, makeRecord(id(20)));
  assert.ok(readFileSync(store.paths.db, 'utf8').includes(`${id(4)}x`), 'the garbled record was copied, never parsed');
});

test('bytes changed in place (same size) are never copied through: the full write finds the damage', async () => {
  const store = await storeOf(10);
  await store.update(() => undefined); // a good db.json.prev
  garble(store.paths.db, 4);
  await appendOne(store, makeRecord(id(20)));
  const data = await store.read();
  assert.is(data.backups.length, 11, 'restored from db.json.prev by the full way, then added');
  assert.is(data.backups.find((b) => b.id === id(4))!.message, `before refactoring ${id(4)}`);
});

test('tombstones in the index, a head behind the notes, an index written another way: the full way', async () => {
  // Tombstones: compacted to the cold store by the full write.
  const store = await storeOf(5);
  const doomed = (await store.read()).backups[0]!;
  const path = store.paths.db;
  const data = await store.read();
  data.backups[0] = { ...doomed, state: 'DELETED' };
  writeFileSync(path, serializeStore({ ...data, generation: data.generation }));
  await appendOne(store, makeRecord(id(30)));
  const after = await store.read();
  assert.not.ok(after.backups.some((b) => b.id === doomed.id), 'the tombstone left the index');
  assert.is((await store.tombstones(after)).length, 1);
  assert.is(after.backups.length, 5);

  // Written by hand (indented): still appended to, by the full way, and written our way again.
  writeFileSync(path, JSON.stringify(JSON.parse(readFileSync(path, 'utf8')), null, 2));
  await appendOne(store, makeRecord(id(31)));
  assert.ok(await readHead(path), 'written compactly again');
  assert.is((await store.read()).backups.length, 6);

  // An index behind the notes: caught up (ledger.sync) before the record is added.
  let tip = 'e'.repeat(40);
  let synced = 0;
  store.attach({
    ledger: {
      tip: async () => tip,
      write: async () => tip,
      sync: async (d, at) => {
        synced++;
        d.notes_tip = at;
        return null;
      },
    },
  });
  await appendOne(store, makeRecord(id(32))); // an index without a notes tip takes the current one
  tip = 'f'.repeat(40);
  await appendOne(store, makeRecord(id(33)));
  assert.is(synced, 1, 'the full read caught the index up with the notes first');
  await appendOne(store, makeRecord(id(34)));
  assert.is(synced, 1, 'current now: appended as it is');
  assert.is((await store.read()).backups.length, 9);
});

test('the newest backup of a worktree is found walking ids down, ties within a second decided by created_at', () => {
  const rec = (k: string, at: string, worktree = '/w'): BackupRecord => ({ ...makeRecord(k, at), state: 'CREATED', worktree, protects: [] });
  const newestFirst = [
    rec('20250102-030407-ffff', '2025-01-02T03:04:07.100Z', '/elsewhere'),
    rec('20250102-030406-bbbb', '2025-01-02T03:04:06.100Z'),
    rec('20250102-030406-aaaa', '2025-01-02T03:04:06.900Z'),
    rec('20250102-030405-cccc', '2025-01-02T03:04:05.000Z'),
  ];
  let walked = 0;
  const walk = function* () {
    for (const r of newestFirst) {
      walked++;
      yield r;
    }
  };
  const same = identicalNewest(walk(), { worktree: '/w', base: 'a'.repeat(40), paths: [], include_ignored: false, protects: [] });
  assert.is(same?.id, '20250102-030406-aaaa', 'the later created_at of the same second');
  assert.is(walked, 4, 'stopped at the first record of an older second');
});

test.run();
