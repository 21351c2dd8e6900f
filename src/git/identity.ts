// Our commits (snapshots, notes) must never fail because the user has no user.name/user.email.
// Only when git cannot form an identity do we supply a fallback, so configured ones still show.
import { git, type RepoPaths } from './exec.js';

export const FALLBACK_NAME = 'git-backup';
export const FALLBACK_EMAIL = 'git-backup@localhost';

const cache = new Map<string, Record<string, string>>();

export async function identityEnv(repo: RepoPaths): Promise<Record<string, string>> {
  const hit = cache.get(repo.worktree);
  if (hit) return hit;
  const env: Record<string, string> = {};
  const committer = await git(['var', 'GIT_COMMITTER_IDENT'], { cwd: repo.worktree, okCodes: [128] });
  if (committer.code !== 0) {
    env.GIT_COMMITTER_NAME = FALLBACK_NAME;
    env.GIT_COMMITTER_EMAIL = FALLBACK_EMAIL;
  }
  const author = await git(['var', 'GIT_AUTHOR_IDENT'], { cwd: repo.worktree, okCodes: [128] });
  if (author.code !== 0) {
    env.GIT_AUTHOR_NAME = FALLBACK_NAME;
    env.GIT_AUTHOR_EMAIL = FALLBACK_EMAIL;
  }
  cache.set(repo.worktree, env);
  return env;
}
