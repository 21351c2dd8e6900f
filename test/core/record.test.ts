import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decideTransition, applyTransition } from '../../src/core/lifecycle.js';
import type { TransitionRequest } from '../../src/core/lifecycle.js';
import { encodeRecord, newRecord, toPublicJson, isoTime, STORE_ONLY_FROM } from '../../src/core/record.js';
import { noteLines, formatNoteLine, parseNoteLines } from '../../src/core/notes-format.js';
import { rebuildRecord } from '../../src/core/rebuild.js';
import type { RecordFacts } from '../../src/core/notes-format.js';
import type { BackupRecord } from '../../src/core/types.js';
import { BackupError, ExitCode } from '../../src/errors.js';

const base = () =>
  newRecord({
    id: '20261121-202707-3fa9',
    created_at: new Date('2026-11-21T20:27:07.123Z'),
    message: 'before codemod\nsecond line "quoted"',
    branch: 'feature/x',
    base: 'c'.repeat(40),
    snapshot: '3fa9' + '0'.repeat(36),
    paths: ['src', 'a b.txt'],
    files: 12,
    bytes: 3456,
    include_ignored: true,
    worktree: '/work/repo',
    labels: ['codemod'],
  });

test('newRecord: CREATED with a creation history entry', () => {
  const r = base();
  assert.is(r.state, 'CREATED');
  assert.is(r.created_at, '2026-11-21T20:27:07.123Z');
  assert.is(r.updated_at, r.created_at);
  assert.equal(r.history, [{ at: r.created_at, from: null, to: 'CREATED', trigger: 'USER', reason: 'created', forced: false }]);
  assert.is(r.pinned, false);
  assert.is(r.tombstone, null);
  const h = newRecord({ ...r, created_at: r.created_at, trigger: 'GIT_HOOK', reason: 'pre-rebase', pinned: true });
  assert.equal(h.history[0], { at: r.created_at, from: null, to: 'CREATED', trigger: 'GIT_HOOK', reason: 'pre-rebase', forced: false });
  assert.is(h.pinned, true);
});

test('toPublicJson: design.md §Command line fields, a copy, tombstone only when DELETED', () => {
  const r = base();
  const j = toPublicJson(r);
  for (const k of ['id', 'state', 'created_at', 'updated_at', 'message', 'branch', 'base', 'snapshot', 'paths', 'files', 'bytes', 'pinned',
    'labels', 'pending_commit', 'confirmed_by', 'confidence', 'history', 'accessed_at', 'tombstone'])
    assert.ok(k in j, k);
  assert.equal(Object.keys(j.history[0]!), ['at', 'from', 'to', 'trigger', 'reason', 'forced']);
  j.paths.push('x');
  j.history[0]!.reason = 'changed';
  assert.equal(r.paths, ['src', 'a b.txt']);
  assert.is(r.history[0]!.reason, 'created');
  assert.is(j.tombstone, null);
  r.state = 'CLEANABLE';
  applyTransition(r, { at: '2026-11-22T00:00:00.000Z', from: 'CLEANABLE', to: 'DELETED', trigger: 'USER', reason: 'done', forced: false });
  assert.equal(toPublicJson(r).tombstone, { deleted_at: '2026-11-22T00:00:00.000Z', trigger: 'USER', reason: 'done', files: 12, bytes: 3456, paths: ['src', 'a b.txt'] });
});

test('formatNoteLine: fixed-width timestamp, one line, fixed key order', () => {
  const line = formatNoteLine('2026-11-21T20:27:07Z', { event: 'pin', id: 'x' });
  assert.is(line, '2026-11-21T20:27:07.000Z {"event":"pin","id":"x"}');
  const r = base();
  const created = noteLines(r, r.history[0]!);
  assert.not.match(created, /\n/);
  assert.ok(created.startsWith('2026-11-21T20:27:07.123Z {"event":"created","id":"20261121-202707-3fa9",'), created);
  assert.is(isoTime(new Date('0999-01-01T00:00:00Z')).length, 24);
  assert.throws(() => isoTime(new Date('+010000-01-01T00:00:00Z')));
  assert.throws(() => formatNoteLine('garbage', { event: 'pin', id: 'x' }));
});

