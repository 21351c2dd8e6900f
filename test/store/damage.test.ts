import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from '../helpers/repo.js';
import { openStore, type Store } from '../../src/store/store.js';
import { parseStore } from '../../src/store/durable-file.js';
import { BackupError, ExitCode } from '../../src/errors.js';
import { makeRecord } from './fixtures/records.js';
import { captureStderr } from './fixtures/util.js';

/** A store at generation 3 with records a, b, c (prev: generation 2 with a, b). */
async function threeGenerations(): Promise<Store> {
  const store = await openStore(scratchDir());
  for (const id of ['a', 'b', 'c']) await store.update((d) => void d.backups.push(makeRecord(id)));
  return store;
}

const damages: Record<string, (file: string) => void> = {
  truncated: (f) => truncateSync(f, Math.floor(readFileSync(f).length / 2)),
  empty: (f) => truncateSync(f, 0),
  garbage: (f) => writeFileSync(f, '\u0000\u0000\u0000garbage\u0000'),
  'wrong shape': (f) => writeFileSync(f, JSON.stringify({ schema: 1, generation: 'x', backups: {} })),
  'records without ids': (f) => writeFileSync(f, JSON.stringify({ schema: 1, generation: 4, backups: [1, 2] })),
  // Still JSON, same size: only the SHA-256 in the head tells (a bit flip, a careless edit).
  'changed in place': (f) => writeFileSync(f, readFileSync(f, 'utf8').replace('"before refactoring c"', '"befoRe refactoring c"')),
  'head changed in place': (f) => writeFileSync(f, readFileSync(f, 'utf8').replace('"generation":3,', '"generation":7,')),
  // A symbolic link to itself (ELOOP): every command, create and recover included, exited 1 (review).
  'a symbolic link loop': (f) => {
    unlinkSync(f);
    symlinkSync('db.json', f);
  },
};

for (const [name, damage] of Object.entries(damages)) {
  test(`${name} db.json: read recovers generation 2 from prev with one warning line`, async () => {
    const store = await threeGenerations();
    damage(store.paths.db);
    const { result, stderr, error } = await captureStderr(() => store.read());
    assert.is(error, undefined);
    assert.is(result!.generation, 2);
    assert.equal(result!.backups.map((b) => b.id), ['a', 'b']);
    assert.is(stderr.split('\n').filter(Boolean).length, 1);
    assert.match(stderr, /db\.json was damaged; using generation 2 from .*db\.json\.prev/);
  });
}

test('a directory where db.json.prev goes is moved aside: writes go on (review)', async () => {
  const store = await threeGenerations();
  rmSync(store.paths.prev);
  mkdirSync(store.paths.prev);
  writeFileSync(join(store.paths.prev, 'x'), 'x');
  const { stderr, error } = await captureStderr(() => store.update((d) => void d.backups.push(makeRecord('d'))));
  assert.is(error, undefined);
  assert.is(stderr, '', 'no warning: the index was written');
  assert.is((await store.read()).generation, 4);
  assert.is(parseStore(readFileSync(store.paths.prev, 'utf8'), store.paths.prev).generation, 3, 'prev is the generation before');
  assert.is(readdirSync(store.paths.dir).filter((n) => n.startsWith('db.json.prev.damaged-')).length, 1);
});

for (const [name, damage] of [['garbage', (f: string) => writeFileSync(f, 'garbage')], ['a symbolic link loop', damages['a symbolic link loop']!]] as const) test(`update after damage (${name}) writes a good db.json and keeps the good prev`, async () => {
  const store = await threeGenerations();
  damage(store.paths.db);
  const { error, stderr } = await captureStderr(() => store.update((d) => void d.backups.push(makeRecord('d'))));
  assert.is(error, undefined);
  assert.match(stderr, /using generation 2/);
  const db = parseStore(readFileSync(store.paths.db, 'utf8'), 'db');
  assert.is(db.generation, 3);
  assert.equal(db.backups.map((b) => b.id), ['a', 'b', 'd']);
  const prev = parseStore(readFileSync(store.paths.prev, 'utf8'), 'prev');
  assert.is(prev.generation, 2, 'the damaged file did not replace the good prev');
  const again = await captureStderr(() => store.read());
  assert.is(again.stderr, '');
});

test('a deleted db.json with a prev beside it is restored, with a warning', async () => {
  const store = await threeGenerations();
  unlinkSync(store.paths.db);
  const { result, stderr } = await captureStderr(() => store.read());
  assert.is(result!.generation, 2);
  assert.match(stderr, /db\.json was missing; using generation 2/);
});

test('db.json and prev both damaged: exit 7 naming both files', async () => {
  const store = await threeGenerations();
  writeFileSync(store.paths.db, '{"schema":1,');
  writeFileSync(store.paths.prev, '');
  for (const op of [() => store.read(), () => store.update(() => undefined)]) {
    const { error } = await captureStderr(op);
    assert.instance(error, BackupError);
    assert.is((error as BackupError).exitCode, ExitCode.STORE_DAMAGED);
    assert.match((error as Error).message, /db\.json \(not valid JSON.*db\.json\.prev \(empty file\)/);
  }
  assert.is(readFileSync(store.paths.db, 'utf8'), '{"schema":1,', 'nothing written');
});

test('damaged db.json and no prev: exit 7', async () => {
  const store = await openStore(scratchDir());
  await store.update((d) => void d.backups.push(makeRecord('a')));
  writeFileSync(store.paths.db, 'nope');
  const { error } = await captureStderr(() => store.read());
  assert.is((error as BackupError).exitCode, ExitCode.STORE_DAMAGED);
  assert.match((error as Error).message, /db\.json\.prev \(missing\)/);
});

test.run();
