// Table tests of the cleanup policies (keep rules, time retention, disk pressure and quota) over one
// fixed set of backups, in the manner of restic's internal/data/snapshot_policy_test.go: each case
// (a configuration, an instant, disk facts) is evaluated by the pure policies and compared with its
// golden file, test/core/testdata/policy/<case>.json, which a reviewer reads as the specification
// of that case. After an intended change of behaviour, regenerate them with
//   npm run build && UPDATE_GOLDEN=1 node dist/test/core/policy-table.test.js
// and review the diff. Golden files alone would only pin down what the code does today, so every
// case is also checked against invariants written from docs/policies.md (checkInvariants below):
// a wrong golden file cannot make a broken rule pass.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../helpers/repo.js';
import { confidenceOf, type Confidence } from '../../src/core/confidence.js';
import { keptBackups } from '../../src/core/policies/keep.js';
import { dueForTime, planTime } from '../../src/core/policies/time.js';
import { diskNeed, planDisk, type DiskFacts, type DiskNeed } from '../../src/core/policies/disk.js';
import { enteredAt, type Held, type PolicyMove } from '../../src/core/policies/plan.js';
import { DEFAULT_CONFIG, type BackupConfig } from '../../src/core/config.js';
import { newRecord } from '../../src/core/record.js';
import { applyTransition, conflictingAction, holdsRef } from '../../src/core/lifecycle.js';
import type { BackupRecord, BackupState, Trigger } from '../../src/core/types.js';
import type { ContentProof } from '../../src/core/content.js';

const GOLDEN_DIR = join(PROJECT_ROOT, 'test', 'core', 'testdata', 'policy');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const DAY = 86_400_000;
const MIB = 1024 * 1024;

