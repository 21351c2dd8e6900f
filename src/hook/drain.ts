// The hook drain (`git backup hook drain`): apply the events the hooks appended, exactly once, then
// reconcile and run the rate-limited checks. See docs/hooks.md.
//
// Exactly once: the applied byte offset of events.log lives in db.json and moves in the same durable
// write that applies the events, so a crash before the write applied nothing and a crash after it
// recorded everything. At most one drain: a second lock beside the store's, tried without waiting;
// whoever finds it held leaves, and the holder looks at the log again after releasing it, so an event
// appended meanwhile is never stranded.
import { readFile, stat, unlink } from 'node:fs/promises';
import { replaceWhole } from '../fs/durable-write.js';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from '../app/context.js';
import type { HeadFields, StoreData } from '../core/types.js';
import { completeLines, parseEventLine, parseRewritePairs, type HookEvent } from '../core/events.js';
import { remapBaseSuccessors, remapPendingCommits, rewriteMap, type Remapped } from '../core/rewrite.js';
import { isoTime } from '../core/record.js';
import { formatNoteLine } from '../core/notes-format.js';
import { LINGER_MS, POLL_MS, fullRound, nextStep, pushWatches, sawGrowth, PUSH_WATCH_MS, SEQUENCE_DIRS, type PushWatch, type WaitState } from '../core/drain-schedule.js';
import { BackupError, ExitCode } from '../errors.js';
import { lockTimeoutMs, withLock } from '../store/lock.js';
import { readHead } from '../store/durable-file.js';
import { appliedOffset, eventsLogPath, fileSize, readChunk, takeMissedEvents } from './events-log.js';
import { logLine } from '../store/backup-log.js';
import { reconcile } from '../app/reconcile.js';
import { gitLine } from '../git/exec.js';
import { pushDue, runRateLimitedChecks } from './periodic.js';
import { processAlive } from '../fs/process.js';

/** Events read per store write: bounds memory; a bigger backlog takes several rounds. */
const MAX_CHUNK = 1024 * 1024;

export interface ApplyResult {
  applied: number;
  /**
   * The store as this write left it (reconcile plans from it: remapped pending commits included).
   * Absent when the events changed only the head, which is then written without reading the records.
   */
  data?: StoreData;
  skipped: string[];
  remapped: Remapped[];
  /** Backups whose base was rewritten (base → successor): reconcile may now find their work committed. */
  rebased: Remapped[];
  /** Stdin files of applied events, removed once the write is durable. */
  dataFiles: string[];
  /** Remote-tracking refs the pre-push events announce (what a detached drain waits for). */
  pushes: PushWatch[];
}

/** A hook's stdin (post-rewrite, pre-push), inline or from its side file (a missing file reads as empty, and is said). */
async function rewriteInput(storeDir: string, e: HookEvent, problems: string[]): Promise<string> {
  if (e.data.kind === 'inline') return e.data.text;
  if (e.data.kind === 'none') return '';
  try {
    return await readFile(join(storeDir, e.data.name), 'utf8');
  } catch {
    problems.push(`${e.hook} event at ${e.time}: its stdin file ${e.data.name} is gone; what it said was not followed`);
    return '';
  }
}

/** Whether events.log holds bytes past the offset `data` records as applied. */
async function eventsPending(storeDir: string, data: Pick<StoreData, 'events_offset'>): Promise<boolean> {
  return (await fileSize(eventsLogPath(storeDir))) !== appliedOffset(data);
}

/**
 * eventsPending as db.json says now, from its head (a few hundred bytes) when the file is whole:
 * a drain asks after every round and before it leaves, and a full read of a large index is most
 * of a drain's time. A head that cannot be trusted means a full read (which reports and repairs).
 */
async function eventsPendingNow(ctx: Context): Promise<boolean> {
  return eventsPending(ctx.store.paths.dir, (await readHead(ctx.store.paths.db)) ?? (await ctx.store.read()));
}

/**
 * Apply every complete event line past the offset in one store write. Null when none wait by
 * `seen` (a read without the lock: a drain with nothing to do must not rewrite a large db.json).
 */
