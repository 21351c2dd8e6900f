// Pure policies: confidence factors, keep rules, time retention, disk planning.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { confidenceOf } from '../../src/core/confidence.js';
import { isoWeek, keptBackups } from '../../src/core/policies/keep.js';
import { dueForTime, planTime } from '../../src/core/policies/time.js';
import { diskNeed, planDisk } from '../../src/core/policies/disk.js';
import { DEFAULT_CONFIG } from '../../src/core/config.js';
import { newRecord } from '../../src/core/record.js';
import { applyTransition } from '../../src/core/lifecycle.js';
import type { BackupRecord, BackupState, Trigger } from '../../src/core/types.js';
import type { ContentProof } from '../../src/core/content.js';

const DAY = 86_400_000;
const T0 = Date.parse('2025-01-01T12:00:00.000Z');
const at = (d: number) => new Date(T0 + d * DAY);

function rec(n: number, createdDay: number, path: [BackupState, number, Trigger?][] = [], extra: Partial<BackupRecord> = {}): BackupRecord {
  const hex = n.toString(16).padStart(4, '0');
  const r = newRecord({ id: `2025-${hex}`, created_at: at(createdDay), message: '', branch: 'main', base: 'b', snapshot: `s${n}`, paths: [], files: 1, bytes: 100, include_ignored: false, worktree: '/w' });
  let from: BackupState = 'CREATED';
  for (const [to, day, trigger] of path) {
    applyTransition(r, { at: at(day).toISOString(), from, to, trigger: trigger ?? 'GIT_HOOK', reason: 't', forced: false });
    from = to;
  }
  return Object.assign(r, extra);
}

const proof = (files: number, unique: string[] = []): ContentProof => ({ history: 'integration', tip: 'm', files, held: files - unique.length, superseded: [], uncommitted: [], unique, commits: [] });
const HELD = proof(1);
const UNIQUE = proof(1, ['idea.txt']);

test('confidence: weights sum to 1, each factor moves the total the documented way; content is the strongest', () => {
  const confirmed = rec(1, 0, [['PENDING', 0], ['CONFIRMED', 1]]);
  const c = confidenceOf(confirmed, at(30), HELD);
  assert.is(c.factors.reduce((n, f) => n + f.weight, 0), 1);
  assert.is(Math.max(...c.factors.map((f) => f.weight)), c.factors.find((f) => f.name === 'containment')!.weight);
  assert.is(c.total, 1);
  assert.is(confidenceOf(confirmed, at(30), UNIQUE).total, 0.6);
  assert.is(confidenceOf(confirmed, at(30), proof(4, ['l.txt'])).total, 0.75); // 3 of 4 held: at most half
  assert.match(confidenceOf(confirmed, at(30), proof(4, ['l.txt'])).factors.find((f) => f.name === 'containment')!.why, /l\.txt is found nowhere else/);
  assert.is(confidenceOf(confirmed, at(30), null).total, 0.8);
  assert.is(confidenceOf(confirmed, at(15), HELD).total, 0.9); // age half
  assert.is(confidenceOf(rec(2, 0), at(30), HELD).total, 0.8); // never committed, but the content is held
  assert.is(confidenceOf(rec(3, 0, [['PENDING', 0]]), at(30), UNIQUE).total, 0.46);
  assert.is(confidenceOf({ ...confirmed, bytes: 1024 ** 3 }, at(30), HELD).total, 0.9); // 1 GiB: size 0
  assert.is(confidenceOf({ ...confirmed, accessed_at: at(29).toISOString() }, at(30), HELD).total, 0.914);
  for (const f of c.factors) assert.ok(f.why.length > 5, f.name);
});

test('isoWeek: year boundaries', () => {
  assert.is(isoWeek('2021-01-03T10:00:00Z'), '2020-W53');
  assert.is(isoWeek('2021-01-04T10:00:00Z'), '2021-W01');
  assert.is(isoWeek('2024-12-30T10:00:00Z'), '2025-W01');
  assert.is(isoWeek('2025-06-15T10:00:00Z'), '2025-W24');
});

