// A read kept for reuse (Store.lastRaw: live()/lookup(), taken again by the write that follows) must
// not outlive the db.json it was read from. Its identity (dev, inode, size, mtime) is not enough:
// on a file system with 1-second file times (ext4 with 128-byte inodes, ext3, HFS+, FAT) the inode
// freed from db.json.prev is taken again by the third write after it, so three same-size writes in
// one second give db.json back the identity of the first; a process that read the first then wrote
// from it, dropping the other writes and taking db.json's generation back (db.json gen N+1 beside
// a db.json.prev of N+3). Shown here with the identity restored by hand (same inode, size, mtime).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from '../helpers/repo.js';
import { openStore } from '../../src/store/store.js';
import { makeRecord } from './fixtures/records.js';

const id = (k: number) => `20250102-0304${String(k).padStart(2, '0')}-${(4096 + k).toString(16)}`;

test('a kept read is not written from once db.json is another generation with the same identity', async () => {
  const dir = scratchDir();
  const store = await openStore(dir);
  await store.update((d) => {
    for (let k = 0; k < 3; k++) d.backups.push({ ...makeRecord(id(k)), state: 'CREATED' });
    d.events_offset = 7;
  });
  const db = join(store.paths.dir, 'db.json');
  const prev = join(store.paths.dir, 'db.json.prev');
  const index = await store.lookup(); // kept: the write below may take it
  assert.ok(index);
  const seen = statSync(db, { bigint: true });

  // Another process writes the next generation (same size: only a counter changes)...
  const other = await openStore(dir);
  await other.patch([], (_records, head) => {
    head.events_offset = 8;
  });
  const next = readFileSync(db);
  assert.is(next.length, Number(seen.size));
  // ...and db.json ends up with the identity the kept read had: its inode (now db.json.prev's),
  // its size, its mtime (what the third same-size write in the same second gives on 1 s file times).
  writeFileSync(prev, next);
  renameSync(prev, db);
  const ns = seen.mtimeNs;
  execFileSync('touch', ['-m', '-d', `@${ns / 1_000_000_000n}.${String(ns % 1_000_000_000n).padStart(9, '0')}`, db]);
  const now = statSync(db, { bigint: true });
  assert.equal([now.ino, now.size, now.mtimeNs], [seen.ino, seen.size, seen.mtimeNs]);
  const generation = (JSON.parse(next.toString('utf8')) as { generation: number }).generation;

  await store.patch([id(1)], (records) => {
    records.get(id(1))!.pinned = true;
  });
  const after = JSON.parse(readFileSync(db, 'utf8')) as { generation: number; events_offset: number; backups: { id: string; pinned: boolean }[] };
  assert.is(after.events_offset, 8, 'the other write is kept');
  assert.is(after.generation, generation + 1, 'the generation goes on from the file on disk');
  assert.is(after.backups.find((b) => b.id === id(1))?.pinned, true);
});

test.run();
