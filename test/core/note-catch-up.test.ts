// Catching a note up with its record: what a process killed between the store write and the note
// append left out comes back, and nothing a note from another clone says is erased.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { applyTransition } from '../../src/core/lifecycle.js';
import { newRecord } from '../../src/core/record.js';
import { formatNoteLine, noteLines, parseNoteLines, type RecordFacts } from '../../src/core/notes-format.js';
import { rebuildRecord } from '../../src/core/rebuild.js';
import { noteCatchUpLines, type NotedBackup } from '../../src/core/note-catch-up.js';
import type { BackupRecord, BackupState } from '../../src/core/types.js';

const PENDING_SHA = 'a'.repeat(40);
const MERGE_SHA = 'b'.repeat(40);

function created(): BackupRecord {
  return newRecord({
    id: '20261121-100000-3fa9', created_at: new Date('2026-11-21T10:00:00.000Z'), message: 'm', branch: 'feature',
    base: 'c'.repeat(40), snapshot: '3fa9' + '0'.repeat(36), paths: [], files: 1, bytes: 10, include_ignored: false, worktree: '/w',
  });
}

/** Move r to `to` at `at` (with facts), returning the note line that move writes. */
function move(r: BackupRecord, to: BackupState, at: string, facts?: RecordFacts): string {
  const entry = { at, from: r.state, to, trigger: 'GIT_HOOK' as const, reason: 'test', forced: false };
  applyTransition(r, entry);
  if (facts?.pending_commit) r.pending_commit = facts.pending_commit;
  if (facts?.confirmed_by) r.confirmed_by = facts.confirmed_by;
  return noteLines(r, entry, facts);
}

function noted(lines: string[]): NotedBackup {
  const { events } = parseNoteLines(lines.join('\n') + '\n');
  return { events, record: rebuildRecord(events) };
}

const NOW = '2026-11-22T00:00:00.000Z';

test('a complete note needs nothing', () => {
  const r = created();
  const lines = [noteLines(r, r.history[0]!)];
  lines.push(move(r, 'PENDING', '2026-11-21T11:00:00.000Z', { pending_commit: PENDING_SHA }));
  assert.equal(noteCatchUpLines(r, noted(lines), NOW), []);
});

test('the transition a killed process did not note comes back, with its facts', () => {
  const r = created();
  const lines = [noteLines(r, r.history[0]!)];
  lines.push(move(r, 'PENDING', '2026-11-21T11:00:00.000Z', { pending_commit: PENDING_SHA }));
  move(r, 'CONFIRMED', '2026-11-21T12:00:00.000Z', { confirmed_by: MERGE_SHA }); // written to db.json only
  const extra = noteCatchUpLines(r, noted(lines), NOW);
  assert.is(extra.length, 1);
  const rebuilt = noted([...lines, ...extra]).record;
  assert.is(rebuilt.state, 'CONFIRMED');
  assert.is(rebuilt.confirmed_by, MERGE_SHA);
  assert.equal(rebuilt.history.map((e) => e.to), r.history.map((e) => e.to));
  assert.equal(noteCatchUpLines(r, noted([...lines, ...extra]), NOW), [], 'caught up: nothing more');
});

test('a missing note is written whole', () => {
  const r = created();
  move(r, 'PENDING', '2026-11-21T11:00:00.000Z', { pending_commit: PENDING_SHA });
  const lines = noteCatchUpLines(r, undefined, NOW);
  assert.is(lines.length, 2);
  const rebuilt = noted(lines).record;
  assert.is(rebuilt.state, 'PENDING');
  assert.is(rebuilt.pending_commit, PENDING_SHA);
});

test('a pin and a remapped pending commit only in db.json are caught up when the index is newer', () => {
  const r = created();
  const lines = [noteLines(r, r.history[0]!)];
  lines.push(move(r, 'PENDING', '2026-11-21T11:00:00.000Z', { pending_commit: PENDING_SHA }));
  r.pinned = true;
  r.pending_commit = 'd'.repeat(40); // an amend followed in db.json
  r.updated_at = '2026-11-21T13:00:00.000Z';
  const extra = noteCatchUpLines(r, noted(lines), NOW);
  assert.equal(extra, [
    formatNoteLine(NOW, { event: 'pin', id: r.id }),
    formatNoteLine(NOW, { event: 'facts', id: r.id, facts: { pending_commit: 'd'.repeat(40) } }),
  ]);
  const rebuilt = noted([...lines, ...extra]).record;
  assert.is(rebuilt.pinned, true);
  assert.is(rebuilt.pending_commit, 'd'.repeat(40));
});

test('a note newer than the index (another clone unpinned or confirmed) is left as it is', () => {
  const r = created();
  r.pinned = true;
  const lines = [noteLines(r, r.history[0]!)];
  const other = structuredClone(r);
  lines.push(formatNoteLine('2026-11-21T15:00:00.000Z', { event: 'unpin', id: r.id }));
  lines.push(move(other, 'PENDING', '2026-11-21T16:00:00.000Z', { pending_commit: PENDING_SHA }));
  // The local index never saw either event: it is still CREATED and pinned, older than the note.
  assert.equal(noteCatchUpLines(r, noted(lines), NOW), []);
});

test('a fact the index lacks is never erased', () => {
  const r = created();
  const lines = [noteLines(r, r.history[0]!)];
  lines.push(move(r, 'PENDING', '2026-11-21T11:00:00.000Z', { pending_commit: PENDING_SHA }));
  const local = structuredClone(r);
  local.pending_commit = null;
  local.updated_at = '2026-11-21T20:00:00.000Z';
  assert.equal(noteCatchUpLines(local, noted(lines), NOW), []);
});

test.run();