export async function applyEvents(ctx: Context, seen: Pick<StoreData, 'events_offset'>): Promise<ApplyResult | null> {
  const dir = ctx.store.paths.dir;
  const log = eventsLogPath(dir);
  if (!(await eventsPending(dir, seen))) return null;
  const apply = eventsApplier(ctx);
  const opts = {
    afterWrite: async (r: ApplyResult) => {
      for (const f of r.dataFiles) await unlink(join(dir, f)).catch(() => {});
    },
  };
  // Only post-rewrite events change records: without one, only the head is written and the
  // records are neither read nor written (store.patch), which on a large store is most of a drain.
  if (!(await rewriteWaits(log, appliedOffset(seen)))) {
    try {
      return await ctx.store.patch([], (_, head) => apply(head, null), opts);
    } catch (e) {
      if (!(e instanceof NeedsRecords)) throw e; // one came in meanwhile: the whole index then
    }
  }
  // A remapped pending commit is a fact of the record: its note line goes in the same write, or the
  // index would say what the notes (the truth, docs/store.md) do not, until a recover appended it.
  return ctx.store.update((data) => apply(data, data), { ...opts, notes: (r) => ({ lines: remapLines(r, isoTime(ctx.now)) }) });
}

/** The `facts` note lines of the pending commits a rewrite moved, by snapshot. */
function remapLines(r: ApplyResult, at: string): Map<string, string[]> {
  const lines = new Map<string, string[]>();
  if (r.remapped.length === 0 || !r.data) return lines;
  const byId = new Map(r.data.backups.map((b) => [b.id, b]));
  for (const m of r.remapped) {
    const b = byId.get(m.id);
    if (b) lines.set(b.snapshot, [...(lines.get(b.snapshot) ?? []), formatNoteLine(at, { event: 'facts', id: b.id, facts: { pending_commit: m.to } })]);
  }
  return lines;
}

/**
 * The events past the offset that change only the head (every kind but post-rewrite), carried by
 * the round's next store write (Store.carry): the reconcile that follows them writes the index
 * anyway, and on a large index each write is most of a drain. Null when none wait by `seen` or a
 * post-rewrite event is among them (its records are remapped by applyEvents' own write). A
 * post-rewrite event found only under the lock ends what is carried before it; the next round
 * applies it.
 */
export async function carryEvents(ctx: Context, seen: Pick<StoreData, 'events_offset'>): Promise<{ result: () => ApplyResult | null } | null> {
  const dir = ctx.store.paths.dir;
  if (!(await eventsPending(dir, seen)) || (await rewriteWaits(eventsLogPath(dir), appliedOffset(seen)))) return null;
  // Only the events that were there before the reconcile read its facts: one appended while it
  // worked (a commit in another worktree) is for the next round, which reconciles it. Carried up
  // to the end of the log at write time, it counted as applied, the drain found nothing waiting
  // and left, and the backup that commit holds stayed CREATED (hostile campaign 47).
  const apply = eventsApplier(ctx, await fileSize(eventsLogPath(dir)));
  let last: ApplyResult | null = null;
  let done: ApplyResult | null = null;
  ctx.store.carry({
    apply: async (head) => void (last = await apply(head, 'before-rewrite')),
    carried: async () => {
      done = last;
      for (const f of done?.dataFiles ?? []) await unlink(join(dir, f)).catch(() => {});
    },
  });
  return { result: () => done };
}

/**
 * The events past the offset, applied to the head and, for post-rewrite events, to the records.
 * `data` null: the records were not read, and a post-rewrite event throws NeedsRecords;
 * 'before-rewrite': the events before the first post-rewrite one are applied, and it waits.
 */
