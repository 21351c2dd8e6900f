// Reading a sparse checkout: which index entries are skip-worktree and, in cone mode, the cone.
import type { SparseCheckout } from '../core/sparse.js';
import { git, type RepoPaths } from './exec.js';
import { splitZ } from './tree.js';

/** The sparse checkout with every tracked path, or null when sparse checkout is off (the common case: one git call). */
export async function readSparseCheckout(repo: RepoPaths): Promise<{ sparse: SparseCheckout; tracked: Set<string> } | null> {
  const cwd = repo.worktree;
  const on = await git(['config', '--bool', 'core.sparseCheckout'], { cwd, okCodes: [1] });
  if (on.stdout.trim() !== 'true') return null;
  const [files, cone] = await Promise.all([
    git(['ls-files', '-t', '-z'], { cwd }),
    git(['config', '--bool', 'core.sparseCheckoutCone'], { cwd, okCodes: [1] }),
  ]);
  const tracked = new Set<string>();
  const skipWorktree = new Set<string>();
  // `-t` prefixes each path with its status: S marks skip-worktree.
  for (const rec of splitZ(files.stdout)) {
    const path = rec.slice(2);
    tracked.add(path);
    if (rec.startsWith('S ')) skipWorktree.add(path);
  }
  let coneDirs: string[] | null = null;
  if (cone.stdout.trim() === 'true') {
    const list = await git(['sparse-checkout', 'list'], { cwd, okCodes: [128] });
    if (list.code === 0) coneDirs = list.stdout.split('\n').filter(Boolean);
  }
  return { sparse: { skipWorktree, coneDirs }, tracked };
}
