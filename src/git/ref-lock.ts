// Another git process holding a ref's lock file (`<ref>.lock`, `packed-refs.lock`): a commit, a
// rebase copying notes, `git pack-refs` or `git gc` hold one for milliseconds; one that died left
// it for good. Our ref writes wait the first kind out and name the file for the second.

/**
 * The lock file git could not create because it exists, from a failed ref update's stderr; null
 * for any other failure. Not any "cannot lock ref": that is also a ref in the way
 * (refs/notes/backups/x under refs/notes/backups), which no wait mends and git's message says.
 */
export function heldLock(stderr: string): string | null {
  return /Unable to create '([^']*\.lock)': File exists/.exec(stderr)?.[1] ?? null;
}

/**
 * How long a write keeps trying: git itself waits 100 ms for a ref's lock
 * (core.filesRefLockTimeout) and 1 s for packed-refs' (core.packedRefsTimeout) before it fails,
 * so the budget is time, not a count of tries; then the caller's exit 5.
 */
const LOCK_BUDGET_MS = 2500;
const FIRST_PAUSE_MS = 20;

/** `write` (a git process updating a ref) tried again while it fails on a held lock file, pauses doubling, for LOCK_BUDGET_MS; the last result. */
export async function waitingOutLock<R extends { code: number; stderr: string }>(write: () => Promise<R>): Promise<R> {
  const started = Date.now();
  let pause = FIRST_PAUSE_MS;
  for (;;) {
    const r = await write();
    if (r.code === 0 || heldLock(r.stderr) === null) return r;
    const left = LOCK_BUDGET_MS - (Date.now() - started);
    if (left <= 0) return r;
    await new Promise((done) => setTimeout(done, Math.min(pause, left)));
    pause *= 2;
  }
}
