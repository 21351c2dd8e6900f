// The hook drain (`git backup hook drain`): apply the events the hooks appended, exactly once, then
// reconcile and run the rate-limited checks. See docs/hooks.md.
//
// Exactly once: the applied byte offset of events.log lives in db.json and moves in the same durable
// write that applies the events, so a crash before the write applied nothing and a crash after it
// recorded everything. At most one drain: a second lock beside the store's, tried without waiting;
// whoever finds it held leaves, and the holder looks at the log again after releasing it, so an event
// appended meanwhile is never stranded.
import { readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context } from './context.js';
import type { StoreData } from '../core/types.js';
import { completeLines, parseEventLine, parseRewritePairs, type HookEvent } from '../core/events.js';
import { remapBaseSuccessors, remapPendingCommits, rewriteMap, type Remapped } from '../core/rewrite.js';
import { isoTime } from '../core/record.js';
import { BackupError, ExitCode } from '../errors.js';
import { withLock } from '../store/lock.js';
import { appliedOffset, eventsLogPath, fileSize, readChunk } from './events-log.js';
import { logLine } from './backup-log.js';
import { reconcile } from './reconcile.js';
import { runRateLimitedChecks } from './periodic.js';

/** Events read per store write: bounds memory; a bigger backlog takes several rounds. */
const MAX_CHUNK = 1024 * 1024;

export interface ApplyResult {
  applied: number;
  /** The store as this write left it (reconcile plans from it: remapped pending commits included). */
  data: StoreData;
  skipped: string[];
  remapped: Remapped[];
  /** Backups whose base was rewritten (base → successor): reconcile may now find their work committed. */
  rebased: Remapped[];
  /** Stdin files of applied events, removed once the write is durable. */
  dataFiles: string[];
}

/** post-rewrite's stdin, inline or from its side file (a missing file reads as empty, and is said). */
async function rewriteInput(storeDir: string, e: HookEvent, problems: string[]): Promise<string> {
  if (e.data.kind === 'inline') return e.data.text;
  if (e.data.kind === 'none') return '';
  try {
    return await readFile(join(storeDir, e.data.name), 'utf8');
  } catch {
    problems.push(`post-rewrite event at ${e.time}: its stdin file ${e.data.name} is gone; rewrites in it were not followed`);
    return '';
  }
}

/** Whether events.log holds bytes past the offset `data` records as applied. */
async function eventsPending(storeDir: string, data: StoreData): Promise<boolean> {
  return (await fileSize(eventsLogPath(storeDir))) !== appliedOffset(data);
}

/**
 * Apply every complete event line past the offset in one store write. Null when none wait by
 * `seen` (a read without the lock: a drain with nothing to do must not rewrite a large db.json).
 */
export async function applyEvents(ctx: Context, seen: StoreData): Promise<ApplyResult | null> {
  const dir = ctx.store.paths.dir;
  const log = eventsLogPath(dir);
  if (!(await eventsPending(dir, seen))) return null;
  return ctx.store.update(
    async (data) => {
      const result: ApplyResult = { applied: 0, data, skipped: [], remapped: [], rebased: [], dataFiles: [] };
      let offset = appliedOffset(data);
      const size = await fileSize(log);
      if (size < offset) {
        result.skipped.push(`events.log is shorter (${size} bytes) than the applied offset ${offset}: it was replaced; reading it from the start`);
        offset = 0;
      }
      const chunk = await readChunk(log, offset, MAX_CHUNK);
      let { lines, consumed } = completeLines(chunk);
      if (consumed === 0 && chunk.length === MAX_CHUNK) {
        // A "line" longer than any hook writes: skip it rather than stall every later event.
        ({ lines, consumed } = { lines: ['<oversized line>'], consumed: chunk.length });
      }
      const at = isoTime(ctx.now);
      for (const line of lines) {
        const parsed = parseEventLine(line);
        if (!parsed.ok) {
          result.skipped.push(`skipped a bad event line: ${parsed.reason}`);
          continue;
        }
        const e = parsed.event;
        if (e.data.kind === 'file') result.dataFiles.push(e.data.name);
        if (e.hook === 'post-rewrite') {
          const map = rewriteMap(parseRewritePairs(await rewriteInput(dir, e, result.skipped)));
          result.remapped.push(...remapPendingCommits(data.backups, map, at));
          // git names the rewriting command in the hook's first argument; anything else is taken
          // as a rebase, the reading that never makes uncommitted work look committed.
          result.rebased.push(...remapBaseSuccessors(data.backups, map, e.args[0] === 'amend', at));
        }
        result.applied++;
      }
      data.events_offset = offset + consumed;
      data.events_applied = (data.events_applied ?? 0) + result.applied;
      return result;
    },
    {
      afterWrite: async (r) => {
        for (const f of r.dataFiles) await unlink(join(dir, f)).catch(() => {});
      },
    },
  );
}

export interface DrainReport {
  /** busy: another drain held the drain lock, and will look at the log after us. */
  status: 'done' | 'busy';
  applied: number;
  remapped: Remapped[];
  moved: { id: string; from: string; to: string }[];
}

/**
 * One round under the drain lock: events, then reconcile, then the rate-limited checks, all from
 * one read of the store (or the one the events' write left): each re-checks under the lock.
 */
async function round(ctx: Context, report: DrainReport): Promise<number> {
  const seen = await ctx.store.read();
  const r = await applyEvents(ctx, seen);
  if (r) {
    report.applied += r.applied;
    report.remapped.push(...r.remapped);
    for (const s of r.skipped) logLine(ctx.store.paths.dir, `drain: ${s}`);
    for (const m of r.remapped) logLine(ctx.store.paths.dir, `drain: ${m.id}: pending commit ${m.from.slice(0, 12)} was rewritten as ${m.to.slice(0, 12)}`);
    for (const m of r.rebased) logLine(ctx.store.paths.dir, `drain: ${m.id}: base ${m.from.slice(0, 12)} was rewritten as ${m.to.slice(0, 12)}`);
  }
  const rec = await reconcile(ctx, { trigger: 'GIT_HOOK', data: r?.data ?? seen });
  report.moved.push(...rec.moved);
  await runRateLimitedChecks(ctx, seen);
  return r?.applied ?? 0;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Rounds in a row that may find events waiting yet apply none (a line still being written) before giving up. */
const MAX_IDLE_ROUNDS = 3;

export async function drain(ctx: Context): Promise<DrainReport> {
  const dir = ctx.store.paths.dir;
  const report: DrainReport = { status: 'done', applied: 0, remapped: [], moved: [] };
  for (let idle = 0; ; ) {
    let entered = false;
    let progress = 0;
    try {
      progress = await withLock(
        join(dir, 'drain'),
        async () => {
          entered = true;
          return round(ctx, report);
        },
        { lockfilePath: join(dir, 'drain.lock'), timeoutMs: 0 },
      );
    } catch (e) {
      if (!entered && e instanceof BackupError && e.exitCode === ExitCode.LOCK_TIMEOUT) {
        return { ...report, status: report.applied > 0 ? 'done' : 'busy' };
      }
      throw e;
    }
    // Released. Anything appended while we held the lock belongs to a drain that found it busy and
    // left: it is ours to apply now.
    if (!(await eventsPending(dir, await ctx.store.read()))) return report;
    idle = progress === 0 ? idle + 1 : 0;
    if (idle >= MAX_IDLE_ROUNDS) {
      logLine(dir, 'drain: events.log ends with an incomplete line; it is left for the next drain');
      return report;
    }
    if (idle > 0) await sleep(50);
  }
}