// --- the input: 28 backups over five months ------------------------------------------------------
// [created, [[state, at, trigger?], ...], { contained, bytes, freed, pinned, accessed }]
// Transitions default to GIT_HOOK (CLEANABLE/ARCHIVED/DELETED made by a policy say TIME_BASED).
// contained: every protected file is in the integration tip (true/false; absent: unknown).
// freed: bytes removing its ref would free (default: its size while it has a ref; 0 once archived).
type Step = [BackupState, string, Trigger?];
interface Extra { contained?: boolean; bytes?: number; freed?: number; pinned?: boolean; accessed?: string }
const INPUT: [string, Step[], Extra?][] = [
  ['2024-10-01T08:00:00Z', [['PENDING', '2024-10-01T09:00:00Z'], ['CONFIRMED', '2024-10-03T09:00:00Z'], ['CLEANABLE', '2024-10-10T12:00:00Z', 'TIME_BASED'], ['ARCHIVED', '2024-12-01T12:00:00Z', 'TIME_BASED']], { contained: true }],
  ['2024-12-30T10:00:00Z', [['PENDING', '2024-12-30T11:00:00Z'], ['CONFIRMED', '2024-12-31T09:00:00Z'], ['CLEANABLE', '2025-01-07T12:00:00Z', 'TIME_BASED'], ['ARCHIVED', '2025-01-10T12:00:00Z', 'TIME_BASED']], { contained: true }],
  ['2025-01-02T09:00:00Z', [], { contained: false }], // abandoned work, never committed
  ['2025-01-03T10:00:00Z', [['PENDING', '2025-01-03T10:05:00Z'], ['CONFIRMED', '2025-01-05T16:00:00Z']], { contained: true, bytes: 4096 }],
  ['2025-01-06T11:00:00Z', [['PENDING', '2025-01-06T11:30:00Z'], ['CONFIRMED', '2025-01-08T09:00:00Z'], ['CLEANABLE', '2025-01-15T12:00:00Z', 'TIME_BASED']], { contained: true }],
  ['2025-01-07T11:00:00Z', [['PENDING', '2025-01-07T11:30:00Z'], ['CONFIRMED', '2025-01-07T15:00:00Z'], ['CLEANABLE', '2025-01-14T12:00:00Z', 'TIME_BASED'], ['ARCHIVED', '2025-01-25T12:00:00Z', 'TIME_BASED']], { contained: true }],
  ['2025-01-08T14:00:00Z', [['PENDING', '2025-01-08T14:30:00Z'], ['CONFIRMED', '2025-01-09T10:00:00Z'], ['CLEANABLE', '2025-01-16T12:00:00Z', 'TIME_BASED'], ['ARCHIVED', '2025-02-01T12:00:00Z', 'TIME_BASED']], { contained: true }],
  ['2025-01-09T09:00:00Z', [['CLEANABLE', '2025-01-10T09:00:00Z', 'USER']], { contained: false }], // cleaned up by hand, never integrated
  ['2025-01-10T09:00:00Z', [['PENDING', '2025-01-10T10:00:00Z']], { contained: false }], // committed on a branch never merged
  ['2025-01-12T09:00:00Z', [['PENDING', '2025-01-12T09:10:00Z'], ['CONFIRMED', '2025-01-13T09:00:00Z']], { contained: true, pinned: true }],
  ['2025-01-13T09:00:00Z', [['CLEANABLE', '2025-01-14T09:00:00Z', 'USER'], ['DELETED', '2025-01-14T09:01:00Z', 'USER']]],
  ['2025-01-20T09:00:00Z', [['PENDING', '2025-01-20T09:10:00Z'], ['CONFIRMED', '2025-01-21T09:00:00Z']], { contained: true, bytes: 512 * MIB }], // large: size counts against
  ['2025-01-21T09:00:00Z', [['PENDING', '2025-01-21T09:10:00Z'], ['CONFIRMED', '2025-01-22T09:00:00Z']], { contained: true, accessed: '2025-03-18T09:00:00Z' }], // restored lately
  ['2025-01-27T09:00:00Z', [], { contained: false }],
  ['2025-02-01T09:00:00Z', [['PENDING', '2025-02-01T09:10:00Z'], ['CONFIRMED', '2025-02-02T09:00:00Z'], ['CLEANABLE', '2025-02-10T12:00:00Z', 'TIME_BASED']], { contained: true }],
  ['2025-02-03T09:00:00Z', [['CLEANABLE', '2025-02-04T09:00:00Z', 'USER']], { contained: true }], // marked by hand; its files did land
  ['2025-02-10T09:00:00Z', [['PENDING', '2025-02-10T09:10:00Z'], ['CONFIRMED', '2025-02-12T09:00:00Z']], { contained: false }], // changed again since
  ['2025-02-10T17:00:00Z', [['PENDING', '2025-02-10T17:10:00Z'], ['CONFIRMED', '2025-02-12T09:00:00Z']], { contained: true, freed: 0 }], // objects shared with a branch
  ['2025-02-17T09:00:00Z', [['PENDING', '2025-02-17T09:10:00Z'], ['CONFIRMED', '2025-02-18T09:00:00Z']], { contained: true }],
  ['2025-02-24T09:00:00Z', [], { contained: false }],
  ['2025-03-01T09:00:00Z', [['PENDING', '2025-03-01T09:10:00Z'], ['CONFIRMED', '2025-03-02T09:00:00Z']], { contained: true }],
  ['2025-03-05T09:00:00Z', [['PENDING', '2025-03-05T09:10:00Z']]], // containment unknown
  ['2025-03-10T09:00:00Z', [['PENDING', '2025-03-10T09:10:00Z'], ['CONFIRMED', '2025-03-10T15:00:00Z']], { contained: true }],
  ['2025-03-12T09:00:00Z', [['PENDING', '2025-03-12T09:10:00Z'], ['CONFIRMED', '2025-03-12T15:00:00Z'], ['CLEANABLE', '2025-03-13T09:00:00Z', 'USER'], ['ARCHIVED', '2025-03-13T09:00:00Z', 'USER']], { contained: true }],
  ['2025-03-14T09:00:00Z', [['PENDING', '2025-03-14T09:10:00Z'], ['CONFIRMED', '2025-03-14T15:00:00Z']], { contained: true, bytes: 64 * MIB }],
  ['2025-03-17T09:00:00Z', [], { contained: false }],
  ['2025-03-18T09:00:00Z', [['PENDING', '2025-03-18T09:10:00Z'], ['CONFIRMED', '2025-03-18T15:00:00Z']], { contained: true }],
  ['2025-03-20T11:00:00Z', [['CLEANABLE', '2025-03-20T11:58:00Z', 'USER']], { contained: false }], // marked by hand two minutes before NOW
];
const NOW = '2025-03-20T12:00:00.000Z';

