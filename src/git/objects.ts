// Object ids: which of a list the repository has (one `cat-file --batch-check` for all of them), and
// the id git gives a blob, computed without git.
import type { Hash } from 'node:crypto';
import { nodeCrypto } from '../builtins.js';
import { git, type RepoPaths } from './exec.js';

/** A hash that gives a blob's object id once `size` bytes of content are fed to it (for streams). */
export function blobHasher(size: number, sha256: boolean): Hash {
  return nodeCrypto().createHash(sha256 ? 'sha256' : 'sha1').update(`blob ${size}\0`);
}

/** git's object id of a blob with this content (sha1 or sha256, as the repository uses). */
export function blobId(content: Buffer, sha256: boolean): string {
  return blobHasher(content.length, sha256).update(content).digest('hex');
}

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
