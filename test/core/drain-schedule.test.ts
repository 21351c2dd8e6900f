// The drain's scheduling decisions (issue 9), as pure functions.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BURST, BURST_MAX_QUIET_MS, QUIET_GAPS, RECONCILE_MAX_STALE_MS, ROUND_QUIET_MAX_MS, SEQUENCE, fullRound, nextStep, pushWatches, quietMs, sawGrowth, type WaitState } from '../../src/core/drain-schedule.js';
import type { HookEvent } from '../../src/core/events.js';

const fresh = (t: number): WaitState => ({ startedAt: t, lastGrowthAt: t, lastGapMs: null, prevGapMs: null });

test('a lone event runs after the short quiet time', () => {
  const w = fresh(0);
  assert.equal(nextStep(0, w, false).kind, 'wait');
  assert.equal(nextStep(BURST.quietMs - 1, w, false).kind, 'wait');
  assert.equal(nextStep(BURST.quietMs, w, false), { kind: 'run', quiet: true });
});

test('a burst keeps the drain waiting, its quiet time follows the pace, and the max delay bounds it', () => {
  const w = fresh(0);
  let t = 0;
  let grew = false;
  for (; t < BURST.maxDelayMs - 200; t += 200) {
    sawGrowth(w, t, grew);
    grew = true;
    assert.equal(nextStep(t + 199, w, false).kind, 'wait', `at ${t}`);
  }
  assert.is(w.lastGapMs, 200);
  assert.is(quietMs(w, false), QUIET_GAPS * 200);
  sawGrowth(w, BURST.maxDelayMs - 1, true);
  assert.equal(nextStep(BURST.maxDelayMs, w, false), { kind: 'run', quiet: false }, 'the bound, in the middle of the burst');
  w.lastGapMs = 10_000;
  assert.is(quietMs(w, false), BURST_MAX_QUIET_MS);
});

test('during a sequence the quiet time is the sequence one', () => {
  const w = fresh(0);
  assert.equal(nextStep(BURST.quietMs, w, true).kind, 'wait');
  assert.equal(nextStep(SEQUENCE.quietMs, w, true), { kind: 'run', quiet: true });
  assert.ok(nextStep(10, w, true).kind === 'wait' && (nextStep(10, w, true) as { ms: number }).ms <= 50);
});

test('one slow commit in a loop does not end the burst: the quiet time follows the larger of the last two gaps', () => {
  const w = fresh(0);
  sawGrowth(w, 0, false);
  sawGrowth(w, 400, true);
  sawGrowth(w, 500, true);
  assert.is(w.lastGapMs, 100);
  assert.is(quietMs(w, false), QUIET_GAPS * 400);
  assert.equal(nextStep(500 + QUIET_GAPS * 100, w, false).kind, 'wait');
  assert.equal(nextStep(500 + QUIET_GAPS * 400, w, false), { kind: 'run', quiet: true });
});

test('the bound forces a round only while the log keeps growing', () => {
  const w = fresh(0);
  w.lastGapMs = 10_000; // a slow pace: the quiet time is the longest
  assert.equal(nextStep(BURST.maxDelayMs, w, false, 100), { kind: 'run', quiet: true }, 'no growth since the wait began: a quiet round');
  const v = fresh(0);
  assert.equal(nextStep(150, v, false, 100), { kind: 'wait', ms: 50 }, 'not grown: wait for the quiet');
  sawGrowth(v, 120, false);
  assert.equal(nextStep(150, v, false, 100), { kind: 'run', quiet: false }, 'grown and past the bound: forced');
});

test('on a loaded machine the quiet time is at least the last reconciling round (bounded)', () => {
  const w = fresh(0);
  w.lastGapMs = 300;
  assert.is(quietMs(w, false), QUIET_GAPS * 300);
  w.lastRoundMs = 1_800;
  assert.is(quietMs(w, false), 1_800);
  w.lastRoundMs = 60_000;
  assert.is(quietMs(w, false), ROUND_QUIET_MAX_MS);
  assert.is(quietMs(w, true), SEQUENCE.quietMs, 'a sequence keeps its own');
});

test('a round forced mid-burst only applies events, unless the last reconcile is stale', () => {
  assert.ok(fullRound(true, 0), 'quiet: reconcile');
  assert.not.ok(fullRound(false, BURST.maxDelayMs), 'forced: events only');
  assert.ok(fullRound(false, RECONCILE_MAX_STALE_MS), 'forced, but the states lag too long: reconcile');
});

const prePush = (args: string[]): HookEvent => ({ time: null, hook: 'pre-push', head: null, branch: null, data: { kind: 'none' }, args });
const A = 'a'.repeat(40);
const Z = '0'.repeat(40);

test('pushWatches: named remotes only, branches only, no deletions', () => {
  assert.equal(pushWatches(prePush(['origin', '/x/origin.git']), `refs/heads/main ${A} refs/heads/main ${Z}\nrefs/heads/f ${A} refs/heads/feat/x ${Z}`), [
    { ref: 'refs/remotes/origin/main', sha: A },
    { ref: 'refs/remotes/origin/feat/x', sha: A },
  ]);
  assert.equal(pushWatches(prePush(['origin', 'u']), `(delete) ${Z} refs/heads/gone ${A}`), []);
  assert.equal(pushWatches(prePush(['origin', 'u']), `refs/tags/v1 ${A} refs/tags/v1 ${Z}`), []);
  assert.equal(pushWatches(prePush(['/x/r.git', '/x/r.git']), `refs/heads/main ${A} refs/heads/main ${Z}`), [], 'a URL has no tracking refs');
  assert.equal(pushWatches(prePush(['../up', 'u']), `refs/heads/main ${A} refs/heads/main ${Z}`), []);
  assert.equal(pushWatches({ ...prePush(['origin', 'u']), hook: 'post-commit' }, `refs/heads/main ${A} refs/heads/main ${Z}`), []);
});

test.run();
