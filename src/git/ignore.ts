// Which paths git ignores, for `run --watch`: the ignored directories not to watch at all, and which
// of a burst's changed paths are ignored (one `check-ignore` per burst). A tracked file is never
// ignored (git's rule, and ours: a backup holds it).
import { git, type RepoPaths } from './exec.js';

const splitZ = (s: string) => s.split('\0').filter((p) => p !== '');

/** Ignored directories (worktree-relative, no trailing slash) as git lists them, collapsed. */
export async function ignoredDirectories(repo: RepoPaths): Promise<Set<string>> {
  const r = await git(['ls-files', '-z', '--others', '--ignored', '--exclude-standard', '--directory'], { cwd: repo.worktree });
  return new Set(splitZ(r.stdout).filter((p) => p.endsWith('/')).map((p) => p.slice(0, -1)));
}

/** The ones among `paths` (worktree-relative) that git ignores. */
export async function ignoredAmong(repo: RepoPaths, paths: readonly string[]): Promise<Set<string>> {
  if (paths.length === 0) return new Set();
  // Exit 1: none of them is ignored.
  const r = await git(['check-ignore', '-z', '--stdin'], { cwd: repo.worktree, input: paths.join('\0') + '\0', okCodes: [1] });
  return new Set(splitZ(r.stdout));
}
