// Our commits (snapshots, notes) must never fail because the user has no user.name/user.email.
// The user's identity is used whenever git can form one; only when git refuses for want of one is
// the command retried once under a fixed fallback identity.
import { GitError, type RepoPaths } from './exec.js';

const FALLBACK_ENV: Record<string, string> = {
  GIT_AUTHOR_NAME: 'git-backup',
  GIT_AUTHOR_EMAIL: 'git-backup@localhost',
  GIT_COMMITTER_NAME: 'git-backup',
  GIT_COMMITTER_EMAIL: 'git-backup@localhost',
};
const IDENT_ERROR = /tell me who you are|unable to auto-detect email|empty ident|no name was given|invalid ident/i;

/** Repositories (by common dir) already known to have no identity: skip the failing first try. */
const needsFallback = new Set<string>();

/**
 * Run a git command that records an identity. `run` gets extra environment: empty at first, the
 * fallback identity on the one retry.
 */
export async function withIdentity<T>(repo: RepoPaths, run: (identity: Record<string, string>) => Promise<T>): Promise<T> {
  if (needsFallback.has(repo.commonDir)) return run(FALLBACK_ENV);
  try {
    return await run({});
  } catch (e) {
    if (!(e instanceof GitError) || !IDENT_ERROR.test(e.stderr)) throw e;
    needsFallback.add(repo.commonDir);
    return run(FALLBACK_ENV);
  }
}
