// Which paths a sparse checkout keeps in the working tree: restore writes only those (unless the
// user asks for all), so restoring one file does not undo the user's sparse cone.

/** What the repository's sparse checkout says, as read by git/sparse.ts. */
export interface SparseCheckout {
  /** Paths in the index marked skip-worktree: outside the checkout. */
  skipWorktree: ReadonlySet<string>;
  /** Directories of a cone-mode checkout (`git sparse-checkout list`), null when not in cone mode. */
  coneDirs: readonly string[] | null;
}

/**
 * Whether a path belongs in the working tree. A path in the index decides by its skip-worktree bit;
 * a path git does not track (a file the backup brought back from its untracked part) by the cone:
 * files at the top, files directly in a parent of a cone directory, and everything under one. In a
 * non-cone checkout an untracked path is kept: git itself never hides untracked files.
 */
export function inSparseCheckout(path: string, sparse: SparseCheckout, tracked: ReadonlySet<string>): boolean {
  if (tracked.has(path)) return !sparse.skipWorktree.has(path);
  if (!sparse.coneDirs) return true;
  const slash = path.lastIndexOf('/');
  if (slash < 0) return true;
  const dir = path.slice(0, slash);
  return sparse.coneDirs.some((c) => path.startsWith(c + '/') || c === dir || c.startsWith(dir + '/'));
}