/** The content proof a case's `contained` stands for: true nothing unique, false one unique path, absent unknown. */
function toProof(contained: boolean | undefined): ContentProof | null {
  if (contained === undefined) return null;
  return { history: 'integration', tip: 'i'.repeat(40), files: 1, held: contained ? 1 : 0, superseded: [], uncommitted: [], unique: contained ? [] : ['work.txt'], commits: [] };
}

function buildRecords(): { records: BackupRecord[]; contained: Map<string, boolean>; freedBy: Map<string, number> } {
  const records: BackupRecord[] = [];
  const contained = new Map<string, boolean>();
  const freedBy = new Map<string, number>();
  INPUT.forEach(([created, steps, extra = {}], i) => {
    const t = new Date(created);
    const id = `${t.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-')}-${(0xa000 + i).toString(16)}`;
    const r = newRecord({ id, created_at: t, message: `b${i}`, branch: 'main', base: 'b'.repeat(40), snapshot: `${i}`.padStart(40, '0'), paths: [], files: 3, bytes: extra.bytes ?? 10_000, include_ignored: false, worktree: '/w', pinned: extra.pinned ?? false });
    let from: BackupState = 'CREATED';
    for (const [to, at, trigger] of steps) {
      applyTransition(r, { at: new Date(at).toISOString(), from, to, trigger: trigger ?? 'GIT_HOOK', reason: 'fixture', forced: false });
      from = to;
    }
    if (extra.accessed) r.accessed_at = new Date(extra.accessed).toISOString();
    if (extra.contained !== undefined) contained.set(r.snapshot, extra.contained);
    freedBy.set(r.id, holdsRef(r) ? (extra.freed ?? r.bytes) : 0);
    records.push(r);
  });
  return { records, contained, freedBy };
}

