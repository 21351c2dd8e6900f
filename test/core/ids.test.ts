import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatId, chooseId, validateIdArgument, resolveId } from '../../src/core/ids.js';
import { BackupError, ExitCode } from '../../src/errors.js';

const AT = new Date('2026-11-21T20:27:07.123Z');
const SHA = '3fa9c0de' + '0'.repeat(32);

function code(fn: () => unknown): number | null {
  try {
    fn();
    return null;
  } catch (e) {
    if (e instanceof BackupError) return e.exitCode;
    throw e;
  }
}
function message(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof Error) return e.message;
  }
  return '';
}

test('formatId: UTC time, then lowercase hex of the sha', () => {
  assert.is(formatId(AT, SHA), '20261121-202707-3fa9');
  assert.is(formatId(AT, SHA.toUpperCase(), 6), '20261121-202707-3fa9c0');
  // UTC, not local time: a date whose local day differs still gets its UTC day
  assert.is(formatId(new Date('2026-01-01T00:00:00+05:00'), SHA), '20251231-190000-3fa9');
  assert.is(formatId(AT, 'b'.repeat(64), 5), '20261121-202707-bbbbb'); // SHA-256 repositories
  assert.throws(() => formatId(AT, 'xyz'));
  assert.throws(() => formatId(AT, SHA, 3));
  assert.throws(() => formatId(new Date('nope'), SHA));
});

test('chooseId: 4 hex when free, grows on collision in the same second', () => {
  assert.is(chooseId(AT, SHA, new Set()), '20261121-202707-3fa9');
  assert.is(chooseId(AT, SHA, new Set(['20261121-202707-3fa9'])), '20261121-202707-3fa9c');
  assert.is(chooseId(AT, SHA, new Set(['20261121-202707-3fa9', '20261121-202707-3fa9c'])), '20261121-202707-3fa9c0');
  // another second never collides
  assert.is(chooseId(AT, SHA, new Set(['20261121-202708-3fa9'])), '20261121-202707-3fa9');
});

test('chooseId: never a prefix of an existing id (so short ids stay unambiguous)', () => {
  // an older id grew to 5 hex; a new 4-hex id would be a prefix of it
  assert.is(chooseId(AT, SHA, new Set(['20261121-202707-3fa9e'])), '20261121-202707-3fa9c');
  // an existing id that is a prefix of every candidate cannot be avoided and is harmless
  const id = chooseId(AT, SHA, new Set(['20261121-202707-3fa9']));
  assert.is(resolveId(id, ['20261121-202707-3fa9', id]), id);
  assert.is(resolveId('20261121-202707-3fa9', ['20261121-202707-3fa9', id]), '20261121-202707-3fa9');
});

test('chooseId: predicate form', () => {
  const taken = new Set(['20261121-202707-3fa9', '20261121-202707-3fa9c']);
  assert.is(chooseId(AT, SHA, (id) => taken.has(id)), '20261121-202707-3fa9c0');
  assert.throws(() => chooseId(AT, SHA, () => true), /no free id/);
});

test('validateIdArgument accepts ids and prefixes of 8+ characters', () => {
  for (const ok of ['20261121', '20261121-', '20261121-2027', '20261121-202707', '20261121-202707-', '20261121-202707-3fa9', '20261121-202707-3fa9c0de'])
    assert.not.throws(() => validateIdArgument(ok), ok);
});

test('validateIdArgument rejects junk with USAGE and a one-line message', () => {
  const bad = ['../x', 'a\nb', '20261121\u0000', '2026112', '', '20261121 ', ' 20261121', '20261121-202707-3FA9', '20261121-20-ab',
    '20261121-202707-3fa9/../..', '20261121-202707-' + 'a'.repeat(65), 'HEAD', '-20261121', '20261121-202707-3fa9\n', '２０２６１１２１'];
  for (const b of bad) {
    assert.is(code(() => validateIdArgument(b)), ExitCode.USAGE, JSON.stringify(b));
    const m = message(() => validateIdArgument(b));
    assert.not.match(m, /[\n\r\u0000]/, JSON.stringify(b));
    assert.ok(m.includes(JSON.stringify(b)), m);
  }
  assert.match(message(() => validateIdArgument('2026')), /too short/);
});

const IDS = ['20261121-202707-3fa9', '20261121-202707-3fb0', '20261121-210000-aaaa', '20261122-080000-bbbb', '20261122-080001-cccc', '20261122-080002-dddd', '20261122-080003-eeee'];

test('resolveId: exact, unique prefix', () => {
  assert.is(resolveId('20261121-202707-3fa9', IDS), '20261121-202707-3fa9');
  assert.is(resolveId('20261121-202707-3fa', IDS), '20261121-202707-3fa9');
  assert.is(resolveId('20261121-21', IDS), '20261121-210000-aaaa');
});

test('resolveId: ambiguous is USAGE listing matches; none is NOT_FOUND', () => {
  assert.is(code(() => resolveId('20261121-202707', IDS)), ExitCode.USAGE);
  assert.match(message(() => resolveId('20261121-202707', IDS)), /ambiguous id prefix "20261121-202707" matches 20261121-202707-3fa9, 20261121-202707-3fb0; give more/);
  assert.match(message(() => resolveId('20261122', IDS)), /matches 20261122-080000-bbbb, 20261122-080001-cccc, 20261122-080002-dddd \(and 1 more\)/);
  assert.is(code(() => resolveId('20261123', IDS)), ExitCode.NOT_FOUND);
  assert.match(message(() => resolveId('20261123', IDS)), /no backup "20261123"; see git backup list/);
  assert.is(code(() => resolveId('../etc', IDS)), ExitCode.USAGE);
  assert.is(code(() => resolveId('2026112', IDS)), ExitCode.USAGE);
});

test.run();
