// status --prometheus's rendering (core/metrics.ts): pure, read back by a strict reader of the format
// (test/helpers/prometheus.ts; the core stays free of processes: cli/status-prometheus runs the real promtool), and the transition counter.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { countTransitions, renderPrometheus, type MetricsInput } from '../../src/core/metrics.js';
import { parseExposition } from '../helpers/prometheus.js';

const input = (over: Partial<MetricsInput> = {}): MetricsInput => ({
  states: { CREATED: 3, PENDING: 1, CONFIRMED: 0, CLEANABLE: 2, ARCHIVED: 1, DELETED: 7 },
  bytes: { CREATED: 1_500, PENDING: 20, CLEANABLE: 5 },
  archiveBytes: 4_096,
  pinned: 1,
  eventsWaiting: 2,
  degraded: false,
  stats: {},
  ...over,
});

test('every series, in the format, with the numbers given', () => {
  const stats = countTransitions(countTransitions(countTransitions(undefined, 'USER', 'applied', 2), 'TIME_BASED', 'failed', 1), 'USER', 'applied', 3);
  const m = parseExposition(
    renderPrometheus(input({ stats: { ...stats, drain: { at: '2026-12-01T10:00:00.000Z', ok: true }, tick: { at: '2026-12-01T11:00:00.500Z', ok: false, detail: 'x' } } })),
  );
  assert.is(m.get('git_backup_backups{state="CREATED"}'), 3);
  assert.is(m.get('git_backup_backups{state="DELETED"}'), 7);
  assert.is(m.get('git_backup_protected_bytes{state="CREATED"}'), 1_500);
  assert.is(m.get('git_backup_protected_bytes{state="CONFIRMED"}'), 0, 'every live state, zero too');
  assert.not.ok(m.has('git_backup_protected_bytes{state="DELETED"}'), 'a tombstone protects nothing');
  assert.is(m.get('git_backup_archive_bytes{}'), 4_096);
  assert.is(m.get('git_backup_hook_events_waiting{}'), 2);
  assert.is(m.get('git_backup_last_run_timestamp_seconds{job="drain"}'), Date.UTC(2026, 11, 1, 10) / 1000);
  assert.is(m.get('git_backup_last_run_success{job="drain"}'), 1);
  assert.is(m.get('git_backup_last_run_success{job="tick"}'), 0);
  assert.is(m.get('git_backup_transitions_total{result="applied",trigger="USER"}'), 5);
  assert.is(m.get('git_backup_transitions_total{result="failed",trigger="TIME_BASED"}'), 1);
  assert.is(m.get('git_backup_transitions_total{result="applied",trigger="GIT_HOOK"}'), 0, 'every trigger and result, zero too');
  assert.is([...m.keys()].filter((k) => k.startsWith('git_backup_transitions_total')).length, 8);
});

test('a store that never drained nor ticked: the families are there, without samples', () => {
  const text = renderPrometheus(input());
  const m = parseExposition(text);
  assert.match(text, /# TYPE git_backup_last_run_timestamp_seconds gauge\n/);
  assert.not.ok([...m.keys()].some((k) => k.startsWith('git_backup_last_run')));
});

test('countTransitions: only grows, and leaves the rest of the stats alone', () => {
  const s = countTransitions({ tick: { at: 'x', ok: true } }, 'GIT_HOOK', 'applied', 0);
  assert.equal(s, { tick: { at: 'x', ok: true }, transitions: {} });
  assert.equal(countTransitions(s, 'GIT_HOOK', 'applied', 4).transitions, { 'GIT_HOOK:applied': 4 });
});

test('the reader is strict: it refuses what promtool refuses', () => {
  const good = '# HELP a_total x\n# TYPE a_total counter\na_total{k="v"} 1\n';
  assert.ok(parseExposition(good));
  const bad = [
    '# TYPE a_total counter\na_total 1', // no final newline
    '# TYPE a counter\na 1\n', // a counter not named _total
    '# TYPE a gauge\n# TYPE a gauge\na 1\n', // two TYPEs
    '# TYPE a gauge\na{k="v"} 1\na{k="v"} 2\n', // the same series twice
    '# TYPE a gauge\na{k="v} 1\n', // unterminated value
    '# TYPE a gauge\na{k="\\t"} 1\n', // bad escape
    '# TYPE a gauge\na{__k="v"} 1\n', // reserved label name
    '# TYPE a gauge\na{1k="v"} 1\n', // bad label name
    '# TYPE a gauge\na one\n', // bad value
    'b 1\n', // no TYPE
    '# TYPE a gauge\n# TYPE b gauge\na 1\nb 1\na 2\n', // a family's samples apart
    '# TYPE 1a gauge\n', // bad metric name
  ];
  for (const t of bad) assert.throws(() => parseExposition(t), undefined, JSON.stringify(t));
  // A label value with a quote, a backslash and a newline goes through escaped.
  assert.equal([...parseExposition('# TYPE a gauge\na{k="q\\"b\\\\n\\n"} 1\n').keys()], ['a{k="q\\"b\\\\n\\n"}']);
});

test.run();
