import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { scratchDir } from '../helpers/repo.js';
import { openStore, storePaths } from '../../src/store/store.js';
import { DurableJSONFile, KEEP_DAMAGED, readHead, serializeStore } from '../../src/store/durable-file.js';
import { writeNewFile } from '../../src/fs/durable-write.js';
import { join } from 'node:path';
import { SCHEMA_VERSION } from '../../src/core/types.js';
import { BackupError, ExitCode } from '../../src/errors.js';
import { makeRecord, stored } from './fixtures/records.js';

const mode = (p: string) => statSync(p).mode & 0o777;

test('a new store reads as empty and writes nothing', async () => {
  const common = scratchDir();
  const store = await openStore(common);
  assert.equal(await store.read(), { schema: SCHEMA_VERSION, generation: 0, backups: [] });
  assert.ok(existsSync(store.paths.dir));
  assert.not.ok(existsSync(store.paths.db));
  assert.is(store.paths.dir, `${common}/backup`);
  assert.is(store.paths.lock, `${common}/backup/db.json.lock`);
});

test('round trip, generation increments, prev keeps the generation before', async () => {
  const store = await openStore(scratchDir());
  const r = await store.update((d) => {
    d.backups.push(makeRecord('one'));
    return 'first';
  });
  assert.is(r, 'first');
  let data = await store.read();
  assert.is(data.generation, 1);
  assert.equal(data.backups, [stored(makeRecord('one'))]);
  assert.not.ok(existsSync(store.paths.prev), 'no prev after the first write');

  await store.update((d) => void d.backups.push(makeRecord('two')));
  data = await store.read();
  assert.is(data.generation, 2);
  assert.equal(data.backups.map((b) => b.id), ['one', 'two']);
  const prev = JSON.parse(readFileSync(store.paths.prev, 'utf8'));
  assert.is(prev.generation, 1);
  assert.equal(prev.backups.map((b: { id: string }) => b.id), ['one']);
  assert.is((await readHead(store.paths.db))?.generation, 2, 'the head says it from the first bytes');
});

test('directory 0700 and files 0600 even under a permissive umask', async () => {
  const old = process.umask(0);
  try {
    const store = await openStore(scratchDir());
    await store.update((d) => void d.backups.push(makeRecord('a')));
    await store.update((d) => void d.backups.push(makeRecord('b')));
    assert.is(mode(store.paths.dir), 0o700);
    assert.is(mode(store.paths.db), 0o600);
    assert.is(mode(store.paths.prev), 0o600);
  } finally {
    process.umask(old);
  }
});

test('no temp files or lock left behind', async () => {
  const store = await openStore(scratchDir());
  for (let i = 0; i < 5; i++) await store.update((d) => void d.backups.push(makeRecord(`r${i}`)));
  assert.equal(readdirSync(store.paths.dir).sort(), ['db.json', 'db.json.prev']);
});

test('if fn throws nothing is written and the lock is released', async () => {
  const store = await openStore(scratchDir());
  await store.update((d) => void d.backups.push(makeRecord('keep')));
  try {
    await store.update((d) => {
      d.backups.length = 0;
      throw new Error('boom');
    });
    assert.unreachable('should throw');
  } catch (e) {
    assert.is((e as Error).message, 'boom');
  }
  const data = await store.read();
  assert.is(data.generation, 1);
  assert.equal(data.backups.map((b) => b.id), ['keep']);
  assert.not.ok(existsSync(store.paths.lock));
  await store.update((d) => void d.backups.push(makeRecord('after'))); // the lock is free again
  assert.is((await store.read()).generation, 2);
});

test('the file is compact with the generation at its head and the records last', async () => {
  const store = await openStore(scratchDir());
  await store.update((d) => void d.backups.push(makeRecord('x')));
  const text = readFileSync(store.paths.db, 'utf8');
  assert.ok(text.startsWith(`{"schema":${SCHEMA_VERSION},"generation":1,"summary":{`));
  assert.match(text, /,"backups":\[\{"id":"x".*\}\]\}$/);
  assert.not.ok(text.includes('\n'));
});

