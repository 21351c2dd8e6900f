// The text table `list` prints: columns as wide as their widest cell, at any number of rows.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { table } from '../../src/commands/format.js';

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

test.run();