// --- the cases -------------------------------------------------------------------------------------
interface Case {
  name: string;
  now?: string;
  config?: (c: BackupConfig) => void;
  facts?: Partial<DiskFacts>;
  /** emergency: what `git backup emergency [--force]` plans (no time policy, nuclear, need unbounded). */
  emergency?: { consent: boolean };
}
const d = (n: number) => n * DAY;
const CASES: Case[] = [
  { name: 'defaults' },
  { name: 'no-keep-rules', config: (c) => void (c.keep = { last: 0, daily: 0, weekly: 0 }) },
  { name: 'keep-last-10', config: (c) => void (c.keep = { last: 10, daily: 0, weekly: 0 }) },
  { name: 'keep-daily-30', config: (c) => void (c.keep = { last: 0, daily: 30, weekly: 0 }) },
  { name: 'keep-weekly-8', config: (c) => void (c.keep = { last: 0, daily: 0, weekly: 8 }) },
  { name: 'keep-all-large', config: (c) => void (c.keep = { last: 100, daily: 100, weekly: 100 }) },
  { name: 'threshold-0.5', config: (c) => void (c.autoCleanupConfidence = 0.5) },
  { name: 'threshold-1', config: (c) => void (c.autoCleanupConfidence = 1) },
  { name: 'retention-1d', config: (c) => void (c.retention = { CREATED: d(1), PENDING: d(1), CONFIRMED: d(1), CLEANABLE: d(1), ARCHIVED: d(1) }) },
  // The backup marked CLEANABLE by hand at 11:58: TIME_BASED leaves it alone for 5 minutes (not even
  // listed as waiting), then it waits for the user like any unconfident CLEANABLE one.
  { name: 'retention-0-user-move-deferred', config: (c) => ((c.retention = { CREATED: 0, PENDING: 0, CONFIRMED: 0, CLEANABLE: 0, ARCHIVED: 0 }), (c.keep = { last: 0, daily: 0, weekly: 0 })) },
  { name: 'retention-0-after-window', now: '2025-03-20T12:05:00.000Z', config: (c) => ((c.retention = { CREATED: 0, PENDING: 0, CONFIRMED: 0, CLEANABLE: 0, ARCHIVED: 0 }), (c.keep = { last: 0, daily: 0, weekly: 0 })) },
  { name: 'a-week-later', now: '2025-03-27T12:00:00.000Z' },
  { name: 'three-months-later', now: '2025-06-20T12:00:00.000Z' },
  { name: 'year-later-no-keep', now: '2026-03-20T12:00:00.000Z', config: (c) => void (c.keep = { last: 0, daily: 0, weekly: 0 }) },
  { name: 'disk-warning', facts: { usedPercent: 85, totalBytes: 1_000_000_000 } },
  // 90.003% of 1e9 bytes: 30,001 bytes to free, 20,000 of which the time policy's archives free.
  { name: 'disk-critical-conservative', facts: { usedPercent: 90.003, totalBytes: 1_000_000_000 } },
  { name: 'disk-critical-freed-by-time', facts: { usedPercent: 90.001, totalBytes: 1_000_000_000 } },
  { name: 'disk-critical-aggressive', facts: { usedPercent: 90.003, totalBytes: 1_000_000_000 }, config: (c) => void (c.disk.strategy = 'aggressive') },
  { name: 'disk-critical-nuclear', facts: { usedPercent: 90.005, totalBytes: 1_000_000_000 }, config: (c) => void (c.disk.strategy = 'nuclear') },
  { name: 'disk-critical-threshold-0.5', facts: { usedPercent: 90.1, totalBytes: 1_000_000_000 }, config: (c) => void (c.autoCleanupConfidence = 0.5) },
  { name: 'disk-emergency-conservative-acts-aggressive', facts: { usedPercent: 96, totalBytes: 1_000_000_000 } },
  { name: 'disk-critical-needs-more-than-all', facts: { usedPercent: 99, totalBytes: 1e12 }, config: (c) => void (c.disk.strategy = 'aggressive') },
  { name: 'quota-over-freed-by-time', facts: { exclusiveBytes: 700 * MIB }, config: (c) => void (c.disk.quota = 700 * MIB - 1) },
  // One byte over, nothing archived by time (CLEANABLE retention a year): exactly one backup goes.
  { name: 'quota-over-by-one-byte', facts: { exclusiveBytes: 700 * MIB }, config: (c) => ((c.disk.quota = 700 * MIB - 1), (c.retention.CLEANABLE = d(365))) },
  { name: 'quota-over-aggressive', facts: { exclusiveBytes: 700 * MIB }, config: (c) => ((c.disk.quota = 100 * MIB), (c.disk.strategy = 'aggressive')) },
  { name: 'quota-under', facts: { exclusiveBytes: 700 * MIB }, config: (c) => void (c.disk.quota = 700 * MIB) },
  { name: 'quota-and-critical-no-keep', facts: { usedPercent: 92, totalBytes: 2e9, exclusiveBytes: 700 * MIB }, config: (c) => ((c.disk.quota = 600 * MIB), (c.keep = { last: 0, daily: 0, weekly: 0 })) },
  { name: 'disk-and-time-three-months-later', now: '2025-06-20T12:00:00.000Z', facts: { exclusiveBytes: 700 * MIB }, config: (c) => ((c.disk.quota = 650 * MIB), (c.disk.strategy = 'aggressive')) },
  { name: 'emergency', emergency: { consent: false } },
  { name: 'emergency-force', emergency: { consent: true } },
];

