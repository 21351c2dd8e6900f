// The head of db.json (store/durable-file.ts readHead): generation, counters and the summary of the
// records read from the first bytes, trusted only for a whole file this version wrote.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { scratchDir } from '../helpers/repo.js';
import { openStore } from '../../src/store/store.js';
import { readHead } from '../../src/store/durable-file.js';
import { summarize } from '../../src/core/query.js';
import { makeRecord } from './fixtures/records.js';

async function storeOf(n: number) {
  const store = await openStore(scratchDir());
  await store.update((d) => {
    for (let i = 0; i < n; i++) d.backups.push({ ...makeRecord(`r${i}`), state: i % 3 === 0 ? 'PENDING' : 'CREATED', pinned: i === 1, bytes: 10 + i });
    // A non-ASCII message: the byte length, not the string length, decides.
    d.backups[0]!.message = 'grüße, ✓';
    d.events_offset = 42;
  });
  return store;
}

test('the head carries what the whole file says, and the summary of its records', async () => {
  const store = await storeOf(50);
  const head = await readHead(store.paths.db);
  const data = await store.read();
  assert.ok(head);
  assert.is(head!.generation, data.generation);
  assert.is(head!.events_offset, 42);
  const { backups_bytes, backups_sha256, records_layout: _l, ...summary } = head!.summary;
  assert.equal(summary, summarize(data.backups));
  assert.is(summary.pinned, 1);
  assert.ok(backups_bytes > 0);
  assert.match(backups_sha256 ?? '', /^[0-9a-f]{64}$/);
  assert.not.ok('summary' in data, 'the summary is not carried as data');
  assert.ok((await store.head()) !== null, 'no ledger: the head is trusted as it is');
});

test('a torn file, one written by hand or by an older version, or garbage: no head (read the whole file)', async () => {
  const store = await storeOf(20);
  const text = readFileSync(store.paths.db, 'utf8');
  truncateSync(store.paths.db, Buffer.byteLength(text) - 5);
  assert.is(await readHead(store.paths.db), null, 'torn');
  writeFileSync(store.paths.db, text + '\n');
  assert.is(await readHead(store.paths.db), null, 'a byte more');
  writeFileSync(store.paths.db, JSON.stringify(JSON.parse(text), null, 2));
  assert.is(await readHead(store.paths.db), null, 'indented by hand');
  const { summary: _, ...old } = JSON.parse(text);
  writeFileSync(store.paths.db, JSON.stringify(old));
  assert.is(await readHead(store.paths.db), null, 'no summary (an older version)');
  writeFileSync(store.paths.db, '{"schema":1,"generation":3,"summary":{"backups_bytes":2},"backups":[');
  assert.is(await readHead(store.paths.db), null, 'garbage');
  assert.is(await store.head(), null);
});

test('a head behind the notes is not trusted', async () => {
  const store = await storeOf(3);
  store.attach({ ledger: { tip: async () => 'a'.repeat(40), check: async () => null, write: async () => 'x', createRefs: async () => undefined, sync: async () => null } });
  assert.is(await store.head(), null, 'the index has no notes tip');
});

test.run();