function eventsApplier(ctx: Context, upTo = Infinity): (head: HeadFields, data: StoreData | null | 'before-rewrite') => Promise<ApplyResult> {
  const dir = ctx.store.paths.dir;
  const log = eventsLogPath(dir);
  return async (head, data) => {
    const records = typeof data === 'object' && data !== null ? data : null;
    const result: ApplyResult = { applied: 0, ...(records ? { data: records } : {}), skipped: [], remapped: [], rebased: [], dataFiles: [], pushes: [] };
    let offset = appliedOffset(head);
    const size = await fileSize(log);
    if (size < offset) {
      result.skipped.push(`events.log is shorter (${size} bytes) than the applied offset ${offset}: it was replaced; reading it from the start`);
      offset = 0;
    }
    const chunk = await readChunk(log, offset, Math.max(0, Math.min(MAX_CHUNK, upTo - offset)));
    let { lines, consumed } = completeLines(chunk);
    if (consumed === 0 && chunk.length === MAX_CHUNK) {
      // A "line" longer than any hook writes: skip it rather than stall every later event.
      ({ lines, consumed } = { lines: ['<oversized line>'], consumed: chunk.length });
    }
    const at = isoTime(ctx.now);
    for (const [k, line] of lines.entries()) {
      const parsed = parseEventLine(line);
      if (!parsed.ok) {
        result.skipped.push(`skipped a bad event line: ${parsed.reason}`);
        continue;
      }
      const e = parsed.event;
      if (e.hook === 'post-rewrite' && data === 'before-rewrite') {
        consumed = lineStart(chunk, k);
        break;
      }
      if (e.data.kind === 'file') result.dataFiles.push(e.data.name);
      if (e.hook === 'post-rewrite') {
        if (!records) throw new NeedsRecords();
        const map = rewriteMap(parseRewritePairs(await rewriteInput(dir, e, result.skipped)));
        // A loop, not push(...xs): a rebase may remap 100,000 backups, more arguments than a call takes.
        for (const m of remapPendingCommits(records.backups, map, at)) result.remapped.push(m);
        // git names the rewriting command in the hook's first argument; anything else is taken
        // as a rebase, the reading that never makes uncommitted work look committed.
        for (const m of remapBaseSuccessors(records.backups, map, e.args[0] === 'amend', at)) result.rebased.push(m);
      }
      if (e.hook === 'pre-push') result.pushes.push(...pushWatches(e, await rewriteInput(dir, e, result.skipped)));
      result.applied++;
    }
    head.events_offset = offset + consumed;
    head.events_applied = (head.events_applied ?? 0) + result.applied;
    head.stats = { ...head.stats, drain: { at, ok: true } }; // status --prometheus
    return result;
  };
}

/** Where line `k` of a chunk's complete lines starts (its bytes: a line is not always valid UTF-8). */
function lineStart(chunk: Buffer, k: number): number {
  let at = 0;
  for (let i = 0; i < k; i++) at = chunk.indexOf(0x0a, at) + 1;
  return at;
}

/** A post-rewrite event met where the records were not read. */
class NeedsRecords extends Error {}

/** Whether a post-rewrite event is among the lines past `offset` (read without the lock: a hint). */
async function rewriteWaits(log: string, offset: number): Promise<boolean> {
  const { lines } = completeLines(await readChunk(log, offset, MAX_CHUNK).catch(() => Buffer.alloc(0)));
  return lines.some((line) => {
    const parsed = parseEventLine(line);
    return parsed.ok && parsed.event.hook === 'post-rewrite';
  });
}

export interface DrainReport {
  /** busy: another drain held the drain lock, and will look at the log after us. gone: the repository or its store went away. */
  status: 'done' | 'busy' | 'gone';
  applied: number;
  remapped: Remapped[];
  moved: { id: string; from: string; to: string }[];
  /** Rounds run (each: events, then reconcile and checks unless forced in the middle of a burst). */
  rounds: number;
  /** Rounds that reconciled. */
  reconciled: number;
  /** Remote-tracking refs the applied pre-push events announced (a foreground drain leaves them to a detached one). */
  pushes: PushWatch[];
  /** A push to backup.remote was due when this drain reconciled; it is made after the drain (hook/main.ts). */
  pushDue: boolean;
}

export interface DrainOptions {
  /**
   * Started by a hook in the background (`hook drain --detached`): wait for a burst of events to
   * end before reading, and after a push wait for the remote-tracking refs it updates.
   */
  detached?: boolean;
  /** How long to wait for the drain lock (default: not at all). */
  lockWaitMs?: number;
  /** Remote-tracking refs to wait for from the start (a detached drain a foreground one left them to). */
  watch?: PushWatch[];
  /**
   * Started by a foreground drain for what it left (a push to follow, a push to make), not by a
   * hook: no hook counts on it (drain.pid does not name it), so it does not linger for more events.
   */
  follower?: boolean;
}