// --- evaluation: the pure policies, composed as app/policy-plan.ts composes them -----------------
interface Result {
  kept: Record<string, string>;
  time: { id: string; from: BackupState; to: BackupState; confidence: number; why: string }[];
  waiting: Held[];
  need: { level: string; bytes: number | 'unbounded'; strategy: string | null; why: string[] };
  disk: { id: string; from: BackupState; steps: BackupState[]; trigger: string; confidence: number; bytes: number; why: string }[];
}

function configFor(c: Case): BackupConfig {
  const config = structuredClone(DEFAULT_CONFIG);
  c.config?.(config);
  return config;
}

function evaluate(c: Case, input = buildRecords()) {
  const { records, contained, freedBy } = input;
  const config = configFor(c);
  const now = new Date(c.now ?? NOW);
  const proof = (r: BackupRecord) => toProof(contained.get(r.snapshot));
  const confidence = (r: BackupRecord): Confidence => confidenceOf(r, now, proof(r));
  const unique = (r: BackupRecord) => proof(r)?.unique ?? null;
  const kept = keptBackups(records, config.keep);
  const due = c.emergency ? [] : dueForTime(records, now, config, kept);
  const time = planTime(due, config, confidence, unique);
  const facts: DiskFacts = { usedPercent: 10, totalBytes: 1e12, exclusiveBytes: null, ...c.facts };
  const need: DiskNeed = c.emergency
    ? { ...diskNeed(facts, config.disk), bytes: Infinity, strategy: 'nuclear', why: ['emergency requested by the user'] }
    : diskNeed(facts, config.disk);
  const removes = (m: PolicyMove) => m.from !== 'ARCHIVED' && ['ARCHIVED', 'DELETED'].includes(m.steps[m.steps.length - 1]!);
  const alreadyFreed = time.moves.filter(removes).reduce((n, m) => n + (freedBy.get(m.id) ?? 0), 0);
  const exclude = new Set(time.moves.filter(removes).map((m) => m.id));
  const diskPlan = planDisk({ records, need, alreadyFreed, freedBy, confidence, unique, kept, threshold: config.autoCleanupConfidence, exclude, now, userConsent: c.emergency?.consent ?? false, trigger: c.emergency ? 'USER' : 'DISK_SPACE' });
  const disk = diskPlan.moves;
  const takenByDisk = new Set(disk.map((m) => m.id));
  const timeMoves = time.moves.filter((m) => !takenByDisk.has(m.id));
  const result: Result = {
    kept: Object.fromEntries([...kept].sort()),
    time: timeMoves.map((m) => ({ id: m.id, from: m.from, to: m.steps[m.steps.length - 1]!, confidence: m.confidence, why: m.why })),
    waiting: [...time.waiting, ...diskPlan.kept],
    need: { level: need.level, bytes: Number.isFinite(need.bytes) ? need.bytes : 'unbounded', strategy: need.strategy, why: need.why },
    disk: disk.map((m) => ({ id: m.id, from: m.from, steps: m.steps, trigger: m.trigger, confidence: m.confidence, bytes: m.bytes, why: m.why })),
  };
  return { result, records, config, now, confidence, freedBy, need, alreadyFreed, exclude, timeMoves, diskMoves: disk };
}

// --- invariants, from docs/policies.md, independent of the golden files ----------------------------
const NEXT: Partial<Record<BackupState, BackupState>> = { CREATED: 'CLEANABLE', PENDING: 'CLEANABLE', CONFIRMED: 'CLEANABLE', CLEANABLE: 'ARCHIVED', ARCHIVED: 'DELETED' };

