// `git backup sync [REMOTE]`: share backup histories through an ordinary remote. Fetch the remote's
// refs/notes/backups into refs/notes/backups-remote/<remote>, merge it into ours (git/notes-sync.ts)
// under the store lock, then push ours. A push that loses a race is fetched, merged and pushed again.
import type { Context } from './context.js';
import { BackupError, ExitCode, usageError } from '../errors.js';
import { GitError, GitTimeoutError } from '../git/exec.js';
import { NOTES_REF } from '../git/notes.js';
import { fetchNotes, mergeNotes, notesTip, pushNotes, remoteExists } from '../git/notes-sync.js';
import { withLock } from '../store/lock.js';

export interface SyncReport {
  remote: string;
  fetched: boolean;
  merged: boolean;
  pushed: boolean;
}

const ATTEMPTS = 3;

export async function syncNotes(ctx: Context, remote: string): Promise<SyncReport> {
  if (!/^[A-Za-z0-9._][A-Za-z0-9._/-]*$/.test(remote) || remote.includes('..')) throw usageError(`invalid remote name ${JSON.stringify(remote)}`);
  if (!(await remoteExists(ctx.repo, remote))) throw usageError(`no remote named ${JSON.stringify(remote)}; see git remote -v`);
  const tracking = `refs/notes/backups-remote/${remote}`;
  const report: SyncReport = { remote, fetched: false, merged: false, pushed: false };
  const timeoutMs = (await ctx.config()).remote.timeout;

  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    try {
      // false: the remote has no notes yet; nothing to merge, ours will be pushed.
      if (await fetchNotes(ctx.repo, remote, tracking, timeoutMs)) report.fetched = true;
    } catch (e) {
      throw networkError(remote, 'fetch', e);
    }
    if (report.fetched) report.merged = (await mergeUnderLock(ctx, tracking)) || report.merged;
    if ((await notesTip(ctx.repo)) === null) return report; // nothing here and nothing there
    let pushed;
    try {
      pushed = await pushNotes(ctx.repo, remote, attempt < ATTEMPTS, timeoutMs);
    } catch (e) {
      throw networkError(remote, 'push', e);
    }
    if (pushed === 'pushed') {
      report.pushed = true;
      return report;
    }
    // Someone pushed between our fetch and our push: go round again.
  }
  return report;
}

/** Merge the fetched notes into ours under the store lock (our own note writers hold it too). */
async function mergeUnderLock(ctx: Context, tracking: string): Promise<boolean> {
  return withLock(ctx.store.paths.db, () => mergeNotes(ctx.repo, tracking), { lockfilePath: ctx.store.paths.lock });
}

function networkError(remote: string, what: string, e: unknown): BackupError {
  const detail = e instanceof GitError ? (e.stderr.split('\n').find((l) => l.trim()) ?? `exit ${e.code}`).trim() : String(e);
  const hint = e instanceof GitTimeoutError ? ' (backup.remote.timeout)' : '';
  return new BackupError(ExitCode.UNEXPECTED, `sync: ${what} of ${NOTES_REF} with ${remote} failed: ${detail}${hint}`);
}
