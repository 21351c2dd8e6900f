// Adding a backup without parsing the index (store/append.ts, Store.append): the next generation is
// byte for byte what a full write would make, and anything the append cannot vouch for goes the
// full read-modify-write way (which compacts, repairs and catches up).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from '../helpers/repo.js';
import { openStore, type Store } from '../../src/store/store.js';
import { MIN_RECORD_BYTES, readRawIndex, type RawIndex } from '../../src/store/append.js';
import { headKey, readHead, serializeStore } from '../../src/store/durable-file.js';
import { summarize } from '../../src/core/query.js';
import { encodeRecord, identicalNewest } from '../../src/core/record.js';
import type { BackupRecord } from '../../src/core/types.js';
import { makeRecord, stored } from './fixtures/records.js';

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

test('appends one after another in one process take the index each wrote, which is the one a read of the file gives', async () => {
  for (const n of [0, 2, 12]) {
    const store = n > 0 ? await storeOf(n) : await openStore(scratchDir());
    if (n === 0) await store.update(() => undefined);
    const kept = () => (store as unknown as { lastRaw: { raw: RawIndex } | null }).lastRaw?.raw ?? null;
    for (let k = 0; k < 4; k++) {
      await appendOne(store, { ...makeRecord(id(60 + k)), state: 'CREATED', message: k === 2 ? 'grüße {"id":"x"}' : 'm' });
      const read = (await readRawIndex(store.paths.db))!;
      const mine = kept();
      assert.ok(mine, `kept after append ${k} of ${n}`);
      assert.ok(mine!.buf.equals(read.buf), 'the same bytes');
      assert.equal([mine!.head, mine!.arrayStart, mine!.arrayEnd, mine!.starts, mine!.ids], [read.head, read.arrayStart, read.arrayEnd, read.starts, read.ids]);
      assert.is(mine!.hash.copy().digest('hex'), read.hash.copy().digest('hex'));
    }
    // And what the next append builds on it is what a full write makes.
    assert.ok(readFileSync(store.paths.db).equals(serializeStore(await store.read())));
    assert.is((await store.read()).backups.length, n + 4);
  }
});