/** Drive a record through a life, collecting its note lines as the store layer would. */
function live(): { record: BackupRecord; lines: string[] } {
  const r = base();
  const lines = [noteLines(r, r.history[0]!)];
  const step = (req: Omit<TransitionRequest, 'force'> & { force?: boolean }, facts?: RecordFacts) => {
    const d = decideTransition(r, { force: false, ...req });
    if (!d.ok) throw new Error(d.message);
    applyTransition(r, d.entry);
    if (facts) Object.assign(r, facts);
    lines.push(noteLines(r, d.entry, facts));
  };
  const t = (s: string) => new Date(`2026-11-${s}Z`);
  lines.push(formatNoteLine(t('21T20:30:00.000'), { event: 'pin', id: r.id }));
  r.pinned = true;
  step({ to: 'PENDING', trigger: 'GIT_HOOK', reason: 'commit 1234', at: t('21T21:00:00.000') }, { pending_commit: '1234'.padEnd(40, '0') });
  step({ to: 'CONFIRMED', trigger: 'GIT_HOOK', reason: 'merged', at: t('22T09:00:00.000') }, { confirmed_by: '5678'.padEnd(40, '0') });
  lines.push(formatNoteLine(t('23T09:00:00.000'), { event: 'unpin', id: r.id }));
  r.pinned = false;
  lines.push(formatNoteLine(t('23T09:00:01.000'), { event: 'facts', id: r.id, facts: { confidence: 0.75 } }));
  r.confidence = 0.75;
  r.updated_at = '2026-11-23T09:00:01.000Z';
  step({ to: 'CLEANABLE', trigger: 'TIME_BASED', reason: 'retention 14d', at: t('30T00:00:00.000') });
  step({ to: 'DELETED', trigger: 'USER', reason: 'cleanup', at: t('30T12:00:00.000') });
  return { record: r, lines };
}

test('note lines: round trip rebuilds the same record', () => {
  const { record, lines } = live();
  const { events, skipped } = parseNoteLines(lines.join('\n') + '\n');
  assert.equal(skipped, []);
  assert.is(events.length, lines.length);
  const problems: string[] = [];
  const rebuilt = rebuildRecord(events, problems);
  assert.equal(problems, []);
  assert.equal(rebuilt, { ...record, accessed_at: null });
  assert.is(rebuilt.state, 'DELETED');
  assert.ok(rebuilt.tombstone);
  assert.is(rebuilt.message, 'before codemod\nsecond line "quoted"');
});

test('note lines: a note git shows twice (held at two paths of the notes tree) reads as once (review)', () => {
  const { record, lines } = live();
  const once = lines.join('\n') + '\n';
  const problems: string[] = [];
  const { events } = parseNoteLines(`${once}\n${once}`);
  assert.is(events.length, lines.length);
  assert.equal(rebuildRecord(events, problems), { ...record, accessed_at: null });
  assert.equal(problems, [], 'no second creation line, no disagreeing moves');
});

test('note lines: plain byte sort is time order (what cat_sort_uniq produces)', () => {
  const { lines } = live();
  const shuffled = [...lines].reverse();
  const sorted = [...shuffled].sort(); // default sort compares UTF-16 code units; all our prefixes are ASCII
  assert.equal(sorted, lines);
  // merging two clones that both hold the same lines plus one each: duplicates collapse, order holds
  const a = [...lines.slice(0, 4), formatNoteLine('2026-11-22T10:00:00.000Z', { event: 'facts', id: '20261121-202707-3fa9', facts: { confidence: 0.5 } })];
  const b = [...lines];
  const merged = [...new Set([...a, ...b])].sort();
  const { events } = parseNoteLines(merged.join('\n'));
  const times = events.map((e) => e.at);
  assert.equal(times, [...times].sort());
  assert.is(rebuildRecord(events).state, 'DELETED');
});

test('note lines: unparseable lines are skipped and reported, blank lines ignored', () => {
  const { record, lines } = live();
  const text = [
    lines[0],
    '',
    'garbage line',
    '2026-11-21T20:28:00.000Z {not json',
    '2026-11-21T20:28:01.000Z {"event":"from-the-future","id":"20261121-202707-3fa9"}',
    '2026-11-21T20:28:02.000Z {"event":"transition","id":"20261121-202707-3fa9","from":"CREATED","to":"NOPE","trigger":"USER","reason":"","forced":false}',
    ...lines.slice(1),
  ].join('\r\n');
  const { events, skipped } = parseNoteLines(text);
  assert.is(events.length, lines.length);
  assert.equal(skipped.map((s) => s.line), [3, 4, 5, 6]);
  assert.match(skipped[2]!.why, /unknown event/);
  assert.equal(rebuildRecord(events), { ...record, accessed_at: null });
});

