// Real processes, real locks: 8 writers × 25 updates at once must lose nothing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

test('8 processes racing to take over one stale lock lose no update (the race of proper-lockfile #121)', async () => {
  const common = scratchDir();
  const store = await openStore(common);
  await store.update((d) => void d.backups.push(makeRecord('base')));
  // Held by a process of another host, not touched for a minute: stale by its age alone.
  mkdirSync(store.paths.lock);
  writeFileSync(join(store.paths.lock, 'owner'), `cafe 999999 another-host.example\n`);
  const old = new Date(Date.now() - 60_000);
  utimesSync(store.paths.lock, old, old);
  const results = await Promise.all(
    Array.from({ length: WRITERS }, (_, w) => runFixture('writer', [common, `s${w}`, '5']).done),
  );
  let takeovers = 0;
  for (const r of results) {
    assert.is(r.code, 0, r.stderr);
    takeovers += (r.stderr.match(/taking over a stale lock/g) ?? []).length;
  }
  assert.ok(takeovers >= 1, 'the takeover was reported');
  const data = parseStore(readFileSync(store.paths.db, 'utf8'), 'db.json');
  assert.is(data.backups.length, 1 + WRITERS * 5);
  assert.is(data.generation, data.backups.length);
});

test('writers SIGKILLed at random instants leave a store the next update reads, with nothing half-written', async () => {
  const common = scratchDir();
  const store = await openStore(common);
  const env = { GIT_BACKUP_LOCK_STALE_MS: '2000' };
  const writers = Array.from({ length: 4 }, (_, w) => runFixture('writer', [common, `k${w}`, '1000'], env));
  await Promise.all(
    writers.map(
      (w) =>
        new Promise<void>((resolve) =>
          setTimeout(() => {
            w.child.kill('SIGKILL');
            resolve();
          }, 150 + Math.random() * 600),
        ),
    ),
  );
  for (const w of writers) assert.is((await w.done).signal, 'SIGKILL');
  // The next writer may have to wait out a dead holder's lock; then the store must be whole.
  const after = await runFixture('writer', [common, 'after', '1'], env).done;
  assert.is(after.code, 0, after.stderr);
  assert.not.match(after.stderr, /damaged/);
  const data = parseStore(readFileSync(store.paths.db, 'utf8'), 'db.json');
  const ids = data.backups.map((b) => b.id);
  assert.is(data.generation, ids.length, 'one generation per record: no update lost or doubled');
  assert.is(new Set(ids).size, ids.length);
  assert.ok(ids.includes('after-0'));
  for (let w = 0; w < 4; w++) {
    const mine = ids.filter((id) => id.startsWith(`k${w}-`));
    assert.equal(mine, Array.from({ length: mine.length }, (_, i) => `k${w}-${i}`), 'each writer a prefix of its records');
  }
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
