// `list --json` copies each record's bytes from db.json (docs/store.md, "Records in the order --json
// prints them"): the output must be byte for byte what parsing and encoding each record prints, for
// every kind of record (archived ones are parsed: their path is resolved where the archive is now),
// and an index written before the layout (no records_layout) must still print right and be
// written in the layout by its next write.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromTemplate, type TestRepo } from '../helpers/repo.js';
import { ok } from '../helpers/truth.js';
import { createHash } from 'node:crypto';
import { headKey } from '../../src/store/durable-file.js';
import type { Summary } from '../../src/core/query.js';
import type { StoreData } from '../../src/core/types.js';

interface Rec { id: string; state: string; archive: { path: string } | null; labels: string[] }

const dbOf = (repo: TestRepo) => join(repo.git(['rev-parse', '--absolute-git-dir']), 'backup', 'db.json');
const layoutOf = (repo: TestRepo) => (JSON.parse(readFileSync(dbOf(repo), 'utf8')) as { summary: { records_layout?: string } }).summary.records_layout;

/** Backups in every shape list prints: labelled, pinned, path-limited, moved on by a commit, archived (built once, copied). */
function variedStore(): { repo: TestRepo; archived: string } {
  let archived = '';
  const repo = fromTemplate('list-json-varied', (r) => (archived = buildVaried(r)), { withStore: true });
  archived ||= (JSON.parse(repo.cli(['list', '--json', '--state', 'ARCHIVED']).stdout) as Rec[])[0]!.id;
  return { repo, archived };
}

function buildVaried(repo: TestRepo): string {
  repo.git(['init', '-q', '-b', 'main']);
  repo.write('README.md', '# test\n');
  repo.commitAll('initial');
  repo.write('a.txt', 'a ü\n');
  const first = repo.json<Rec>(['create', '-m', 'first "quoted" ü', '--label', 'x', '--label', 'y']);
  repo.write('b.txt', 'b\n');
  ok(repo, ['create', '-m', 'second', '--', 'b.txt']);
  ok(repo, ['pin', first.id]);
  repo.git(['add', 'a.txt']);
  repo.git(['commit', '-q', '-m', 'a']);
  ok(repo, ['reconcile']);
  repo.write('c.txt', 'c\n');
  const third = repo.json<Rec>(['create', '-m', 'third']);
  ok(repo, ['transition', third.id, 'CLEANABLE', '--force']);
  const [archived] = repo.json<Rec[]>(['archive', third.id]);
  return archived!.id;
}

/** The copied path's output and the parsed path's (`--grep ''` matches every backup but is a filter the copy does not do). */
function bothWays(repo: TestRepo, args: string[] = []): [string, string] {
  const copied = repo.cli(['list', '--json', ...args]);
  const parsed = repo.cli(['list', '--json', '--grep', '', ...args]);
  assert.is(copied.code, 0, copied.stderr);
  assert.is(parsed.code, 0, parsed.stderr);
  return [copied.stdout, parsed.stdout];
}

test('list --json copies the records\' bytes: the same output as parsing them, archived ones with their path', () => {
  const { repo, archived } = variedStore();
  assert.is(layoutOf(repo), 'public-first');
  const [copied, parsed] = bothWays(repo);
  assert.is(copied, parsed);
  const list = JSON.parse(copied) as Rec[];
  assert.is(list.length, 3);
  const a = list.find((r) => r.id === archived)!;
  assert.is(a.state, 'ARCHIVED');
  assert.ok(a.archive!.path.startsWith('/'), 'an absolute path, where the archive is now');
  for (const args of [['--state', 'PENDING'], ['--state', 'ARCHIVED', '--state', 'CREATED'], ['--limit', '1'], ['--limit', '2', '--state', 'CREATED']]) {
    const [c, p] = bothWays(repo, args);
    assert.is(c, p, args.join(' '));
  }
  // What list prints of a record is never what db.json keeps only for itself.
  assert.not.ok(copied.includes('"protects"') || copied.includes('"author"'));
});

test('an index written before the layout prints the same and is written in the layout by the next write', () => {
  const { repo } = variedStore();
  const [before] = bothWays(repo);
  // As an older version wrote it: records in another key order, no records_layout. (The head's
  // hash covers the records array, so it is computed again for the reordered bytes.)
  const db = dbOf(repo);
  const data = JSON.parse(readFileSync(db, 'utf8')) as { summary: Record<string, unknown>; backups: Record<string, unknown>[] };
  const reordered = data.backups.map(({ id, state, ...rest }) => ({ id, state, ...Object.fromEntries(Object.entries(rest).reverse()) }));
  delete data.summary.records_layout;
  delete data.summary.backups_sha256; // a head without the hash: written by an older version, taken as it is
  delete data.summary.backups_bytes;
  writeFileSync(db, JSON.stringify({ ...data, backups: reordered }));
  assert.is(layoutOf(repo), undefined);
  const [copied, parsed] = bothWays(repo);
  assert.is(copied, before, 'printed from the parsed records');
  assert.is(parsed, before);
  repo.write('d.txt', 'd\n');
  repo.json(['create', '-m', 'fourth']);
  assert.is(layoutOf(repo), 'public-first', 'the next write encodes every record again');
  const after = JSON.parse(bothWays(repo)[0]) as Rec[];
  assert.equal(after.slice(1), JSON.parse(before));
});

test('records_layout added by hand to an index in another layout (not in the hash: unseen) still prints right', () => {
  const { repo } = variedStore();
  const [before] = bothWays(repo);
  // Records in an older version's key order, `protects` right after the first keys, with the size
  // and hash such a version writes (both vouch for the file), then the layout field put in by hand.
  const db = dbOf(repo);
  const data = JSON.parse(readFileSync(db, 'utf8')) as { summary: Summary & Record<string, unknown>; backups: Record<string, unknown>[] } & Omit<StoreData, 'backups'>;
  const records = Buffer.from(JSON.stringify(data.backups.map(({ id, state, created_at, protects, author, ...rest }) => ({ id, state, created_at, protects, author, ...rest }))));
  const sha = createHash('sha256').update(records).update(headKey(data, data.summary)).digest('hex');
  const { backups: _b, ...head } = data;
  head.summary = { ...data.summary, backups_bytes: records.length, backups_sha256: sha, records_layout: 'public-first' };
  writeFileSync(db, Buffer.concat([Buffer.from(JSON.stringify(head).slice(0, -1) + ',"backups":'), records, Buffer.from('}')]));
  assert.ok(repo.cli(['status']).stderr === '', 'not taken for damaged');
  const [copied, parsed] = bothWays(repo);
  assert.is(copied, parsed);
  assert.is(copied, before);
});

test.run();
