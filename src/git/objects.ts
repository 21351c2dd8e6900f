// Which of a list of object names the repository has: one `cat-file --batch-check` for all of them.
import { git, type RepoPaths } from './exec.js';

/**
 * The names in `shas` that exist (of `type` only, when given), in input order. A snapshot can be
 * gone after archive and prune, a commit recorded in another clone never here.
 */
export async function existingObjects(repo: RepoPaths, shas: readonly string[], type?: 'commit' | 'tree' | 'blob'): Promise<string[]> {
  if (shas.length === 0) return [];
  const r = await git(['cat-file', '--batch-check=%(objectname) %(objecttype)'], { cwd: repo.worktree, input: shas.join('\n') + '\n' });
  const kind = type ? new Set([type]) : new Set(['commit', 'tree', 'blob', 'tag']);
  const out: string[] = [];
  for (const line of r.stdout.split('\n')) {
    const [sha, t] = line.split(' ');
    if (sha && t && kind.has(t)) out.push(sha);
  }
  return out;
}
