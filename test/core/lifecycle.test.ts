import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ALLOWED, PRIORITY, DEFAULT_CONFLICT_WINDOW_MS, decideTransition, applyTransition, lastActionBy, conflictingAction, routeTo, holdsRef } from '../../src/core/lifecycle.js';
import type { Decision } from '../../src/core/lifecycle.js';
import { BACKUP_STATES as BACKUP_STATES_FOR_REF } from '../../src/core/types.js';
import { newRecord } from '../../src/core/record.js';
import type { BackupRecord, BackupState, HistoryEntry, Trigger } from '../../src/core/types.js';
import { ExitCode } from '../../src/errors.js';

// ---------------------------------------------------------------------------------------------
// The oracle: built from the design.md §Lifecycle text itself (the table is pasted verbatim and parsed here),
// never from ALLOWED, so a mistake in ALLOWED cannot hide in the expected values.

const SPEC_TABLE = `
| CREATED | PENDING, CLEANABLE, DELETED |
| PENDING | CONFIRMED, CLEANABLE, DELETED |
| CONFIRMED | CLEANABLE, ARCHIVED, DELETED |
| CLEANABLE | ARCHIVED, DELETED |
| ARCHIVED | DELETED |
| DELETED | (none: terminal) |
`;
const STATES: BackupState[] = ['CREATED', 'PENDING', 'CONFIRMED', 'CLEANABLE', 'ARCHIVED', 'DELETED'];
const TRIGGERS: Trigger[] = ['USER', 'DISK_SPACE', 'GIT_HOOK', 'TIME_BASED'];

const specAllowed = new Set<string>();
for (const row of SPEC_TABLE.trim().split('\n')) {
  const [, from, tos] = row.split('|').map((c) => c.trim());
  for (const to of tos!.split(',').map((s) => s.trim())) if (STATES.includes(to as BackupState)) specAllowed.add(`${from}>${to}`);
}

type Expected = { ok: true; forced: boolean } | { ok: false; code: number };

/** What design.md §Lifecycle and §Command line (plus the documented decisions) say should happen for an unpinned backup with no recent actions. */
function oracle(from: BackupState, to: BackupState, trigger: Trigger, force: boolean): Expected {
  const user = trigger === 'USER';
  if (force && !user) return { ok: false, code: 2 }; // "--force is for USER only"
  if (from === 'DELETED') return { ok: false, code: 3 }; // terminal
  if (from === to) return { ok: false, code: 3 }; // not a transition
  if (!user && to === 'DELETED' && from !== 'CLEANABLE' && from !== 'ARCHIVED') return { ok: false, code: 3 };
  const inTable = specAllowed.has(`${from}>${to}`);
  if (!inTable && !(user && force)) return { ok: false, code: 3 };
  // Un-integrated work (CREATED, PENDING) needs the user's --force to delete: exit 9 "refused".
  if (user && to === 'DELETED' && (from === 'CREATED' || from === 'PENDING') && !force) return { ok: false, code: 9 };
  return { ok: true, forced: force };
}