// drain.pid: "a drain will read events.log after you read this". The hook block reads it with the
// `read` builtin and tests the pid with `kill -0` (no process started): alive means no new drain.
// The hook writes the pid of the drain it starts; a drain holding the lock writes its own; one that
// finds the lock held writes the holder's (drain.owner) and leaves. A drain leaves the file only
// after its last look at the log: it removes its own pid first, then looks once more.
const TOKEN = 'drain.pid';
const OWNER = 'drain.owner';

/** This boot's id (Linux; '' elsewhere): a pid written before a reboot names nothing of ours. */
let bootIdCache: string | undefined;
function bootId(): string {
  if (bootIdCache === undefined) {
    try {
      bootIdCache = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      bootIdCache = '';
    }
  }
  return bootIdCache;
}

/** The pid in drain.pid / drain.owner (`PID BOOT-ID`), or null when absent or from another boot. */
function readPid(path: string): number | null {
  try {
    if (!statSync(path).isFile()) return null; // a FIFO in its place is never waited on
    const [p, boot = ''] = readFileSync(path, 'utf8').trim().split(/\s+/);
    const n = Number(p);
    return Number.isInteger(n) && n > 1 && boot === bootId() ? n : null;
  } catch {
    return null;
  }
}

/** A small file in the store, written only while the store is still there (never recreated). */
async function writePid(ctx: Context, name: string, pid: number): Promise<void> {
  if (repoGone(ctx)) return;
  // Through a temp file renamed over it: whole for the hooks' `read`, and whatever was in its place (a FIFO) replaced, never waited on.
  await replaceWhole(join(ctx.store.paths.dir, name), `${pid} ${bootId()}\n`.replace(' \n', '\n')).catch(() => {});
}

async function removeIfMine(ctx: Context, name: string, pid: number): Promise<void> {
  const p = join(ctx.store.paths.dir, name);
  if (readPid(p) === pid) await unlink(p).catch(() => {});
}

/**
 * Whether the repository (or its store) is gone: `rm -rf` under way. Checked before every write,
 * so a drain racing the deletion stops instead of writing a file back into it.
 */
export function repoGone(ctx: Context): boolean {
  return (
    !existsSync(ctx.store.paths.dir) ||
    !existsSync(join(ctx.repo.commonDir, 'HEAD')) ||
    !existsSync(join(ctx.repo.gitDir, 'HEAD')) ||
    (ctx.repo.worktree !== '' && !existsSync(ctx.repo.worktree))
  );
}

/** A rebase, am or cherry-pick sequence under way in any worktree of the repository. */
function inSequence(ctx: Context): boolean {
  const dirs = new Set([ctx.repo.gitDir, ctx.repo.commonDir]);
  const wt = join(ctx.repo.commonDir, 'worktrees');
  if (existsSync(wt)) for (const n of readdirSyncSafe(wt)) dirs.add(join(wt, n));
  for (const d of dirs) for (const s of SEQUENCE_DIRS) if (existsSync(join(d, s))) return true;
  return false;
}

function readdirSyncSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * TEST-ONLY: GIT_BACKUP_TEST_DRAIN_MAX_DELAY_MS replaces the bound on a burst's wait, so a test's
 * short burst runs past it (rounds forced mid-burst). Never set it in real use.
 */
const TEST_MAX_DELAY_MS = ((v) => (v !== undefined && /^[0-9]+$/.test(v) ? Number(v) : undefined))(process.env.GIT_BACKUP_TEST_DRAIN_MAX_DELAY_MS);

/** What a detached drain knows of the burst's pace, kept across its rounds. */
interface Pace {
  w: WaitState;
  /** The log's size when it last looked; null before the first wait. */
  size: number | null;
}

/**
 * Wait until events.log has been quiet long enough (core/drain-schedule): a burst becomes one
 * round. 'forced': the bound ran out with the burst still going. The pace (the gaps between events)
 * carries over from one wait to the next, so the quiet time after a mid-burst round still fits it.
 */
