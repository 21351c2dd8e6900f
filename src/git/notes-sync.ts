// The git half of `git backup sync`: fetch a remote's refs/notes/backups into a tracking ref, merge
// it into ours with cat_sort_uniq (note lines are timestamp-first, so the union in byte order is the
// union in time order and nothing conflicts), push ours. app/sync.ts decides the order, the retries
// and the lock; this file only speaks to git.
import { git, GitError, type RepoPaths } from './exec.js';
import { withIdentity } from './identity.js';
import { NOTES_REF } from './notes.js';

const NO_REMOTE_REF = /couldn't find remote ref|no such ref/i;
const REJECTED = /rejected|non-fast-forward|fetch first|stale info/i;

export async function remoteExists(repo: RepoPaths, remote: string): Promise<boolean> {
  return (await git(['remote', 'get-url', remote], { cwd: repo.worktree, okCodes: [2, 128] })).code === 0;
}

/** Fetch the remote's notes into `tracking`; false when the remote has none yet. Other failures throw. */
export async function fetchNotes(repo: RepoPaths, remote: string, tracking: string, timeoutMs?: number): Promise<boolean> {
  try {
    await git(['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', remote, `+${NOTES_REF}:${tracking}`], { cwd: repo.worktree, timeoutMs });
    return true;
  } catch (e) {
    if (e instanceof GitError && NO_REMOTE_REF.test(e.stderr)) return false;
    throw e;
  }
}

/** Our notes commit, or null when there are no notes here. */
export async function notesTip(repo: RepoPaths): Promise<string | null> {
  const r = await git(['rev-parse', '-q', '--verify', NOTES_REF], { cwd: repo.worktree, okCodes: [1] });
  return r.code === 0 ? r.stdout.trim() : null;
}

/** Push our notes; 'rejected' when someone pushed since our fetch and `mayRetry` (fetch, merge and try again). Other failures throw. */
export async function pushNotes(repo: RepoPaths, remote: string, mayRetry: boolean, timeoutMs?: number): Promise<'pushed' | 'rejected'> {
  try {
    await git(['push', '--quiet', '--no-verify', remote, `${NOTES_REF}:${NOTES_REF}`], { cwd: repo.worktree, timeoutMs });
    return 'pushed';
  } catch (e) {
    if (mayRetry && e instanceof GitError && REJECTED.test(e.stderr)) return 'rejected';
    throw e;
  }
}

/** Merge `tracking` into our notes (or take it as ours when we have none); true when ours changed. Call under the store lock. */
export async function mergeNotes(repo: RepoPaths, tracking: string): Promise<boolean> {
  const cwd = repo.worktree;
  const before = await notesTip(repo);
  if (before === null) {
    await git(['update-ref', NOTES_REF, tracking, ''], { cwd });
    return true;
  }
  await withIdentity(repo, (identity) => git(['notes', `--ref=${NOTES_REF}`, 'merge', '--quiet', '-s', 'cat_sort_uniq', tracking], { cwd, env: identity }));
  return (await notesTip(repo)) !== before;
}