const T0 = new Date('2026-11-21T20:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

function rec(state: BackupState, opts: { pinned?: boolean; history?: HistoryEntry[] } = {}): BackupRecord {
  const r = newRecord({
    id: '20261120-100000-abcd',
    created_at: '2026-11-20T10:00:00.000Z',
    message: 'm',
    branch: 'main',
    base: null,
    snapshot: 'a'.repeat(40),
    paths: [],
    files: 3,
    bytes: 300,
    include_ignored: false,
    worktree: '/w',
    pinned: opts.pinned ?? false,
  });
  r.state = state;
  if (opts.history) r.history.push(...opts.history);
  return r;
}

test('ALLOWED is exactly the SPEC table', () => {
  for (const from of STATES)
    for (const to of STATES) assert.is(ALLOWED[from].includes(to), specAllowed.has(`${from}>${to}`), `${from}>${to}`);
  assert.is(specAllowed.size, 12);
});

test('PRIORITY and default window', () => {
  assert.equal({ ...PRIORITY }, { USER: 100, DISK_SPACE: 90, GIT_HOOK: 80, TIME_BASED: 70 });
  assert.is(DEFAULT_CONFLICT_WINDOW_MS, 300_000);
});

test('exhaustive: 36 pairs × force × 4 triggers = 288 decisions match the oracle', () => {
  let n = 0;
  for (const from of STATES)
    for (const to of STATES)
      for (const force of [false, true])
        for (const trigger of TRIGGERS) {
          n++;
          const label = `${from}>${to} ${trigger}${force ? ' --force' : ''}`;
          const want = oracle(from, to, trigger, force);
          const got: Decision = decideTransition(rec(from), { to, trigger, force, reason: 'why', at: T0 });
          assert.is(got.ok, want.ok, label + (got.ok ? '' : `: ${got.message}`));
          if (got.ok && want.ok) {
            assert.equal(
              got.entry,
              { at: '2026-11-21T20:00:00.000Z', from, to, trigger, reason: 'why', forced: want.forced },
              label,
            );
          } else if (!got.ok && !want.ok) {
            assert.is(got.code, want.code, `${label}: ${got.message}`);
            assert.ok(got.message.length > 0 && !got.message.includes('\n'), label);
          }
        }
  assert.is(n, 288);
});

test('messages name the way out', () => {
  const r = rec('CLEANABLE');
  const user = decideTransition(r, { to: 'PENDING', trigger: 'USER', force: false, reason: '', at: T0 });
  assert.ok(!user.ok && /use --force/.test(user.message) && /ARCHIVED, DELETED/.test(user.message), JSON.stringify(user));
  const hook = decideTransition(r, { to: 'PENDING', trigger: 'GIT_HOOK', force: false, reason: '', at: T0 });
  assert.ok(!hook.ok && !/--force/.test(hook.message));
  const del = decideTransition(rec('PENDING'), { to: 'DELETED', trigger: 'USER', force: false, reason: '', at: T0 });
  assert.ok(!del.ok && del.code === ExitCode.REFUSED && /not in the integration branch; add --force/.test(del.message));
  const f = decideTransition(r, { to: 'DELETED', trigger: 'TIME_BASED', force: true, reason: '', at: T0 });
  assert.ok(!f.ok && f.code === ExitCode.USAGE && /--force is for USER only/.test(f.message));
  const d = decideTransition(rec('DELETED'), { to: 'CREATED', trigger: 'USER', force: true, reason: '', at: T0 });
  assert.ok(!d.ok && d.code === ExitCode.INVALID);
  const same = decideTransition(r, { to: 'CLEANABLE', trigger: 'USER', force: false, reason: '', at: T0 });
  assert.ok(!same.ok && /already CLEANABLE/.test(same.message));
});

test('pinned: no automatic trigger archives or deletes; USER still can', () => {
  for (const from of ['CONFIRMED', 'CLEANABLE', 'ARCHIVED'] as const)
    for (const to of ['ARCHIVED', 'DELETED'] as const) {
      if (!ALLOWED[from].includes(to)) continue;
      for (const trigger of ['TIME_BASED', 'DISK_SPACE', 'GIT_HOOK'] as const) {
        const d = decideTransition(rec(from, { pinned: true }), { to, trigger, force: false, reason: '', at: T0 });
        assert.ok(!d.ok, `${from}>${to} ${trigger}`);
        if (!d.ok) {
          assert.is(d.code, ExitCode.INVALID);
          assert.match(d.message, /pinned/);
        }
        // the same request on an unpinned backup is fine (unless rule 6 forbids the delete anyway)
        const u = decideTransition(rec(from), { to, trigger, force: false, reason: '', at: T0 });
        assert.is(u.ok, !(to === 'DELETED' && from === 'CONFIRMED'), `unpinned ${from}>${to} ${trigger}`);
      }
      const user = decideTransition(rec(from, { pinned: true }), { to, trigger: 'USER', force: false, reason: '', at: T0 });
      assert.ok(user.ok, `USER ${from}>${to}`);
    }
  // Pinned does not block the non-destructive moves.
  const c = decideTransition(rec('CONFIRMED', { pinned: true }), { to: 'CLEANABLE', trigger: 'TIME_BASED', force: false, reason: '', at: T0 });
  assert.ok(c.ok);
});

const acted = (trigger: Trigger, msAgo: number, from: BackupState = 'CONFIRMED', to: BackupState = 'CLEANABLE'): HistoryEntry => ({
  at: at(-msAgo).toISOString(), from, to, trigger, reason: 'earlier', forced: false,
});

test('conflict window: higher priority inside the window defers, just outside does not', () => {
  const W = DEFAULT_CONFLICT_WINDOW_MS;
  const req = { to: 'DELETED' as const, trigger: 'TIME_BASED' as const, force: false, reason: 'old', at: T0 };
  // just inside: 1 ms before the window ends
  const inside = decideTransition(rec('CLEANABLE', { history: [acted('USER', W - 1)] }), req);
  assert.ok(!inside.ok);
  if (!inside.ok) {
    assert.is(inside.code, ExitCode.DEFERRED);
    assert.match(inside.message, /USER/);
    assert.match(inside.message, new RegExp(at(1).toISOString().replace(/\./g, '\\.')));
    assert.is(inside.retryAt, at(1).toISOString());
  }
  // exactly at the end of the window: over
  const edge = decideTransition(rec('CLEANABLE', { history: [acted('USER', W)] }), req);
  assert.ok(edge.ok, JSON.stringify(edge));
  // custom window
  const custom = decideTransition(rec('CLEANABLE', { history: [acted('USER', 1000)] }), { ...req, conflictWindowMs: 999 });
  assert.ok(custom.ok);
  const custom2 = decideTransition(rec('CLEANABLE', { history: [acted('USER', 1000)] }), { ...req, conflictWindowMs: 1001 });
  assert.ok(!custom2.ok && custom2.code === ExitCode.DEFERRED);
});

test('conflict window: only strictly higher priority defers', () => {
  const req = (trigger: Trigger) => ({ to: 'ARCHIVED' as const, trigger, force: false, reason: '', at: T0 });
  for (const earlier of TRIGGERS)
    for (const now of TRIGGERS) {
      const d = decideTransition(rec('CLEANABLE', { history: [acted(earlier, 1000)] }), req(now));
      const shouldDefer = PRIORITY_ORDER.indexOf(earlier) < PRIORITY_ORDER.indexOf(now);
      assert.is(!d.ok && d.code === ExitCode.DEFERRED, shouldDefer, `${earlier} then ${now}`);
    }
});
const PRIORITY_ORDER: Trigger[] = ['USER', 'DISK_SPACE', 'GIT_HOOK', 'TIME_BASED'];

test('conflict window: USER is never deferred, forced or not', () => {
  const h = [acted('DISK_SPACE', 10), acted('GIT_HOOK', 10, 'CLEANABLE', 'CONFIRMED')];
  for (const force of [false, true]) {
    const d = decideTransition(rec('CONFIRMED', { history: h }), { to: 'ARCHIVED', trigger: 'USER', force, reason: '', at: T0 });
    assert.ok(d.ok);
  }
});

test('conflict window: the creation entry does not count; a future-dated entry does', () => {
  const r = rec('CREATED');
  r.history[0]!.at = at(-1000).toISOString(); // created by USER a second ago
  const d = decideTransition(r, { to: 'PENDING', trigger: 'GIT_HOOK', force: false, reason: 'commit', at: T0 });
  assert.ok(d.ok);
  const future = decideTransition(rec('CLEANABLE', { history: [acted('USER', -60_000)] }), {
    to: 'ARCHIVED', trigger: 'TIME_BASED', force: false, reason: '', at: T0,
  });
  assert.ok(!future.ok && future.code === ExitCode.DEFERRED);
});

test('conflict window comes before validity (stale view re-checks later); rule 1 before it', () => {
  const h = [acted('USER', 1000)];
  const d = decideTransition(rec('CONFIRMED', { history: h }), { to: 'DELETED', trigger: 'TIME_BASED', force: false, reason: '', at: T0 });
  assert.ok(!d.ok && d.code === ExitCode.DEFERRED);
  const f = decideTransition(rec('CONFIRMED', { history: h }), { to: 'DELETED', trigger: 'TIME_BASED', force: true, reason: '', at: T0 });
  assert.ok(!f.ok && f.code === ExitCode.USAGE);
});

test('conflictingAction reports the window that ends last', () => {
  const r = rec('CLEANABLE', { history: [acted('USER', 200_000), acted('DISK_SPACE', 100_000)] });
  const c = conflictingAction(r, 'TIME_BASED', T0);
  assert.ok(c);
  assert.is(c!.entry.trigger, 'DISK_SPACE');
  assert.is(c!.until.toISOString(), at(200_000).toISOString());
});

test('applyTransition mutates state, updated_at, history; DELETED writes the tombstone', () => {
  const r = rec('CLEANABLE');
  const d = decideTransition(r, { to: 'DELETED', trigger: 'DISK_SPACE', force: false, reason: 'disk full', at: T0 });
  assert.ok(d.ok);
  if (!d.ok) return;
  applyTransition(r, d.entry);
  assert.is(r.state, 'DELETED');
  assert.is(r.updated_at, T0.toISOString());
  assert.equal(r.history.at(-1), d.entry);
  assert.equal(r.tombstone, { deleted_at: T0.toISOString(), trigger: 'DISK_SPACE', reason: 'disk full', files: 3, bytes: 300, paths: [] });
  assert.throws(() => applyTransition(r, d.entry), /is DELETED/);
});

test('lastActionBy', () => {
  const r = rec('CLEANABLE', { history: [acted('GIT_HOOK', 500), acted('TIME_BASED', 400), acted('GIT_HOOK', 300)] });
  assert.is(lastActionBy(r, 'GIT_HOOK')!.at, at(-300).toISOString());
  assert.is(lastActionBy(r, 'DISK_SPACE'), null);
  assert.is(lastActionBy(r, 'USER')!.from, null); // the creation entry
});

test('routeTo: shortest allowed path, null when none', () => {
  assert.equal(routeTo('CREATED', 'CONFIRMED'), ['PENDING', 'CONFIRMED']);
  assert.equal(routeTo('PENDING', 'CONFIRMED'), ['CONFIRMED']);
  assert.equal(routeTo('CREATED', 'ARCHIVED'), ['CLEANABLE', 'ARCHIVED']);
  assert.is(routeTo('CLEANABLE', 'CONFIRMED'), null);
  assert.is(routeTo('DELETED', 'CREATED'), null);
  assert.is(routeTo('CONFIRMED', 'CONFIRMED'), null);
});

test('holdsRef: only ARCHIVED and DELETED backups have no ref', () => {
  for (const state of BACKUP_STATES_FOR_REF) assert.is(holdsRef({ state }), state !== 'ARCHIVED' && state !== 'DELETED', state);
});

test.run();
