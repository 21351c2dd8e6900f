import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { byKeyDescending, queryBackups, parseState, parseSort, parseLimit, summarize, DEFAULT_QUERY } from '../../src/core/query.js';
import { newRecord } from '../../src/core/record.js';
import type { BackupRecord, BackupState } from '../../src/core/types.js';
import { BackupError, ExitCode } from '../../src/errors.js';

function mk(id: string, state: BackupState, created: string, bytes: number, confidence: number | null, pinned = false): BackupRecord {
  const r = newRecord({
    id, created_at: created, message: id, branch: 'main', base: null, snapshot: 'a'.repeat(40), paths: [],
    files: 1, bytes, include_ignored: false, worktree: '/w', pinned,
  });
  r.state = state;
  r.confidence = confidence;
  return r;
}

const RECORDS = [
  mk('20261101-000000-aaaa', 'CREATED', '2026-11-01T00:00:00.000Z', 100, null),
  mk('20261102-000000-bbbb', 'PENDING', '2026-11-02T00:00:00.000Z', 500, 0.2, true),
  mk('20261103-000000-cccc', 'CONFIRMED', '2026-11-03T00:00:00.000Z', 500, 0.9),
  mk('20261104-000000-dddd', 'CLEANABLE', '2026-11-04T00:00:00.000Z', 50, 0.9),
  mk('20261105-000000-eeee', 'ARCHIVED', '2026-11-05T00:00:00.000Z', 10, 0),
  mk('20261106-000000-ffff', 'DELETED', '2026-11-06T00:00:00.000Z', 9999, 1),
  mk('20261103-000000-0000', 'CONFIRMED', '2026-11-03T00:00:00.000Z', 1, null),
];
const ids = (rs: BackupRecord[]) => rs.map((r) => r.id.slice(0, 8) + r.id.slice(-4));

test('default: every state but DELETED, newest first, ties by id', () => {
  const got = queryBackups(RECORDS, DEFAULT_QUERY);
  assert.equal(ids(got), ['20261105eeee', '20261104dddd', '202611030000', '20261103cccc', '20261102bbbb', '20261101aaaa']);
});

test('state filter, including DELETED tombstones on request', () => {
  assert.equal(ids(queryBackups(RECORDS, { states: ['DELETED'], sort: 'age', limit: null })), ['20261106ffff']);
  assert.equal(ids(queryBackups(RECORDS, { states: ['CONFIRMED', 'CREATED', 'CONFIRMED'], sort: 'age', limit: null })), ['202611030000', '20261103cccc', '20261101aaaa']);
  assert.equal(queryBackups(RECORDS, { states: ['PENDING'], sort: 'size', limit: 0 }), []);
});

test('sort size: bytes descending, ties by id', () => {
  assert.equal(ids(queryBackups(RECORDS, { states: [], sort: 'size', limit: null })), ['20261102bbbb', '20261103cccc', '20261101aaaa', '20261104dddd', '20261105eeee', '202611030000']);
});

test('sort confidence: descending, null last, 0 before null', () => {
  assert.equal(ids(queryBackups(RECORDS, { states: [], sort: 'confidence', limit: null })), ['20261103cccc', '20261104dddd', '20261102bbbb', '20261105eeee', '20261101aaaa', '202611030000']);
});

test('limit after sort; input untouched', () => {
  const before = RECORDS.map((r) => r.id);
  assert.equal(ids(queryBackups(RECORDS, { states: [], sort: 'size', limit: 2 })), ['20261102bbbb', '20261103cccc']);
  assert.equal(RECORDS.map((r) => r.id), before);
  assert.throws(() => queryBackups(RECORDS, { states: [], sort: 'age', limit: -1 }), (e: unknown) => e instanceof BackupError && e.exitCode === ExitCode.USAGE);
});

test('byKeyDescending: the same order whether the input comes oldest first (reversed, not sorted), newest first or shuffled; ties by id', () => {
  const rows = [
    { id: 'a1', k: 1 }, { id: 'a2', k: 2 }, { id: 'b2', k: 2 }, { id: 'a3', k: 3 }, { id: 'a5', k: 5 }, { id: 'x', k: -Infinity },
  ];
  const expected = ['a5', 'a3', 'a2', 'b2', 'a1', 'x'];
  const ids = (input: typeof rows) => byKeyDescending(input, (r) => r.k).map((r) => r.id);
  assert.equal(ids([...rows]), expected, 'not ascending (a tie and a -Infinity): sorted');
  const strictlyAscending = [rows[5]!, rows[0]!, rows[2]!, rows[1]!, rows[3]!, rows[4]!]; // ties: b2 before a2, so reversed is a2 … b2
  assert.equal(ids(strictlyAscending), expected, 'oldest first: reversed');
  assert.equal(ids([rows[4]!, rows[3]!, rows[1]!, rows[2]!, rows[0]!, rows[5]!]), expected);
  const input = [...strictlyAscending];
  byKeyDescending(input, (r) => r.k);
  assert.equal(input, strictlyAscending, 'input untouched');
});

test('parseState / parseSort / parseLimit', () => {
  assert.is(parseState('cleanable'), 'CLEANABLE');
  assert.is(parseState('Deleted'), 'DELETED');
  try {
    parseState('gone');
    assert.unreachable();
  } catch (e) {
    assert.ok(e instanceof BackupError && e.exitCode === ExitCode.USAGE);
    assert.match((e as Error).message, /unknown state "gone"; states are CREATED, PENDING, CONFIRMED, CLEANABLE, ARCHIVED, DELETED/);
  }
  assert.throws(() => parseState('CREATED\n'.repeat(2)));
  assert.is(parseSort('Size'), 'size');
  assert.throws(() => parseSort('name'), (e: unknown) => e instanceof BackupError && e.exitCode === ExitCode.USAGE);
  assert.is(parseLimit('10'), 10);
  for (const bad of ['-1', '1.5', 'ten', '', '1e3']) assert.throws(() => parseLimit(bad), bad);
});

test('summarize: all six states, live bytes, totals', () => {
  const s = summarize(RECORDS);
  assert.equal(s.counts, { CREATED: 1, PENDING: 1, CONFIRMED: 2, CLEANABLE: 1, ARCHIVED: 1, DELETED: 1 });
  assert.is(s.total, 7);
  assert.is(s.live, 6);
  assert.is(s.bytes, 100 + 500 + 500 + 50 + 10 + 1);
  assert.is(s.pinned, 1);
  assert.equal(summarize([]), { counts: { CREATED: 0, PENDING: 0, CONFIRMED: 0, CLEANABLE: 0, ARCHIVED: 0, DELETED: 0 }, total: 0, live: 0, bytes: 0, pinned: 0 });
});

test.run();
