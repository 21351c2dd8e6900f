// The benchmark's importer (bench/fixtures/scale-store.ts) must write what the commands write:
// a store made by `create` and `delete --force` is read back, its records imported into a fresh
// repository, and the two compared: every note's text, db.json's records, the cold segments byte
// for byte; and the importer's record builders give the records the commands gave.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempRepo, TEST_ENV, type TestRepo } from '../helpers/repo.js';
import { ok, type Rec } from '../helpers/truth.js';
import { createdRecord, deleteRecord, importStore } from '../../bench/fixtures/scale-store.js';
import type { BackupRecord } from '../../src/core/types.js';
import { coldLine } from '../../src/core/cold.js';

const store = (repo: TestRepo) => join(repo.dir, '.git', 'backup');
type Db = { backups: BackupRecord[]; cold?: Record<string, unknown>; notes_tip?: string };
const readDb = (repo: TestRepo) => JSON.parse(readFileSync(join(store(repo), 'db.json'), 'utf8')) as Db;
const segments = (repo: TestRepo) => Object.fromEntries(readdirSync(join(store(repo), 'cold')).map((f) => [f, readFileSync(join(store(repo), 'cold', f), 'utf8')]));

/** object → note text, for every note on refs/notes/backups. */
function notes(repo: TestRepo): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of repo.git(['notes', '--ref=backups', 'list']).split('\n').filter(Boolean)) {
    const [blob, object] = line.split(' ') as [string, string];
    out.set(object, repo.git(['cat-file', 'blob', blob]) + '\n');
  }
  return out;
}

test('a store imported from the records equals the store the commands made', async () => {
  const a = tempRepo();
  const ids: string[] = [];
  for (const k of [1, 2, 3, 4]) {
    a.write(`w${k}.txt`, `work ${k}\n`);
    ids.push(a.json<Rec>(['create', '--allow-empty', '-m', `b${k}`]).id);
  }
  ok(a, ['delete', ids[0]!, ids[2]!, '--yes', '--force']);
  const hot = readDb(a).backups;
  const cold = Object.values(segments(a)).flatMap((t) => t.split('\n').filter(Boolean).map((l) => JSON.parse(l) as BackupRecord));
  assert.is(hot.length, 2);
  assert.is(cold.length, 2);

  const b = tempRepo();
  // In the order the commands made them (ids of the same second do not sort by creation).
  const records = [...hot, ...cold].sort((x, y) => (x.created_at < y.created_at ? -1 : x.created_at > y.created_at ? 1 : x.id < y.id ? -1 : 1));
  const tip = a.git(['log', '-1', '--format=%cn <%ce> %ct +0000', 'refs/notes/backups']);
  const r = await importStore(b.dir, TEST_ENV, records, tip);
  assert.equal([r.hot, r.cold], [2, 2]);
  assert.equal(notes(b), notes(a), 'every note, line for line');
  const da = readDb(a);
  const db = readDb(b);
  assert.equal(db.backups, da.backups);
  assert.equal(db.cold, da.cold);
  assert.equal(segments(b), segments(a), 'cold segments byte for byte');
  assert.is(db.notes_tip, b.git(['rev-parse', 'refs/notes/backups']));
  // The tool reads the imported store as its own (tombstones through the cold store).
  assert.is(b.json<{ total: number }>(['status']).total, 4);
  assert.is(b.json<Rec>(['show', ids[2]!]).state, 'DELETED');
});

test('the importer builds the records create and delete --force build', () => {
  const a = tempRepo();
  a.write('w.txt', 'work\n');
  const made = a.json<BackupRecord>(['create', '--allow-empty', '-m', 'one']);
  const live = readDb(a).backups[0]!;
  const built = createdRecord({
    snapshot: live.snapshot, created: new Date(live.created_at), message: live.message, branch: live.branch!, base: live.base!,
    worktree: live.worktree, protects: live.protects as { path: string; oid: string }[], bytes: live.bytes, origin: live.origin!,
  });
  assert.equal(built, live);
  ok(a, ['delete', made.id, '--yes', '--force']);
  const dead = JSON.parse(Object.values(segments(a))[0]!.trim()) as BackupRecord;
  // As the importer writes its tombstones (coldLine, what the compaction writes).
  const expected = JSON.parse(coldLine({ ...deleteRecord(structuredClone(built), new Date(dead.updated_at)), accessed_at: dead.accessed_at })) as BackupRecord;
  assert.equal(expected, dead);
});

test.run();
