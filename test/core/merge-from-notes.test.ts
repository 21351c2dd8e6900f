// mergeFromNotes: the note wins for what it carries; what only the index keeps stays (issue 8).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { newRecord } from '../../src/core/record.js';
import { applyTransition } from '../../src/core/lifecycle.js';
import { mergeFromNotes } from '../../src/core/rebuild.js';
import { linesToCatchUp, noteBehind } from '../../src/core/note-catch-up.js';
import { parseNoteLines } from '../../src/core/notes-format.js';
import type { BackupRecord, BackupState } from '../../src/core/types.js';

function rec(): BackupRecord {
  return newRecord({ id: '20261121-103000-ab12', created_at: '2026-11-21T10:30:00.000Z', message: 'm', branch: 'f', base: 'b'.repeat(40), snapshot: 'a'.repeat(40), paths: [], files: 1, bytes: 2, include_ignored: false, worktree: '/w' });
}
function move(r: BackupRecord, to: BackupState, at: string): BackupRecord {
  applyTransition(r, { at, from: r.state, to, trigger: 'USER', reason: 'r', forced: false });
  return r;
}

test('the note brings a state the index had not reached; index-only fields stay', () => {
  const indexed = rec();
  indexed.accessed_at = '2026-11-22T00:00:00.000Z';
  indexed.base_successor = { commit: 'c'.repeat(40), amended: true };
  const noted = move(rec(), 'CLEANABLE', '2026-11-21T11:00:00.000Z');
  const m = mergeFromNotes(indexed, noted);
  assert.is(m.state, 'CLEANABLE');
  assert.equal(m.history.map((h) => h.to), ['CREATED', 'CLEANABLE']);
  assert.is(m.accessed_at, '2026-11-22T00:00:00.000Z');
  assert.equal(m.base_successor, { commit: 'c'.repeat(40), amended: true });
});

test('in the same state the index keeps a pending commit it remapped after a rebase', () => {
  const indexed = move(rec(), 'PENDING', '2026-11-21T11:00:00.000Z');
  indexed.pending_commit = 'e'.repeat(40);
  const noted = move(rec(), 'PENDING', '2026-11-21T11:00:00.000Z');
  noted.pending_commit = 'd'.repeat(40);
  noted.pinned = true;
  const m = mergeFromNotes(indexed, noted);
  assert.is(m.pending_commit, 'e'.repeat(40));
  assert.is(m.pinned, true, 'a pin from the notes (another clone) is taken');
});

test('a DELETED note gives the record its tombstone', () => {
  const indexed = move(move(rec(), 'CLEANABLE', '2026-11-21T11:00:00.000Z'), 'ARCHIVED', '2026-11-21T12:00:00.000Z');
  const noted = move(move(move(rec(), 'CLEANABLE', '2026-11-21T11:00:00.000Z'), 'ARCHIVED', '2026-11-21T12:00:00.000Z'), 'DELETED', '2026-11-21T13:00:00.000Z');
  const m = mergeFromNotes(indexed, noted);
  assert.is(m.state, 'DELETED');
  assert.is(m.tombstone?.deleted_at, '2026-11-21T13:00:00.000Z');
  assert.is(m.updated_at, '2026-11-21T13:00:00.000Z');
});

test('a note behind the kept record (a notes ref moved back): told apart from one ahead or aside', () => {
  const kept = move(move(rec(), 'CLEANABLE', '2026-11-21T11:00:00.000Z'), 'ARCHIVED', '2026-11-21T12:00:00.000Z');
  kept.archive = { path: 'archive/x.tar.gz', sha256: 'f'.repeat(64), bytes: 10, created_at: '2026-11-21T12:00:00.000Z', manifest_sha256: 'e'.repeat(64), files: 1 };
  const older = rec();
  assert.ok(noteBehind(kept, older));
  assert.not.ok(noteBehind(kept, structuredClone(kept)), 'the same history is not behind');
  assert.not.ok(noteBehind(older, kept), 'a note ahead is not behind');
  const aside = move(rec(), 'DELETED', '2026-11-21T11:30:00.000Z');
  assert.not.ok(noteBehind(kept, aside), 'a note that went another way is not a prefix');
  const lines = linesToCatchUp(kept, older);
  assert.is(lines.length, 2);
  const events = parseNoteLines(lines.join('\n')).events;
  assert.equal(events.map((e) => ('to' in e.event ? e.event.to : e.event.event)), ['CLEANABLE', 'ARCHIVED']);
  assert.match(lines[1]!, /"archive":\{"path":"archive\/x.tar.gz"/, 'the archive goes with the ARCHIVED step');
});

test.run();