test('keep rules: last, daily, weekly, pinned; DELETED never counts', () => {
  const rs = [rec(1, 0), rec(2, 0.1), rec(3, 1), rec(4, 8), rec(5, 9, [], { pinned: true }), rec(6, 20, [['CLEANABLE', 21], ['DELETED', 22]])];
  const k = keptBackups(rs, { last: 1, daily: 2, weekly: 0 });
  assert.equal([...k.entries()].sort(), [['2025-0004', 'keep.daily'], ['2025-0005', 'pinned']].sort());
  const w = keptBackups(rs, { last: 0, daily: 0, weekly: 3 });
  // 2025-01-01 (Wed) & 01-02 share a week; 01-09, 01-10 share the next.
  assert.equal([...w.keys()].sort(), ['2025-0003', '2025-0005'].sort());
  assert.ok(!keptBackups(rs, { last: 10, daily: 10, weekly: 10 }).has('2025-0006'));
});

test('time: one step per evaluation, from the entry into the state; CLEANABLE waits below the threshold', () => {
  const cfg = DEFAULT_CONFIG;
  const none = new Map();
  const conf = (c: number) => () => ({ total: c, factors: [] });
  const confirmed = rec(1, 0, [['PENDING', 0], ['CONFIRMED', 10]]);
  assert.is(dueForTime([confirmed], at(16.9), cfg, none).length, 0);
  const due = dueForTime([confirmed], at(17), cfg, none);
  assert.equal(due.map((d) => d.to), ['CLEANABLE']);
  const cleanable = rec(2, 0, [['CLEANABLE', 5]]);
  const d2 = dueForTime([cleanable], at(12), cfg, none);
  const nothingUnique = () => [];
  assert.is(planTime(d2, cfg, conf(0.79), nothingUnique).moves.length, 0);
  assert.match(planTime(d2, cfg, conf(0.79), nothingUnique).waiting[0]!.why, /waits for the user/);
  assert.equal(planTime(d2, cfg, conf(0.8), nothingUnique).moves[0]!.steps, ['ARCHIVED']);
  // Unique content may be archived but not deleted; unknown content counts as unique.
  assert.equal(planTime(d2, cfg, conf(0.8), () => ['idea.txt']).moves[0]!.steps, ['ARCHIVED']);
  const archived = rec(5, 0, [['CLEANABLE', 5], ['ARCHIVED', 12]]);
  const d3 = dueForTime([archived], at(102), cfg, none);
  assert.equal(planTime(d3, cfg, conf(1), nothingUnique).moves[0]!.steps, ['DELETED']);
  const kept = planTime(d3, cfg, conf(1), () => ['idea.txt', 'b', 'c', 'd']);
  assert.is(kept.moves.length, 0);
  assert.match(kept.waiting[0]!.why, /unique content \(idea\.txt, b, c and 1 more\): kept until you delete it/);
  assert.match(planTime(d3, cfg, conf(1), () => null).waiting[0]!.why, /not proven held anywhere else/);
  assert.is(dueForTime([rec(3, 0)], at(29.9), cfg, none).length, 0);
  assert.is(dueForTime([rec(3, 0)], at(30), cfg, none).length, 1);
  assert.is(dueForTime([rec(3, 0)], at(30), cfg, new Map([['2025-0003', 'keep.last']])).length, 0);
  // A USER move 1 minute ago defers TIME_BASED.
  const user = rec(4, 0, [['CLEANABLE', 0, 'USER']]);
  assert.is(dueForTime([user], new Date(T0 + 60_000), { retention: { ...cfg.retention, CLEANABLE: 0 } }, none).length, 0);
});

