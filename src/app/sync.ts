// `git backup sync [REMOTE]`: share backup histories through an ordinary remote. Fetch the remote's
// refs/notes/backups into refs/notes/backups-remote/<remote>, merge it into ours with cat_sort_uniq
// (note lines are timestamp-first, so the union in byte order is the union in time order and
// nothing conflicts), then push ours. A push that loses a race is fetched, merged and pushed again.
import type { Context } from './context.js';
import { BackupError, ExitCode, usageError } from '../errors.js';
import { git, GitError } from '../git/exec.js';
import { withIdentity } from '../git/identity.js';
import { NOTES_REF } from '../git/notes.js';
import { withLock } from '../store/lock.js';

export interface SyncReport {
  remote: string;
  fetched: boolean;
  merged: boolean;
  pushed: boolean;
}

const ATTEMPTS = 3;
const NO_REMOTE_REF = /couldn't find remote ref|no such ref/i;
const REJECTED = /rejected|non-fast-forward|fetch first|stale info/i;

export async function syncNotes(ctx: Context, remote: string): Promise<SyncReport> {
  if (!/^[A-Za-z0-9._][A-Za-z0-9._/-]*$/.test(remote) || remote.includes('..')) throw usageError(`invalid remote name ${JSON.stringify(remote)}`);
  const cwd = ctx.repo.worktree;
  const known = await git(['remote', 'get-url', remote], { cwd, okCodes: [2, 128] });
  if (known.code !== 0) throw usageError(`no remote named ${JSON.stringify(remote)}; see git remote -v`);
  const tracking = `refs/notes/backups-remote/${remote}`;
  const report: SyncReport = { remote, fetched: false, merged: false, pushed: false };

  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    try {
      await git(['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', remote, `+${NOTES_REF}:${tracking}`], { cwd });
      report.fetched = true;
    } catch (e) {
      if (!(e instanceof GitError) || !NO_REMOTE_REF.test(e.stderr)) throw networkError(remote, 'fetch', e);
      // The remote has no notes yet: nothing to merge, ours will be pushed.
    }
    if (report.fetched) report.merged = (await mergeUnderLock(ctx, tracking)) || report.merged;
    const local = await git(['rev-parse', '-q', '--verify', NOTES_REF], { cwd, okCodes: [1] });
    if (local.code !== 0) return report; // nothing here and nothing there
    try {
      await git(['push', '--quiet', '--no-verify', remote, `${NOTES_REF}:${NOTES_REF}`], { cwd });
      report.pushed = true;
      return report;
    } catch (e) {
      // Someone pushed between our fetch and our push: go round again.
      if (attempt < ATTEMPTS && e instanceof GitError && REJECTED.test(e.stderr)) continue;
      throw networkError(remote, 'push', e);
    }
  }
  return report;
}

/** Merge the fetched notes into ours under the store lock (our own note writers hold it too). */
async function mergeUnderLock(ctx: Context, tracking: string): Promise<boolean> {
  const cwd = ctx.repo.worktree;
  return withLock(
    ctx.store.paths.db,
    async () => {
      const before = await git(['rev-parse', '-q', '--verify', NOTES_REF], { cwd, okCodes: [1] });
      if (before.code !== 0) {
        // No local notes: take the remote's as they are.
        await git(['update-ref', NOTES_REF, tracking, ''], { cwd });
        return true;
      }
      await withIdentity(ctx.repo, (identity) =>
        git(['notes', `--ref=${NOTES_REF}`, 'merge', '--quiet', '-s', 'cat_sort_uniq', tracking], { cwd, env: identity }),
      );
      const after = await git(['rev-parse', NOTES_REF], { cwd });
      return after.stdout.trim() !== before.stdout.trim();
    },
    { lockfilePath: ctx.store.paths.lock },
  );
}

function networkError(remote: string, what: string, e: unknown): BackupError {
  const detail = e instanceof GitError ? (e.stderr.split('\n').find((l) => l.trim()) ?? `exit ${e.code}`).trim() : String(e);
  return new BackupError(ExitCode.UNEXPECTED, `sync: ${what} of ${NOTES_REF} with ${remote} failed: ${detail}`);
}
