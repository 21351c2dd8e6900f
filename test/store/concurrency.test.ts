// Real processes, real locks: 8 writers × 25 updates at once must lose nothing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { scratchDir } from '../helpers/repo.js';
import { openStore } from '../../src/store/store.js';
import { parseStore } from '../../src/store/durable-file.js';
import { runFixture } from './fixtures/util.js';
import { makeRecord } from './fixtures/records.js';

const WRITERS = 8;
const UPDATES = 25;

test(`${WRITERS} processes × ${UPDATES} updates lose no update`, async () => {
  const common = scratchDir();
  const store = await openStore(common);
  const runs = Array.from({ length: WRITERS }, (_, w) => runFixture('writer', [common, `w${w}`, String(UPDATES)]).done);
  const results = await Promise.all(runs);
  for (const r of results) {
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stderr, '', 'no warnings (no stale takeover, no damage)');
  }
  const data = parseStore(readFileSync(store.paths.db, 'utf8'), 'db.json'); // valid JSON, right shape
  assert.is(data.generation, WRITERS * UPDATES);
  const ids = data.backups.map((b) => b.id);
  assert.is(ids.length, WRITERS * UPDATES);
  assert.is(new Set(ids).size, ids.length, 'no duplicates');
  for (let w = 0; w < WRITERS; w++) {
    const mine = ids.filter((id) => id.startsWith(`w${w}-`));
    // each writer's records are there, in its own order
    assert.equal(mine, Array.from({ length: UPDATES }, (_, i) => `w${w}-${i}`));
  }
  assert.equal(readdirSync(store.paths.dir).sort(), ['db.json', 'db.json.prev'], 'no temp files, no lock left');
  assert.is(parseStore(readFileSync(store.paths.prev, 'utf8'), 'prev').generation, WRITERS * UPDATES - 1);
});

test('concurrent updates within one process are serialised too', async () => {
  const store = await openStore(scratchDir());
  await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      store.update(async (d) => {
        await new Promise((r) => setTimeout(r, 1));
        d.backups.push(makeRecord(`p${i}`));
      }),
    ),
  );
  const data = await store.read();
  assert.is(data.generation, 20);
  assert.is(new Set(data.backups.map((b) => b.id)).size, 20);
});

test.run();