async function waitForQuiet(ctx: Context, pace: Pace): Promise<'quiet' | 'forced' | 'gone'> {
  const log = eventsLogPath(ctx.store.paths.dir);
  const w = pace.w;
  w.startedAt = Date.now();
  const look = async () => {
    const now = await fileSize(log).catch(() => 0);
    if (now === pace.size) return;
    // Grown since the last look (during the round, or before the first one: the hook's event).
    if (pace.size !== null) sawGrowth(w, Date.now(), true);
    pace.size = now;
  };
  await look();
  for (;;) {
    const step = nextStep(Date.now(), w, inSequence(ctx), TEST_MAX_DELAY_MS);
    if (step.kind === 'run') return step.quiet ? 'quiet' : 'forced';
    await sleep(step.ms);
    if (repoGone(ctx)) return 'gone';
    await look();
  }
}

/** Idle for LINGER_MS unless events arrive or the repository goes away. */
async function linger(ctx: Context): Promise<'events' | 'gone' | 'idle'> {
  const log = eventsLogPath(ctx.store.paths.dir);
  const size = await fileSize(log).catch(() => 0);
  for (const end = Date.now() + LINGER_MS; Date.now() < end; ) {
    await sleep(POLL_MS);
    if (repoGone(ctx)) return 'gone';
    if ((await fileSize(log).catch(() => 0)) !== size) return 'events';
  }
  return 'idle';
}

interface Watch extends PushWatch {
  until: number;
}

/** The value of a ref, cheaply: its loose file when there is one, else git. */
async function refValue(ctx: Context, ref: string): Promise<string | null> {
  const loose = join(ctx.repo.commonDir, ref);
  try {
    const v = (await readFile(loose, 'utf8')).trim();
    if (/^[0-9a-f]{40,64}$/.test(v)) return v;
  } catch {
    // packed, reftable or absent: ask git
  }
  try {
    return await gitLine(['rev-parse', '--verify', '-q', `${ref}^{commit}`], { cwd: ctx.repo.worktree || ctx.repo.gitDir, okCodes: [1] }) || null;
  } catch {
    return null;
  }
}

/**
 * After a push: wait (without the lock) until a pushed remote-tracking ref points at the pushed
 * commit, so the reconcile that follows sees it; new events or the repository going away end the
 * wait too. Watches that landed or expired are removed from `watches`.
 */
async function waitForPush(ctx: Context, watches: Watch[]): Promise<'landed' | 'events' | 'expired' | 'gone'> {
  let lastStamp = '';
  for (let i = 0; watches.length > 0; i++) {
    const now = Date.now();
    for (let j = watches.length - 1; j >= 0; j--) if (watches[j]!.until <= now) watches.splice(j, 1);
    if (watches.length === 0) return 'expired';
    if (repoGone(ctx)) return 'gone';
    if (await eventsPendingNow(ctx)) return 'events';
    // Look at the refs when their files changed, and every second regardless (packed refs, reftable).
    const stamp = (await Promise.all(watches.map((w) => stat(join(ctx.repo.commonDir, w.ref)).then((s) => `${s.ino}:${s.mtimeMs}`, () => '-')))).join(',');
    if (stamp !== lastStamp || i % 5 === 0) {
      lastStamp = stamp;
      let landed = false;
      for (let j = watches.length - 1; j >= 0; j--) {
        if ((await refValue(ctx, watches[j]!.ref)) === watches[j]!.sha) {
          watches.splice(j, 1);
          landed = true;
        }
      }
      if (landed) return 'landed';
    }
    await sleep(200);
  }
  return 'expired';
}

/**
 * One round under the drain lock: events, then reconcile, then the rate-limited checks, all from
 * one read of the store (or the one the events' write left): each re-checks under the lock.
 * `full` false (a round forced in the middle of a burst): the events only; the reconcile waits for
 * the burst's end (core/drain-schedule `fullRound`).
 */