test('an append writes exactly what the full write would, without parsing the records it copies', async () => {
  const store = await storeOf(40);
  const before = await store.read();
  // Another reader could not tell the difference: the whole file is one a full write makes.
  const seen = await appendOne(store, { ...makeRecord(id(50)), state: 'CREATED', bytes: 5 }, 3);
  assert.equal(seen, [id(39), id(38), id(37)], 'newest id first');
  const after = await store.read();
  assert.is(after.generation, before.generation + 1);
  assert.equal(after.backups, [...before.backups, stored({ ...makeRecord(id(50)), state: 'CREATED', bytes: 5 })]);
  assert.is(after.events_offset, 7);
  assert.ok(readFileSync(store.paths.db).equals(serializeStore(after)), 'byte for byte the full write');
  const head = await readHead(store.paths.db);
  assert.ok(head, 'the head is whole (its byte count covers the multi-byte message)');
  const { backups_bytes: _b, backups_sha256: _h, records_layout: _l, ...summary } = head!.summary;
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

/** Record `rid` given a space no writer puts (its paths `[ ]`), one letter of its message taken for it: the same size. */
function respace(file: string, rid: string): void {
  const text = readFileSync(file, 'utf8');
  const at = text.indexOf(`{"id":"${rid}"`);
  const spaced = text.indexOf('"paths":[]', at);
  const message = text.indexOf(`refactoring ${rid}`, at);
  assert.ok(at >= 0 && spaced > at && message > at);
  const edited = text.slice(0, spaced) + '"paths":[ ]' + text.slice(spaced + '"paths":[]'.length);
  writeFileSync(file, edited.replace(`refactoring ${rid}`, `refactorin ${rid}`));
  assert.is(readFileSync(file).length, Buffer.byteLength(text));
}

/** The head's hash made to match the file as it is now (what no accident does): only a parse can tell. */
function forgeHash(file: string): void {
  const raw = readFileSync(file, 'utf8');
  const at = raw.indexOf(',"backups":[');
  const head = JSON.parse(`${raw.slice(0, at)}}`);
  const array = raw.slice(at + ',"backups":'.length, -1);
  writeFileSync(file, raw.replace(head.summary.backups_sha256, createHash('sha256').update(array).update(headKey(head, head.summary)).digest('hex')));
}

test('the records an append copies through are not parsed', async () => {
  const store = await storeOf(10);
  garble(store.paths.db, 4);
  forgeHash(store.paths.db); // the append vouches for the garbled bytes and copies them as they are
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
  // Records written with another key order (review): written id first again, so the next append copies them.
  const d = JSON.parse(readFileSync(path, 'utf8'));
  d.backups = d.backups.map(({ id: k, ...rest }: BackupRecord) => ({ ...rest, id: k }));
  delete d.summary; // written by something else: no summary of ours
  writeFileSync(path, JSON.stringify(d));
  await appendOne(store, makeRecord(id(35)));
  assert.ok(readFileSync(path, 'utf8').includes(',"backups":[{"id":'), 'id first again');
  forgeHash(path); // from here on only the fast way would copy a garbled record unparsed
  garble(path, 30); // an older record: the append parses only the newest
  forgeHash(path);
  await appendOne(store, makeRecord(id(36)));
  assert.ok(readFileSync(path, 'utf8').includes(`${id(30)}x`), 'appended in place');
  writeFileSync(path, readFileSync(path, 'utf8').replace(`${id(30)}x`, `${id(30)}"`));
  forgeHash(path);

  // An index behind the notes: caught up (ledger.sync) before the record is added.
  let tip = 'e'.repeat(40);
  let synced = 0;
  store.attach({
    ledger: {
      tip: async () => tip,
      check: async () => null,
      write: async () => tip,
      createRefs: async () => undefined,
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
  assert.is((await store.read()).backups.length, 11);
});

test('a patch changes a few records and the head in place: byte for byte the full write, the summary adjusted', async () => {
  const store = await storeOf(30);
  const before = await store.read();
  const seen = await store.patch([id(3), id(7), 'not-there'], (records, head) => {
    assert.equal([...records.keys()].sort(), [id(3), id(7)], 'only those, parsed alone; an unknown id is not in the map');
    records.get(id(3))!.pinned = true;
    records.get(id(3))!.bytes = 1000;
    records.get(id(7))!.state = 'CONFIRMED';
    head.events_offset = 99;
    return records.size;
  });
  assert.is(seen, 2);
  const after = await store.read();
  assert.is(after.generation, before.generation + 1);
  assert.is(after.events_offset, 99);
  assert.equal(after.backups.map((b) => b.id), before.backups.map((b) => b.id), 'in place, in order');
  assert.is(after.backups[3]!.pinned, true);
  assert.is(after.backups[7]!.state, 'CONFIRMED');
  assert.equal(after.backups[8], before.backups[8]);
  assert.ok(readFileSync(store.paths.db).equals(serializeStore(after)), 'byte for byte the full write');
  const { backups_bytes: _b, backups_sha256: _h, records_layout: _l, ...summary } = (await readHead(store.paths.db))!.summary;
  assert.equal(summary, summarize(after.backups), 'counts, bytes and pins follow the changed records');

  // Only the head: the records are not parsed (a garbled one with a forged hash is copied as it is).
  garble(store.paths.db, 12);
  forgeHash(store.paths.db);
  await store.patch([], (_records, head) => void (head.events_applied = 5));
  const text = readFileSync(store.paths.db, 'utf8');
  assert.ok(text.includes(`${id(12)}x`) && text.includes('"events_applied":5'), 'head written, records copied unparsed');
});

test('a patch that deletes records takes them out in place: tombstones to the cold store, the rest byte for byte the full write', async () => {
  // First, last, neighbours, both ends, all: every way the commas between the records can fall.
  for (const doomed of [[0], [2], [5], [1, 2], [4, 5], [0, 5], [0, 1, 2, 3, 4, 5]]) {
    const store = await storeOf(6);
    const before = await store.read();
    const kept = before.backups.filter((_, k) => !doomed.includes(k)).map((b) => b.id);
    // A record the patch does not name, spaced as no writer spaces it, with a forged hash: only a
    // copy of its bytes keeps the space (a full write parses it and encodes it again).
    const witness = kept.find((k) => k !== id(1)); // record 1's message is not the one makeRecord writes
    if (witness) {
      respace(store.paths.db, witness);
      forgeHash(store.paths.db);
    }
    await store.patch(doomed.map(id), (records) => records.forEach((r) => (r.state = 'DELETED')));
    const after = await store.read();
    const label = `deleting ${doomed.join(',')}`;
    assert.is(after.generation, before.generation + 1, label);
    assert.equal(after.backups.map((b) => b.id), kept, `${label}: compacted out of the index, the others in order`);
    assert.equal((await store.tombstones(after)).map((b) => b.id).sort(), doomed.map(id), `${label}: in the cold store`);
    const text = readFileSync(store.paths.db, 'utf8');
    if (witness) {
      assert.ok(text.includes('"paths":[ ]'), `${label}: in place (the other records' bytes copied as they were)`);
      // The witness put back as a writer writes it: then byte for byte the full write (but the hash, which covered the witness).
      const unhashed = (t: string) => t.replace(/"backups_sha256":"[0-9a-f]{64}"/, '');
      const full = serializeStore({ ...after, backups: after.backups.map((b) => (b.id === witness ? { ...b, message: `before refactoring ${witness}` } : b)) });
      assert.is(unhashed(text.replace('"paths":[ ]', '"paths":[]').replace(`refactorin ${witness}`, `refactoring ${witness}`)), unhashed(full.toString('utf8')), `${label}: byte for byte the full write`);
    } else {
      assert.ok(readFileSync(store.paths.db).equals(serializeStore(after)), `${label}: byte for byte the full write`);
    }
    const { backups_bytes: _b, backups_sha256: _h, records_layout: _l, ...summary } = (await readHead(store.paths.db))!.summary;
    assert.equal(summary, summarize(after.backups), `${label}: the summary counts only what is left`);
    assert.is((await store.head())?.generation, after.generation, `${label}: the hash vouches for the new file`);
    // Nothing changed: nothing written.
    await store.patch(kept.filter((k) => k !== witness).slice(0, 1), () => undefined); // (the witness would be written: it reads differently)
    assert.is((await store.read()).generation, after.generation, label);
  }
});

test('a patch of most of the index goes the full way (which also finds damage an in-place write would copy)', async () => {
  const store = await storeOf(100);
  await store.update(() => undefined); // a good db.json.prev
  garble(store.paths.db, 99);
  forgeHash(store.paths.db);
  const ids = Array.from({ length: 70 }, (_, k) => id(k));
  await store.patch(ids, (records) => records.forEach((r) => (r.labels = ['patched'])));
  const after = await store.read();
  assert.is(after.backups.filter((b) => b.labels[0] === 'patched').length, 70);
  assert.is(after.backups[99]!.message, `before refactoring ${id(99)}`, 'parsed whole: the damage found, db.json.prev restored');
});

/** One same-size replacement in db.json (what a bit flip or a careless edit does). */
function sameSizeEdit(file: string, from: string, to: string): void {
  const text = readFileSync(file, 'utf8');
  assert.ok(text.includes(from) && Buffer.byteLength(from) === Buffer.byteLength(to));
  writeFileSync(file, text.replace(from, to));
}

test('a record changed in place that is still JSON is damage: not carried into the next generation nor db.json.prev (review)', async () => {
  const store = await storeOf(10);
  await store.update(() => undefined); // a good db.json.prev
  sameSizeEdit(store.paths.db, `"message":"before refactoring ${id(4)}"`, `"message":"befoRe refactoring ${id(4)}"`);
  await store.append((view) => view.add(makeRecord(id(20))));
  const data = await store.read();
  assert.is(data.backups.find((b) => b.id === id(4))!.message, `before refactoring ${id(4)}`, 'db.json');
  assert.is(data.backups.length, 11);
  assert.not.ok(readFileSync(store.paths.prev, 'utf8').includes('befoRe'), 'db.json.prev');
});

test('the head\'s summary changed in place, size unchanged: an append does not carry it on (review)', async () => {
  const store = await storeOf(10);
  await store.update(() => undefined);
  sameSizeEdit(store.paths.db, '"PENDING":6,', '"PENDING":9,');
  await store.append((view) => view.add({ ...makeRecord(id(20)), state: 'CREATED' }));
  const { backups_bytes: _b, backups_sha256: _h, records_layout: _l, ...summary } = (await readHead(store.paths.db))!.summary;
  assert.equal(summary, summarize((await store.read()).backups));
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

test('live(): the records in play, each as a full read has it, the others walked past; null for a store it cannot vouch for', async () => {
  const store = await openStore(scratchDir());
  const states = ['CREATED', 'PENDING', 'CONFIRMED', 'CLEANABLE', 'ARCHIVED'] as const;
  await store.update((d) => {
    for (let k = 0; k < 25; k++) d.backups.push({ ...makeRecord(id(k)), state: states[k % states.length]!, bytes: k });
    d.backups[1]!.message = 'grüße ","state":"CREATED" {"id":"x"}';
  });
  const full = await store.read();
  const inPlay = full.backups.filter((b) => b.state === 'CREATED' || b.state === 'PENDING');
  const live = await store.live();
  assert.ok(live);
  assert.equal(live!.backups, inPlay);
  assert.is(live!.head.generation, full.generation);
  // A record written with its keys in another order (state not second) is parsed to learn its state.
  const file = join(store.paths.dir, 'db.json');
  const messageSecond = (b: BackupRecord) => Object.fromEntries([['id', b.id], ['message', b.message], ...Object.entries(b).filter(([k]) => k !== 'id' && k !== 'message')]) as unknown as BackupRecord;
  let text = serializeStore(full).toString();
  for (const k of [3, 5]) text = text.replace(encodeRecord(full.backups[k]!), JSON.stringify(messageSecond(full.backups[k]!)));
  writeFileSync(file, text);
  forgeHash(file); // the same bytes in another order: vouched for by its head, as a writer of that layout would
  assert.ok(readFileSync(file, 'utf8').includes(`{"id":"${id(3)}","message"`));
  assert.equal((await store.live())?.backups.map((b) => b.id), inPlay.map((b) => b.id));
  // Damaged in place (a byte changed, the size kept): not vouched for, so null (read() repairs it).
  const bytes = readFileSync(file);
  bytes[bytes.length - 40] = bytes[bytes.length - 40] === 0x61 ? 0x62 : 0x61;
  writeFileSync(file, bytes);
  assert.is(await store.live(), null);
});

test('the walk for record starts skips the shortest record this layout can hold; a record shorter still sends the read the slow way, never to wrong records', async () => {
  const store = await storeOf(6);
  const full = await store.read();
  const shortest = Math.min(...full.backups.map((b) => encodeRecord(b).length));
  assert.ok(MIN_RECORD_BYTES >= 400 && MIN_RECORD_BYTES <= shortest, `${MIN_RECORD_BYTES} ≤ ${shortest}`);
  assert.equal((await store.live())?.backups.map((b) => b.id), full.backups.filter((b) => b.state === 'CREATED' || b.state === 'PENDING').map((b) => b.id));
  // A record of the layout cut short (a writer of another version, forged hash): not walked past.
  const file = store.paths.db;
  const cut = `{"id":"${id(2)}","state":"CREATED"}`;
  writeFileSync(file, readFileSync(file, 'utf8').replace(encodeRecord(full.backups[2]!), cut));
  forgeHash(file);
  assert.is(await store.live(), null, 'the fast read declines');
  assert.equal((await store.read()).backups.map((b) => b.id), full.backups.map((b) => b.id), 'the full read has every record');
});

test('lookup(): every id, a record parsed only when asked (as a full read has it); null for a store it cannot vouch for', async () => {
  const store = await storeOf(12);
  const full = await store.read();
  const index = await store.lookup();
  assert.ok(index);
  assert.equal([...index!.ids], full.backups.map((b) => b.id));
  assert.equal(index!.record(id(5)), full.backups[5]);
  assert.equal(index!.record(id(1)), full.backups[1], 'a message with a record start inside it');
  assert.is(index!.record('20250102-030499-ffff'), undefined);
  const bytes = readFileSync(store.paths.db);
  bytes[bytes.length - 40] = bytes[bytes.length - 40] === 0x61 ? 0x62 : 0x61;
  writeFileSync(store.paths.db, bytes);
  assert.is(await store.lookup(), null, 'damaged in place: read() repairs it');
});

test('a write after live() takes its read only while db.json is still that file', async () => {
  const store = await openStore(scratchDir());
  await store.update((d) => {
    for (let k = 0; k < 10; k++) d.backups.push({ ...makeRecord(id(k)), state: 'CREATED' });
  });
  assert.ok(await store.live());
  // Another process writes meanwhile: the patch must build on its generation, not on what live() read.
  const other = await openStore(join(store.paths.dir, '..'));
  await other.patch([id(2)], (records) => void (records.get(id(2))!.message = 'by the other'));
  await store.patch([id(7)], (records) => void (records.get(id(7))!.message = 'by this one'));
  const after = await store.read();
  assert.is(after.backups.find((b) => b.id === id(2))!.message, 'by the other');
  assert.is(after.backups.find((b) => b.id === id(7))!.message, 'by this one');
  // Unchanged since live(): its read is taken (the result is the same either way).
  assert.ok(await store.live());
  await store.patch([id(8)], (records) => void (records.get(id(8))!.message = 'again'));
  assert.is((await store.read()).backups.find((b) => b.id === id(8))!.message, 'again');
  assert.is((await store.read()).backups.find((b) => b.id === id(2))!.message, 'by the other');
});

test.run();
