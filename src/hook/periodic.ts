// The rate-limited time and disk checks a drain runs after reconcile (design.md §Triggers: TIME_BASED and
// DISK_SPACE, at most once per backup.check.interval). The last run is stamped in db.json before
// the checks run, so a check that fails is not retried on every commit; failures go to backup.log
// (a drain has no terminal, and a hook must never fail because of us).
import type { Context } from '../app/context.js';
import type { StoreData } from '../core/types.js';
import { logLine } from '../store/backup-log.js';
import { evaluate } from '../app/tick.js';
import { join } from 'node:path';
import { withLock } from '../store/lock.js';
import { BackupError, ExitCode } from '../errors.js';

function due(last: string | undefined, now: Date, intervalMs: number): boolean {
  if (!last) return true;
  const t = Date.parse(last);
  // A stamp in the future (clock stepped back) would block checks for that long: run instead.
  return Number.isNaN(t) || t > now.getTime() || now.getTime() - t >= intervalMs;
}

/** true when the checks ran. `seen`: the store (or its head) as the drain read it without the lock this round. */
export async function runRateLimitedChecks(ctx: Context, seen: Pick<StoreData, 'policy'>): Promise<boolean> {
  try {
    const config = await ctx.config();
    // The unlocked read first: the common case (not due) costs no write.
    if (!due(seen.policy?.last_check_at, ctx.now, config.check.interval)) return false;
    const go = await ctx.store.update((d) => {
      if (!due(d.policy?.last_check_at, ctx.now, config.check.interval)) return false; // another drain ran them
      d.policy = { ...d.policy, last_check_at: ctx.now.toISOString() };
      return true;
    });
    if (!go) return false;
    const r = await evaluate(ctx, { dryRun: false, config });
    for (const m of r.moves) logLine(ctx.store.paths.dir, `checks: ${m.id}: ${m.from} -> ${m.to} (${m.trigger}): ${m.why}`, ctx.now);
    return true;
  } catch (e) {
    logLine(ctx.store.paths.dir, `checks failed: ${e instanceof Error ? e.message : String(e)}`);
    return false;
  }
}

/**
 * The automatic push to backup.remote (docs/remote.md), at most once per backup.remote.interval,
 * counted from the last attempt (ok or not, so a remote that is down is tried again an interval
 * later, not on every commit). Run by a detached drain after it has left the drain lock (a slow
 * remote must not keep the next commit's drain waiting), under a lock of its own: while one drain
 * pushes, another skips. A failure is written to backup.log and to the push outcome that `status`
 * shows. true when it ran.
 */
export async function runRateLimitedPush(ctx: Context): Promise<boolean> {
  const dir = ctx.store.paths.dir;
  try {
    if (!(await pushDue(ctx))) return false;
    return await withLock(
      join(dir, 'push'),
      async () => {
        if (!(await pushDue(ctx))) return false; // the drain that held this lock pushed
        const { pushBackups } = await import('../app/remote.js');
        const r = await pushBackups(ctx, undefined);
        logLine(dir, `push ${r.remote}: ${r.sent} sent, ${r.already} already there, ${r.recorded} copies recorded, ${r.skipped.length} kept private`, ctx.now);
        return true;
      },
      { lockfilePath: join(dir, 'push.lock'), timeoutMs: 0 },
    );
  } catch (e) {
    if (e instanceof BackupError && e.exitCode === ExitCode.LOCK_TIMEOUT) return false; // another drain is pushing
    logLine(dir, `push failed (will retry after backup.remote.interval): ${e instanceof Error ? e.message : String(e)}`, ctx.now);
    return true;
  }
}

/** A backup remote is configured and its interval has passed since the last attempt. */
export async function pushDue(ctx: Context): Promise<boolean> {
  const config = await ctx.config();
  if (!config.remote.name) return false;
  const { lastPush } = await import('../app/push-outcome.js');
  const last = await lastPush(ctx);
  return !last || due(last.at, ctx.now, config.remote.interval);
}