async function round(ctx: Context, report: DrainReport, watches: Watch[] | null, full: boolean): Promise<number> {
  report.rounds++;
  // Events a hook could not append (the store was not writable then) join the log first.
  const missed = await takeMissedEvents(ctx.store.paths.dir).catch((e: Error) => {
    logLine(ctx.store.paths.dir, `drain: could not take the missed events: ${e.message}`);
    return 0;
  });
  if (missed > 0) logLine(ctx.store.paths.dir, `drain: ${missed} event(s) the hooks could not record in events.log were added to it`);
  // The head of db.json (a few hundred bytes) says whether events wait and when the checks last
  // ran: the records are read only by what needs them (the events' locked write, the reconcile).
  const head = await readHead(ctx.store.paths.db);
  const whole = head ? null : await ctx.store.read();
  const seen = head ?? whole!;
  // Events that change only the head ride with the reconcile's write when one follows.
  const carried = full ? await carryEvents(ctx, seen) : null;
  const r = carried ? null : await applyEvents(ctx, seen);
  if (r) took(ctx, report, r, watches);
  if (!full || repoGone(ctx)) return r?.applied ?? 0;
  try {
    // Planned from the records in play only (parsed alone, the rest of a large index walked past),
    // unless a read of the whole store was made anyway this round.
    const rec = await reconcile(ctx, { trigger: 'GIT_HOOK', data: r?.data ?? whole ?? (await ctx.store.live()) ?? undefined });
    // A loop, not push(...xs): the first drain over a store may move 100,000 backups (a call takes fewer arguments).
    for (const m of rec.moved) report.moved.push(m);
    report.reconciled++;
    if (repoGone(ctx)) return r?.applied ?? 0;
    // The time/disk checks once per drain process: they are rate-limited anyway, and a burst's later
    // rounds should not pay their config read again.
    if (report.reconciled === 1) {
      await runRateLimitedChecks(ctx, seen);
      // Then whether a push to backup.remote is due (at most once per backup.remote.interval). It
      // is not made here, under the drain lock: the drain makes it after leaving (hook/main.ts), or
      // a drain the git command waits for (sync mode) leaves it to a detached one.
      if (!repoGone(ctx)) report.pushDue = await pushDue(ctx).catch(() => false);
    }
  } finally {
    // The events no write of this round carried are written alone (a reconcile that moved nothing);
    // what they said is told (log, push watches) even when the reconcile failed.
    if (carried && !repoGone(ctx)) await ctx.store.flushRider();
    const c = carried?.result();
    if (c) took(ctx, report, c, watches);
  }
  return r?.applied ?? carried?.result()?.applied ?? 0;
}