test('a store from a newer schema is refused', async () => {
  const store = await openStore(scratchDir());
  writeFileSync(store.paths.db, serializeStore({ schema: SCHEMA_VERSION + 1, generation: 3, backups: [] }));
  for (const op of [() => store.read(), () => store.update(() => undefined)]) {
    try {
      await op();
      assert.unreachable('should throw');
    } catch (e) {
      assert.instance(e, BackupError);
      assert.is((e as BackupError).exitCode, ExitCode.UNEXPECTED);
      assert.match((e as Error).message, /newer git-backup \(schema 2/);
    }
  }
  assert.is(JSON.parse(readFileSync(store.paths.db, 'utf8')).schema, SCHEMA_VERSION + 1, 'left untouched');
});

test('the adapter works on its own as a lowdb Adapter', async () => {
  const dir = scratchDir();
  const a = new DurableJSONFile(`${dir}/x.json`, { prev: `${dir}/x.json.prev` });
  assert.is(await a.read(), null);
  await a.write({ schema: 1, generation: 1, backups: [] });
  await a.write({ schema: 1, generation: 2, backups: [] });
  assert.is((await a.read())!.generation, 2);
  assert.is(JSON.parse(readFileSync(`${dir}/x.json.prev`, 'utf8')).generation, 1);
});

test('temp files left by a writer killed mid-write are ignored by reads and removed by the next update', async () => {
  const store = await openStore(scratchDir());
  await store.update((d) => void d.backups.push(makeRecord('a')));
  const dead = `${store.paths.db}.99999.0123456789ab.tmp`;
  const deadPrev = `${store.paths.prev}.99999.ba9876543210.tmp`;
  const fresh = `${store.paths.db}.99998.aaaaaaaaaaaa.tmp`;
  const other = `${store.paths.dir}/events.log`;
  for (const f of [dead, deadPrev, fresh, other]) writeFileSync(f, '{"schema":1,"gener');
  const old = new Date(Date.now() - 60_000);
  utimesSync(dead, old, old);
  utimesSync(deadPrev, old, old);
  utimesSync(other, old, old);
  assert.equal((await store.read()).backups.map((b) => b.id), ['a']);
  await store.update((d) => void d.backups.push(makeRecord('b')));
  assert.not.ok(existsSync(dead));
  assert.not.ok(existsSync(deadPrev));
  assert.ok(existsSync(fresh), 'a fresh temp file may belong to a live writer');
  assert.ok(existsSync(other), 'only our temp names are touched');
});

test('storePaths', () => {
  assert.equal(storePaths('/r/.git'), {
    dir: '/r/.git/backup',
    db: '/r/.git/backup/db.json',
    prev: '/r/.git/backup/db.json.prev',
    lock: '/r/.git/backup/db.json.lock',
  });
});

test('damaged generations set aside are kept to the newest few', async () => {
  const store = await openStore(scratchDir());
  for (let i = 0; i < KEEP_DAMAGED + 3; i++) {
    writeFileSync(store.paths.db, '{"schema":1,"generation":'); // torn
    writeFileSync(store.paths.prev, serializeStore({ schema: SCHEMA_VERSION, generation: i, backups: [] }));
    await store.update((d) => void d.backups.push(makeRecord(`r${i}`)));
    await new Promise((r) => setTimeout(r, 2)); // distinct <ms> names
  }
  const aside = readdirSync(store.paths.dir).filter((n) => n.startsWith('db.json.damaged-'));
  assert.is(aside.length, KEEP_DAMAGED);
});

test('writeNewFile: many pieces, small ones gathered into chunks, large ones alone, in order', async () => {
  const dir = scratchDir();
  // 30,000 small pieces around two of 1.5 MiB: the file is exactly their concatenation.
  const pieces: Buffer[] = [];
  for (let i = 0; i < 30_000; i++) pieces.push(Buffer.from(`{"id":${i}},`));
  pieces.splice(10_000, 0, Buffer.alloc(1.5 * 1024 * 1024, 'a'));
  pieces.push(Buffer.alloc(1.5 * 1024 * 1024, 'b'), Buffer.from(']'));
  await writeNewFile(join(dir, 'f'), pieces);
  assert.ok(readFileSync(join(dir, 'f')).equals(Buffer.concat(pieces)));
  assert.is(mode(join(dir, 'f')), 0o600);
});

test.run();