function checkInvariants(c: Case, e: ReturnType<typeof evaluate>): void {
  const { result, records, config, now, confidence, freedBy, need, alreadyFreed } = e;
  const byId = new Map(records.map((r) => [r.id, r]));
  const live = records.filter((r) => r.state !== 'DELETED');

  // Proof before deletion (design.md §Lifecycle): no automatic move deletes a backup whose content is not proven
  // held (contained: false = a unique path, absent = unknown); only the user's consent does.
  const input = new Map(INPUT.map(([created, , extra], i) => [i, extra?.contained]));
  const containedOf = (id: string) => input.get(records.findIndex((r) => r.id === id));
  const consent = c.emergency?.consent ?? false;
  for (const m of [...result.time.map((t) => ({ id: t.id, last: t.to })), ...result.disk.map((d) => ({ id: d.id, last: d.steps.at(-1)! }))]) {
    if (m.last === 'DELETED' && !consent) assert.is(containedOf(m.id), true, `${c.name}: ${m.id} deleted without proof of its content`);
  }
  const kept = new Set(Object.keys(result.kept));
  const label = c.name;

  // Keep rules: only live backups; every pinned one; the newest `last`; no more than the rules allow.
  for (const id of kept) assert.ok(byId.get(id)!.state !== 'DELETED', `${label}: ${id} deleted but kept`);
  for (const r of live) if (r.pinned) assert.is(result.kept[r.id], 'pinned', `${label}: pinned ${r.id}`);
  const newest = [...live].sort((a, b) => (a.created_at < b.created_at ? 1 : -1)).slice(0, config.keep.last);
  for (const r of newest) assert.ok(kept.has(r.id), `${label}: ${r.id} among the newest ${config.keep.last}`);
  const unpinnedKept = [...kept].filter((id) => !byId.get(id)!.pinned).length;
  assert.ok(unpinnedKept <= config.keep.last + config.keep.daily + config.keep.weekly, `${label}: kept ${unpinnedKept}`);

  // Time: one step along the table, only past retention, never a kept or deferred backup; CLEANABLE
  // → ARCHIVED only at or above the threshold; what is due and not moved is waiting for the user.
  const moved = new Set<string>();
  for (const m of result.time) {
    const r = byId.get(m.id)!;
    moved.add(m.id);
    assert.is(m.from, r.state, `${label}: ${m.id} from`);
    assert.is(m.to, NEXT[r.state], `${label}: ${m.id} one step`);
    assert.not.ok(kept.has(m.id), `${label}: kept ${m.id} moved by time`);
    assert.ok(now.getTime() - enteredAt(r) >= config.retention[r.state as keyof BackupConfig['retention']], `${label}: ${m.id} before its retention`);
    assert.is(conflictingAction(r, 'TIME_BASED', now), null, `${label}: ${m.id} moved inside the conflict window`);
    if (m.to === 'ARCHIVED') assert.ok(m.confidence >= config.autoCleanupConfidence, `${label}: ${m.id} archived at ${m.confidence}`);
  }
  for (const w of result.waiting) {
    assert.is(byId.get(w.id)!.state, 'CLEANABLE', `${label}: only CLEANABLE waits`);
    assert.ok(w.confidence! < config.autoCleanupConfidence, `${label}: ${w.id} waits at ${w.confidence}`);
  }
  if (!c.emergency) {
    const waiting = new Set(result.waiting.map((w) => w.id));
    const disk = new Set(result.disk.map((m) => m.id));
    for (const r of records) {
      const due = r.state !== 'DELETED' && !kept.has(r.id) && now.getTime() - enteredAt(r) >= config.retention[r.state as keyof BackupConfig['retention']] && !conflictingAction(r, 'TIME_BASED', now);
      assert.is(moved.has(r.id) || waiting.has(r.id) || disk.has(r.id), due, `${label}: ${r.id} (${r.state}) due=${due}`);
    }
  }

  // Disk: never pinned, never DELETED, CREATED/PENDING only with the user's consent, kept ones only
  // under nuclear; conservative archives confident ones only, the others delete; high-confidence
  // oldest first; it stops as soon as the need is met.
  const strategy = need.strategy;
  if (!strategy || need.bytes - alreadyFreed <= 0) assert.equal(result.disk, [], `${label}: nothing to free`);
  let freed = 0;
  let lastHigh: string | null = null;
  let seenLow = false;
  for (const [i, m] of result.disk.entries()) {
    const r = byId.get(m.id)!;
    assert.not.ok(r.pinned, `${label}: pinned ${m.id}`);
    assert.not.ok(e.exclude.has(m.id), `${label}: ${m.id} freed twice`);
    assert.ok(r.state !== 'DELETED', `${label}: ${m.id}`);
    if (r.state === 'CREATED' || r.state === 'PENDING') assert.ok(c.emergency?.consent, `${label}: un-integrated ${m.id} without consent`);
    if (strategy !== 'nuclear') assert.not.ok(kept.has(m.id), `${label}: kept ${m.id} under ${strategy}`);
    // Unique or unknown content is archived instead of deleted, unless the user consents.
    const mayDelete = containedOf(m.id) === true || consent;
    assert.is(m.steps.at(-1), strategy === 'conservative' || !mayDelete ? 'ARCHIVED' : 'DELETED', `${label}: ${m.id} target`);
    if (strategy === 'conservative') assert.ok(m.confidence >= config.autoCleanupConfidence, `${label}: ${m.id} at ${m.confidence}`);
    assert.is(m.confidence, confidence(r).total);
    assert.is(m.bytes, freedBy.get(m.id) ?? 0);
    if (need.bytes !== Infinity) assert.ok(m.bytes > 0, `${label}: ${m.id} frees nothing`);
    if (m.confidence >= config.autoCleanupConfidence) {
      assert.not.ok(seenLow, `${label}: confident ${m.id} after a less confident one`);
      if (lastHigh !== null) assert.ok(byId.get(lastHigh)!.created_at <= r.created_at, `${label}: ${m.id} oldest first`);
      lastHigh = m.id;
    } else seenLow = true;
    assert.ok(freed < need.bytes - alreadyFreed, `${label}: ${m.id} taken after the need was met (move ${i})`);
    freed += m.bytes;
  }
}

