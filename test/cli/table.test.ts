// The text table `list` prints: columns as wide as their widest cell, at any number of rows.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ListTable, table } from '../../src/commands/format.js';
import { newRecord } from '../../src/core/record.js';
import type { BackupRecord } from '../../src/core/types.js';

const NOW = new Date('2026-12-04T12:00:00.000Z');
function rec(i: number, over: { branch?: string | null; origin?: string; files?: number; message?: string } = {}): BackupRecord {
  return newRecord({
    id: `20261204-${String(100000 + i).slice(-6)}-abcd`,
    created_at: new Date(NOW.getTime() - (i + 1) * 60_000),
    message: over.message ?? `m${i}`,
    branch: over.branch === undefined ? 'main' : over.branch,
    base: null,
    snapshot: 'a'.repeat(40),
    paths: [],
    files: over.files ?? 1,
    bytes: 30,
    include_ignored: false,
    worktree: '.',
    ...(over.origin ? { origin: over.origin } : {}),
  });
}
const text = (t: ListTable) => [...t.pieces()].join('');

test('columns padded to their widest cell, the last one not padded', () => {
  assert.is(table([['ID', 'STATE', 'MESSAGE'], ['a', 'CREATED', 'x'], ['bbb', 'DELETED', 'longer message']]), 'ID   STATE    MESSAGE\na    CREATED  x\nbbb  DELETED  longer message');
  assert.is(table([]), '');
});

test('a million rows (list --state DELETED over a year of backups) do not overflow the stack (scale campaign: it crashed above ~125,000)', () => {
  const rows = Array.from({ length: 1_000_000 }, (_, i) => [`id-${i}`, 'DELETED', 'm']);
  const out = table(rows);
  assert.is(out.split('\n').length, 1_000_000);
  assert.ok(out.startsWith('id-0       DELETED  m\n'));
});

test('list table: a wider cell in a later part widens the column for every row; ORIGIN shown once any part has another clone\'s', () => {
  const first = [rec(0), rec(1, { branch: null })];
  const later = [rec(2, { branch: 'feature/a-long-branch-name', files: 12345, origin: 'other-clone' }), rec(3, { origin: 'here-clone' })];
  const t = new ListTable(NOW);
  t.add(first, undefined);
  t.add(later, 'here-clone');
  assert.is(
    text(t),
    [
      'ID                    STATE    AGE  FILES  SIZE  BRANCH                      ORIGIN       MESSAGE',
      '20261204-100000-abcd  CREATED  1m   1      30 B  main                        (here)       m0',
      '20261204-100001-abcd  CREATED  2m   1      30 B  (detached)                  (here)       m1',
      '20261204-100002-abcd  CREATED  3m   12345  30 B  feature/a-long-branch-name  other-clone  m2',
      '20261204-100003-abcd  CREATED  4m   1      30 B  main                        (here)       m3',
    ].join('\n'),
  );
  const mine = new ListTable(NOW);
  mine.add([rec(0, { origin: 'here-clone' })], 'here-clone');
  assert.is(text(mine), 'ID                    STATE    AGE  FILES  SIZE  BRANCH  MESSAGE\n20261204-100000-abcd  CREATED  1m   1      30 B  main    m0');
});

test('list table: labels in brackets after the message (they were shown only without one)', () => {
  const t = new ListTable(NOW);
  const labelled = { ...rec(0, { message: 'before refactor' }), labels: ['run:1a2b', 'agent'] };
  const bare = { ...rec(1, { message: '' }), labels: ['undo-point'] };
  t.add([labelled, bare, rec(2)], undefined);
  const lines = text(t).split('\n');
  assert.ok(lines[1]!.endsWith('  before refactor [run:1a2b] [agent]'), lines[1]);
  assert.ok(lines[2]!.endsWith('  [undo-point]'), lines[2]);
  assert.ok(lines[3]!.endsWith('  m2'), lines[3]);
});

test('list table: a NUL in a cell (a record edited by hand) is printed as it is, as the table before ListTable printed it: same bytes, same columns', () => {
  const t = new ListTable(NOW);
  t.add([rec(0, { message: 'a\u0000b' }), rec(1, { branch: 'x\u0000y', origin: 'o\u0000', message: '\u0000' }), rec(2, { message: 'c' })], 'here-clone');
  assert.is(
    text(t),
    [
      'ID                    STATE    AGE  FILES  SIZE  BRANCH  ORIGIN  MESSAGE',
      '20261204-100000-abcd  CREATED  1m   1      30 B  main    (here)  a\u0000b',
      '20261204-100001-abcd  CREATED  2m   1      30 B  x\u0000y     o\u0000      \u0000',
      '20261204-100002-abcd  CREATED  3m   1      30 B  main    (here)  c',
    ].join('\n'),
  );
  // A record whose id is empty (edited by hand) still has its columns.
  const e = new ListTable(NOW);
  e.add([{ ...rec(0, { message: 'm' }), id: '' }], undefined);
  assert.is(text(e).split('\n')[1], '    CREATED  1m   1      30 B  main    m');
});

test('list table: added in parts, the text in pieces is the text added at once (5,000 rows)', () => {
  const records = Array.from({ length: 5000 }, (_, i) => rec(i, { files: i, message: i % 7 ? `m${i}` : '' }));
  const whole = new ListTable(NOW);
  whole.add(records, undefined);
  const parts = new ListTable(NOW);
  for (let i = 0; i < records.length; i += 999) parts.add(records.slice(i, i + 999), undefined);
  const pieces = [...parts.pieces()];
  assert.ok(pieces.length > 1, 'printed in more than one piece');
  assert.is(pieces.join(''), text(whole));
  const lines = pieces.join('').split('\n');
  assert.is(lines.length, 5001);
  assert.is(lines[4999], '20261204-104998-abcd  CREATED  3d   4998   30 B  main    ', 'no message, no labels: an empty last cell');
  assert.ok(lines.every((l) => l.indexOf('STATE') === 22 || l.indexOf('CREATED') === 22), 'one column layout');
});

test.run();