test('rebuild: same-millisecond transitions replay in chain order', () => {
  const r = base();
  const id = r.id;
  const at = '2026-11-22T00:00:00.000Z';
  const lines = [
    noteLines(r, r.history[0]!),
    formatNoteLine(at, { event: 'transition', id, from: 'CREATED', to: 'PENDING', trigger: 'GIT_HOOK', reason: 'a', forced: false }),
    formatNoteLine(at, { event: 'transition', id, from: 'PENDING', to: 'CONFIRMED', trigger: 'GIT_HOOK', reason: 'b', forced: false }),
    formatNoteLine(at, { event: 'transition', id, from: 'CONFIRMED', to: 'CLEANABLE', trigger: 'GIT_HOOK', reason: 'c', forced: false }),
  ].sort();
  const problems: string[] = [];
  const rebuilt = rebuildRecord(parseNoteLines(lines.join('\n')).events, problems);
  assert.equal(problems, []);
  assert.equal(rebuilt.history.map((h) => h.to), ['CREATED', 'PENDING', 'CONFIRMED', 'CLEANABLE']);
});

test('rebuild: disagreeing clones are reported; DELETED stays terminal; no creation line is STORE_DAMAGED', () => {
  const r = base();
  const id = r.id;
  const lines = [
    noteLines(r, r.history[0]!),
    formatNoteLine('2026-11-22T00:00:00.000Z', { event: 'transition', id, from: 'CREATED', to: 'CLEANABLE', trigger: 'USER', reason: 'clone a', forced: false }),
    formatNoteLine('2026-11-22T00:00:01.000Z', { event: 'transition', id, from: 'CREATED', to: 'PENDING', trigger: 'GIT_HOOK', reason: 'clone b', forced: false }),
    formatNoteLine('2026-11-23T00:00:00.000Z', { event: 'transition', id, from: 'PENDING', to: 'DELETED', trigger: 'USER', reason: 'gone', forced: true }),
    formatNoteLine('2026-11-24T00:00:00.000Z', { event: 'transition', id, from: 'DELETED', to: 'CREATED', trigger: 'USER', reason: 'zombie', forced: true }),
    formatNoteLine('2026-11-24T00:00:01.000Z', { event: 'pin', id: 'someone-else' }),
  ];
  const problems: string[] = [];
  const rebuilt = rebuildRecord(parseNoteLines(lines.join('\n')).events, problems);
  assert.is(rebuilt.state, 'DELETED');
  assert.is(rebuilt.tombstone!.reason, 'gone');
  assert.is(problems.length, 3, problems.join('\n'));
  assert.match(problems[0]!, /merged notes disagree/);
  try {
    rebuildRecord(parseNoteLines(lines.slice(1).join('\n')).events);
    assert.unreachable();
  } catch (e) {
    assert.ok(e instanceof BackupError && e.exitCode === ExitCode.STORE_DAMAGED);
  }
});

test('encodeRecord: what --json prints, byte for byte, then protects and author, then fields a newer version wrote', () => {
  const plain = base();
  const full: BackupRecord = {
    ...base(),
    labels: ['a', 'ü "q"'],
    archive: { path: '2026/11/x.tar.gz', sha256: 'ab', bytes: 3, files: 1, manifest_sha256: 'cd' } as BackupRecord['archive'],
    base_successor: { commit: 'c'.repeat(40), amended: true },
    copies: [{ remote: 'r', at: '2026-01-01T00:00:00.000Z', kind: 'snapshot', oid: 'd'.repeat(40) }],
    protects: [{ path: 'a.txt', oid: 'e'.repeat(40) }],
    author: 'me@example.com',
    origin: 'host-1a2b',
  };
  const future = { ...base(), later_field: { kept: true } } as BackupRecord;
  for (const r of [plain, full, future]) {
    const text = encodeRecord(r);
    const cut = text.lastIndexOf(STORE_ONLY_FROM);
    assert.ok(cut > 0);
    assert.is(`${text.slice(0, cut)}}`, JSON.stringify(toPublicJson(r)), 'the --json bytes first');
    assert.equal(Object.keys(JSON.parse(text)).slice(-3), r === future ? ['protects', 'author', 'later_field'] : ['copies', 'protects', 'author']);
  }
  assert.equal((JSON.parse(encodeRecord(future)) as Record<string, unknown>).later_field, { kept: true }, 'a field a newer version wrote is kept');
  assert.equal(JSON.parse(encodeRecord(full)).protects, full.protects);
});

test.run();
