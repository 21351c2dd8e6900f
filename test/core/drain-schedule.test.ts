// The drain's scheduling decisions (issue 9), as pure functions.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BURST, BURST_MAX_QUIET_MS, SEQUENCE, nextStep, pushWatches, quietMs, sawGrowth, type WaitState } from '../../src/core/drain-schedule.js';
import type { HookEvent } from '../../src/core/events.js';

const fresh = (t: number): WaitState => ({ startedAt: t, lastGrowthAt: t, lastGapMs: null });

test('a lone event runs after the short quiet time', () => {
  const w = fresh(0);
  assert.equal(nextStep(0, w, false).kind, 'wait');
  assert.equal(nextStep(BURST.quietMs - 1, w, false).kind, 'wait');
  assert.equal(nextStep(BURST.quietMs, w, false), { kind: 'run' });
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
  assert.is(quietMs(w, false), 600);
  assert.equal(nextStep(BURST.maxDelayMs, w, false), { kind: 'run' }, 'the bound');
  w.lastGapMs = 10_000;
  assert.is(quietMs(w, false), BURST_MAX_QUIET_MS);
});

test('during a sequence the quiet time is the sequence one', () => {
  const w = fresh(0);
  assert.equal(nextStep(BURST.quietMs, w, true).kind, 'wait');
  assert.equal(nextStep(SEQUENCE.quietMs, w, true), { kind: 'run' });
  assert.ok(nextStep(10, w, true).kind === 'wait' && (nextStep(10, w, true) as { ms: number }).ms <= 50);
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