/** What applied events tell the drain's report and log. */
function took(ctx: Context, report: DrainReport, r: ApplyResult, watches: Watch[] | null): void {
  report.applied += r.applied;
  for (const m of r.remapped) report.remapped.push(m);
  for (const s of r.skipped) logLine(ctx.store.paths.dir, `drain: ${s}`);
  for (const m of r.remapped) logLine(ctx.store.paths.dir, `drain: ${m.id}: pending commit ${m.from.slice(0, 12)} was rewritten as ${m.to.slice(0, 12)}`);
  for (const m of r.rebased) logLine(ctx.store.paths.dir, `drain: ${m.id}: base ${m.from.slice(0, 12)} was rewritten as ${m.to.slice(0, 12)}`);
  report.pushes.push(...r.pushes);
  if (watches) for (const p of r.pushes) watches.push({ ...p, until: Date.now() + PUSH_WATCH_MS });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Rounds in a row that may find events waiting yet apply none (a line still being written) before giving up. */
const MAX_IDLE_ROUNDS = 3;

/** Attempts to hand over to a lock holder before waiting for the lock as long as a stale takeover needs. */
const HANDOVER_ATTEMPTS = 10;

/**
 * The drain found the lock held: tell the hooks that the holder (drain.owner) is the drain to count
 * on, then make sure it still holds the lock (so its look at the log after releasing comes later).
 */
async function handOver(ctx: Context): Promise<boolean> {
  const ownerPath = join(ctx.store.paths.dir, OWNER);
  const owner = readPid(ownerPath);
  if (owner === null || !processAlive(owner)) return false;
  await writePid(ctx, TOKEN, owner);
  return readPid(ownerPath) === owner && existsSync(join(ctx.store.paths.dir, 'drain.lock'));
}

export async function drain(ctx: Context, opts: DrainOptions = {}): Promise<DrainReport> {
  const dir = ctx.store.paths.dir;
  const me = process.pid;
  const report: DrainReport = { status: 'done', applied: 0, remapped: [], moved: [], rounds: 0, reconciled: 0, pushes: [], pushDue: false };
  const gone = (): DrainReport => ({ ...report, status: 'gone' });
  const watches: Watch[] | null = opts.detached ? (opts.watch ?? []).map((w) => ({ ...w, until: Date.now() + PUSH_WATCH_MS })) : null;
  let handovers = 0;
  let wait = opts.lockWaitMs ?? 0;
  const pace: Pace = { w: { startedAt: 0, lastGrowthAt: Date.now(), lastGapMs: null, prevGapMs: null }, size: null };
  let lastReconcileAt = Date.now();
  // Events applied by a round that did not reconcile: a reconcile is owed before leaving.
  let owed = false;
  for (let idle = 0; ; ) {
    if (repoGone(ctx)) return gone();
    let quiet = true;
    if (opts.detached) {
      const q = await waitForQuiet(ctx, pace);
      if (q === 'gone') return gone();
      quiet = q === 'quiet';
    }
    const full = fullRound(quiet, Date.now() - lastReconcileAt);
    const roundStart = Date.now();
    let entered = false;
    let progress = 0;
    try {
      progress = await withLock(
        join(dir, 'drain'),
        async () => {
          entered = true;
          if (repoGone(ctx)) return -1;
          await writePid(ctx, OWNER, me);
          await writePid(ctx, TOKEN, me);
          try {
            return await round(ctx, report, watches, full);
          } finally {
            await removeIfMine(ctx, OWNER, me);
          }
        },
        { lockfilePath: join(dir, 'drain.lock'), timeoutMs: wait },
      );
    } catch (e) {
      if (!entered && e instanceof BackupError && e.exitCode === ExitCode.LOCK_TIMEOUT) {
        // Owing a reconcile for events we applied, we stay: the holder may have found nothing to apply.
        if (!opts.detached || (!owed && (await handOver(ctx)))) return { ...report, status: report.applied > 0 ? 'done' : 'busy' };
        // The holder died, or is between two steps: try again, then wait as long as a takeover of
        // its stale lock needs.
        wait = ++handovers >= HANDOVER_ATTEMPTS ? lockTimeoutMs() : 100;
        continue;
      }
      if (repoGone(ctx)) return gone();
      throw e;
    }
    if (progress < 0 || repoGone(ctx)) return gone();
    if (full) {
      lastReconcileAt = Date.now();
      pace.w.lastRoundMs = lastReconcileAt - roundStart;
      owed = false;
    } else if (progress > 0) {
      owed = true;
    }
    // Released. Anything appended while we held the lock belongs to a drain that found it busy and
    // left: it is ours to apply now.
    if (await eventsPendingNow(ctx)) {
      idle = progress === 0 ? idle + 1 : 0;
      if (idle >= MAX_IDLE_ROUNDS) {
        logLine(dir, 'drain: events.log ends with an incomplete line; it is left for the next drain');
        return report;
      }
      if (idle > 0) await sleep(50);
      continue;
    }
    idle = 0;
    // A forced round applied events without reconciling: go round again once the burst is quiet.
    if (owed) continue;
    if (watches && watches.length > 0) {
      const w = await waitForPush(ctx, watches);
      if (w === 'gone') return gone();
      if (w !== 'expired') continue; // landed: reconcile now sees the pushed refs; events: apply them
    }
    // Stay a moment, still the drain the hooks count on: the next commit of a slow burst is ours.
    if (opts.detached && !opts.follower) {
      const l = await linger(ctx);
      if (l === 'gone') return gone();
      if (l === 'events') {
        // After a pause that long a new burst begins: its pace is its own.
        pace.w = { startedAt: 0, lastGrowthAt: Date.now(), lastGapMs: null, prevGapMs: null, lastRoundMs: pace.w.lastRoundMs ?? null };
        pace.size = null;
        continue;
      }
    }
    // Leaving: no longer the drain the hooks count on, then one last look (a hook that read our pid
    // before we removed it appended its event before that).
    await removeIfMine(ctx, TOKEN, me);
    if (repoGone(ctx)) return gone();
    if (!(await eventsPendingNow(ctx))) return report;
  }
}
