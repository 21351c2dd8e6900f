// The backup remote's facts in the notes (docs/remote.md): a creation line names its clone (origin)
// only when it has one, so older lines keep their bytes (cat_sort_uniq); a copies line replays into
// the record and survives mergeFromNotes; copiesProve is the backup.copies rule; isForeign tells
// another clone's backup from this one's.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isForeign, newRecord } from '../../src/core/record.js';
import { createdEvent, formatNoteLine, noteLines, parseNoteLines } from '../../src/core/notes-format.js';
import { mergeFromNotes, rebuildRecord } from '../../src/core/rebuild.js';
import { copiesProve } from '../../src/core/policies/plan.js';
import type { RemoteCopy } from '../../src/core/types.js';

const input = {
  id: '20261202-101010-abcd', created_at: '2026-12-02T10:10:10.000Z', message: 'm', branch: 'main', base: 'b'.repeat(40),
  snapshot: 'abcd' + '0'.repeat(36), paths: [], files: 1, bytes: 2, include_ignored: false, worktree: '.',
};
const copy = (remote: string, kind: RemoteCopy['kind'] = 'snapshot'): RemoteCopy => ({ remote, at: '2026-12-02T11:00:00.000Z', kind, oid: 'c'.repeat(40) });

test('a creation line carries origin only when set; without it the bytes are what older versions wrote', () => {
  const plain = newRecord(input);
  const line = noteLines(plain, plain.history[0]!);
  assert.not.match(line, /origin/);
  assert.ok(line.endsWith('"trigger":"USER","reason":"created"}'), line);
  const mine = newRecord({ ...input, origin: 'laptop-1a2b' });
  const withOrigin = noteLines(mine, mine.history[0]!);
  assert.match(withOrigin, /"origin":"laptop-1a2b"\}$/);
  const rebuilt = rebuildRecord(parseNoteLines(withOrigin).events);
  assert.is(rebuilt.origin, 'laptop-1a2b');
  assert.is(rebuilt.worktree, '.');
  assert.equal(createdEvent(rebuilt).origin, 'laptop-1a2b');
});

test('a copies facts line replays into the record, a later one replaces it, and the index takes it from the note', () => {
  const r = newRecord({ ...input, origin: 'a' });
  const text = [
    noteLines(r, r.history[0]!),
    formatNoteLine('2026-12-02T11:00:00.000Z', { event: 'facts', id: r.id, facts: { copies: [copy('backup')] } }),
    formatNoteLine('2026-12-02T12:00:00.000Z', { event: 'facts', id: r.id, facts: { copies: [copy('backup'), copy('nas', 'archive')] } }),
  ].join('\n');
  const { events, skipped } = parseNoteLines(text);
  assert.equal(skipped, []);
  const noted = rebuildRecord(events);
  assert.equal(noted.copies?.map((c) => `${c.remote}/${c.kind}`), ['backup/snapshot', 'nas/archive']);
  const merged = mergeFromNotes(newRecord({ ...input }), noted);
  assert.is(merged.copies?.length, 2);
  assert.is(merged.origin, 'a');
  const bad = parseNoteLines(formatNoteLine('2026-12-02T11:00:00.000Z', { event: 'facts', id: r.id, facts: {} }).replace('{}', '{"copies":[{"remote":1}]}'));
  assert.is(bad.skipped[0]?.why, 'bad copies');
});

test('copiesProve: off at 0; counts distinct remotes', () => {
  assert.not.ok(copiesProve({ copies: [copy('backup')] }, 0));
  assert.not.ok(copiesProve({ copies: [] }, 1));
  assert.not.ok(copiesProve({}, 1));
  assert.ok(copiesProve({ copies: [copy('backup')] }, 1));
  assert.not.ok(copiesProve({ copies: [copy('backup'), copy('backup', 'archive')] }, 2), 'two kinds on one remote are one copy');
  assert.ok(copiesProve({ copies: [copy('backup'), copy('nas')] }, 2));
});

test('isForeign: a record without origin is this clone\'s', () => {
  assert.not.ok(isForeign({}, 'me'));
  assert.not.ok(isForeign({ origin: null }, 'me'));
  assert.not.ok(isForeign({ origin: 'me' }, 'me'));
  assert.ok(isForeign({ origin: 'other' }, 'me'));
});

test.run();
