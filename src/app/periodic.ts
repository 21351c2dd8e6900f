// The rate-limited time and disk checks a drain runs after reconcile (SPEC §5: TIME_BASED and
// DISK_SPACE, at most once per backup.check.interval).
import type { Context } from './context.js';

/**
 * A no-op until the retention and disk policies land. The drain already calls it at the right
 * moment (after events and reconcile, outside the drain's event write), so the policies only have to
 * fill it in: read backup.check.interval, compare with a last-run stamp in the store, run the checks.
 */
export async function runRateLimitedChecks(_ctx: Context): Promise<void> {
  return;
}