// --- the table ---------------------------------------------------------------------------------------
test('the input is what the cases assume', () => {
  const { records } = buildRecords();
  const count = (s: BackupState) => records.filter((r) => r.state === s).length;
  assert.equal(
    Object.fromEntries(['CREATED', 'PENDING', 'CONFIRMED', 'CLEANABLE', 'ARCHIVED', 'DELETED'].map((s) => [s, count(s as BackupState)])),
    { CREATED: 4, PENDING: 2, CONFIRMED: 11, CLEANABLE: 5, ARCHIVED: 5, DELETED: 1 },
  );
  assert.is(new Set(records.map((r) => r.id)).size, records.length, 'ids are unique');
});

for (const c of CASES) {
  test(`policy table: ${c.name}`, () => {
    const e = evaluate(c);
    checkInvariants(c, e);
    const file = join(GOLDEN_DIR, `${c.name}.json`);
    const text = JSON.stringify(e.result, null, 2) + '\n';
    if (UPDATE) {
      mkdirSync(GOLDEN_DIR, { recursive: true });
      writeFileSync(file, text);
    }
    assert.ok(existsSync(file), `golden file ${file} is missing: run with UPDATE_GOLDEN=1 and review it`);
    assert.fixture(text, readFileSync(file, 'utf8'), `${c.name}: differs from ${file}`);
  });
}

test('every golden file belongs to a case (none left behind by a renamed case)', () => {
  const names = new Set(CASES.map((c) => `${c.name}.json`));
  assert.is(names.size, CASES.length, 'case names are unique');
  for (const f of readdirSync(GOLDEN_DIR)) assert.ok(names.has(f), `${f} has no case`);
});

test.run();