test('disk: levels, need, order (high confidence oldest first), stop when enough, never pinned/CREATED', () => {
  const disk = { ...DEFAULT_CONFIG.disk, quota: 1000 };
  assert.is(diskNeed({ usedPercent: 85, totalBytes: 1e6, exclusiveBytes: 0 }, disk).bytes, 0);
  assert.is(diskNeed({ usedPercent: 85, totalBytes: 1e6, exclusiveBytes: 0 }, disk).level, 'warning');
  assert.is(diskNeed({ usedPercent: 92, totalBytes: 1000, exclusiveBytes: 0 }, disk).bytes, 21);
  assert.is(diskNeed({ usedPercent: 96, totalBytes: 1000, exclusiveBytes: 0 }, disk).strategy, 'aggressive');
  const need = diskNeed({ usedPercent: 10, totalBytes: 1e9, exclusiveBytes: 1250 }, { ...disk, strategy: 'aggressive' });
  assert.is(need.bytes, 250);
  const c = new Map([['2025-0001', 0.5], ['2025-0002', 0.9], ['2025-0003', 0.95], ['2025-0004', 0.99], ['2025-0005', 0.99], ['2025-0006', 0.7]]);
  const rs = [
    rec(1, 0, [['PENDING', 0], ['CONFIRMED', 1]]),
    rec(2, 1, [['PENDING', 1], ['CONFIRMED', 2]]),
    rec(3, 2, [['PENDING', 2], ['CONFIRMED', 3]]),
    rec(4, 0), // CREATED: never
    rec(5, 0, [['PENDING', 0], ['CONFIRMED', 1]], { pinned: true }),
    rec(6, 3, [['CLEANABLE', 4, 'USER']]),
  ];
  const full = (n: typeof need, strategyKept = new Map(), unique: (r: BackupRecord) => string[] | null = () => [], trigger: 'DISK_SPACE' | 'USER' = 'DISK_SPACE', userConsent = false) =>
    planDisk({ records: rs, need: n, alreadyFreed: 0, freedBy: new Map(rs.map((r) => [r.id, 100])), confidence: (r) => ({ total: c.get(r.id)!, factors: [] }), unique, kept: strategyKept, threshold: 0.8, exclude: new Set(), now: at(30), userConsent, trigger });
  const plan = (n: typeof need, strategyKept = new Map()) => full(n, strategyKept).moves;
  const moves = plan(need);
  assert.equal(moves.map((m) => m.id), ['2025-0002', '2025-0003', '2025-0006']);
  assert.equal(moves[0]!.steps, ['CLEANABLE', 'DELETED']);
  assert.equal(moves[2]!.steps, ['DELETED']);
  const conservative = plan({ ...need, strategy: 'conservative' });
  assert.equal(conservative.map((m) => [m.id, m.steps.at(-1)]), [['2025-0002', 'ARCHIVED'], ['2025-0003', 'ARCHIVED']]);
  assert.equal(plan({ ...need, bytes: 150 }).map((m) => m.id), ['2025-0002', '2025-0003']);
  assert.equal(plan(need, new Map([['2025-0002', 'keep.last']])).map((m) => m.id), ['2025-0003', '2025-0006', '2025-0001']);
  // Unique content: archived instead of deleted, named in why; only the user's consent deletes it.
  const uniq = (r: BackupRecord) => (r.id === '2025-0002' ? ['idea.txt'] : []);
  const guarded = full(need, new Map(), uniq);
  assert.equal(guarded.moves.map((m) => [m.id, m.steps.at(-1)]), [['2025-0002', 'ARCHIVED'], ['2025-0003', 'DELETED'], ['2025-0006', 'DELETED']]);
  assert.match(guarded.moves[0]!.why, /archived, not deleted: it holds unique content \(idea\.txt\)/);
  assert.equal(full(need, new Map(), uniq, 'USER', false).moves[0]!.steps, ['CLEANABLE', 'ARCHIVED']);
  assert.equal(full(need, new Map(), uniq, 'USER', true).moves[0]!.steps, ['CLEANABLE', 'DELETED']);
  // Already archived with unique content: kept, and the plan says why.
  const archivedRs = [rec(7, 0, [['CLEANABLE', 1], ['ARCHIVED', 2]])];
  c.set('2025-0007', 0.99);
  const onlyArchived = planDisk({ records: archivedRs, need, alreadyFreed: 0, freedBy: new Map([['2025-0007', 100]]), confidence: (r) => ({ total: c.get(r.id)!, factors: [] }), unique: () => null, kept: new Map(), threshold: 0.8, exclude: new Set(), now: at(30), userConsent: false, trigger: 'DISK_SPACE' });
  assert.is(onlyArchived.moves.length, 0);
  assert.match(onlyArchived.kept[0]!.why, /not proven held anywhere else/);
});

test.run();
