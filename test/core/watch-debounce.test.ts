// When `run --watch` takes a checkpoint (core/watch-debounce.ts): pure rules, as tables of times.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { IDLE, WATCH_RULES, changed, dueAt, finished, pollingRules, started, watchable, type DebounceState } from '../../src/core/watch-debounce.js';

const { quietMs, minIntervalMs, maxWaitMs } = WATCH_RULES;
const feed = (s: DebounceState, times: number[]) => times.reduce(changed, s);

test('nothing waits: nothing due', () => {
  assert.is(dueAt(IDLE), null);
});

test('a burst settles: due once it has been quiet, measured from its last change', () => {
  const s = feed(IDLE, [0, 50, 120, 300]);
  assert.is(dueAt(s), 300 + quietMs);
});

test('never more than one a second: a burst right after a checkpoint waits for the second to pass', () => {
  let s = feed(IDLE, [0]);
  s = finished(started(s, quietMs));
  assert.is(dueAt(s), null, 'everything so far is in that checkpoint');
  s = changed(s, quietMs + 10);
  assert.is(dueAt(s), quietMs + minIntervalMs, 'one second after the last start, not quiet time after the change');
  s = changed(s, quietMs + 900);
  assert.is(dueAt(s), quietMs + 900 + quietMs, 'a later settle is later still');
});

test('changes during a checkpoint wait for it to end, then count', () => {
  let s = started(feed(IDLE, [0]), 400);
  s = changed(s, 450);
  assert.is(dueAt(s), null, 'one at a time');
  s = finished(s);
  assert.is(dueAt(s), Math.max(450 + quietMs, 400 + minIntervalMs));
});

test('edits that never pause still get a checkpoint, maxWait after the first', () => {
  const times = Array.from({ length: 200 }, (_, i) => 1_000 + i * 100); // every 100 ms for 20 s
  const s = feed(IDLE, times);
  assert.is(dueAt(s), 1_000 + maxWaitMs);
});

test('polling: a burst settles only after a poll that found nothing new', () => {
  assert.is(pollingRules(500).quietMs, 700);
  assert.is(pollingRules(50).quietMs, quietMs, 'never quicker than watching');
  const s = feed(IDLE, [1_000]); // seen by the poll at 1000; the poll at 1500 may see the rest of the burst
  assert.is(dueAt(s, pollingRules(500)), 1_700);
});

test('watchable: nothing inside a .git directory, at any depth', () => {
  for (const p of ['', 'a.txt', 'src/x.ts', '.gitignore', 'a/.github/w.yml', 'git/x']) assert.ok(watchable(p), p);
  for (const p of ['.git', '.git/index', 'sub/.git', 'sub/.git/HEAD']) assert.not.ok(watchable(p), p);
});

test.run();
