// A segment of the commit graph held in memory, so that thousands of ancestry questions cost no
// git process each. The segment is every commit reachable from the tips we care about, cut below
// a common ancestor of all the commits we ask about (see git/facts.ts), so answers inside it are
// exact for those commits.

export interface CommitInfo {
  parents: string[];
  /** Committer time, seconds since the epoch. */
  time: number;
  /** Author email, lower case (absent: not read). */
  author?: string;
  /**
   * Author time, seconds since the epoch (absent: not read). A cherry-pick or a rebase gives a
   * commit a new committer time but keeps when its change was written.
   */
  authorTime?: number;
}

export class CommitGraph {
  private readonly ancestorCache = new Map<string, Set<string>>();

  constructor(readonly commits: ReadonlyMap<string, CommitInfo>) {}

  has(sha: string): boolean {
    return this.commits.has(sha);
  }

  time(sha: string): number | null {
    return this.commits.get(sha)?.time ?? null;
  }

  authorTime(sha: string): number | null {
    return this.commits.get(sha)?.authorTime ?? null;
  }

  author(sha: string): string | null {
    return this.commits.get(sha)?.author ?? null;
  }

  isMerge(sha: string): boolean {
    return (this.commits.get(sha)?.parents.length ?? 0) > 1;
  }

  /** `sha` and everything reachable from it inside the segment. Memoised: callers ask per tip. */
  ancestors(sha: string): ReadonlySet<string> {
    const hit = this.ancestorCache.get(sha);
    if (hit) return hit;
    const seen = new Set<string>();
    const stack = [sha];
    while (stack.length) {
      const c = stack.pop()!;
      if (seen.has(c) || !this.commits.has(c)) continue;
      seen.add(c);
      for (const p of this.commits.get(c)!.parents) if (!seen.has(p)) stack.push(p);
    }
    this.ancestorCache.set(sha, seen);
    return seen;
  }

  isAncestor(ancestor: string, of: string): boolean {
    return this.ancestors(of).has(ancestor);
  }

  /**
   * For every commit reachable from `tip`, the commit of tip's first-parent chain that brought it
   * in: for a fast-forward that is the commit itself, for a --no-ff merge the merge commit. One
   * pass over the segment, walking the chain from oldest to newest.
   */
  introducedBy(tip: string): ReadonlyMap<string, string> {
    const chain: string[] = [];
    for (let c: string | undefined = tip; c && this.commits.has(c); c = this.commits.get(c)!.parents[0]) chain.push(c);
    const out = new Map<string, string>();
    for (const head of chain.reverse()) {
      const stack = [head];
      while (stack.length) {
        const c = stack.pop()!;
        if (out.has(c) || !this.commits.has(c)) continue;
        out.set(c, head);
        for (const p of this.commits.get(c)!.parents) if (!out.has(p)) stack.push(p);
      }
    }
    return out;
  }

  /**
   * A best common ancestor of a and b inside the segment (the newest common one by commit time,
   * which is git's merge-base for ordinary histories), or null when the segment has none.
   */
  mergeBase(a: string, b: string): string | null {
    const ofB = this.ancestors(b);
    let best: string | null = null;
    for (const c of this.ancestors(a)) {
      if (!ofB.has(c)) continue;
      if (best === null || this.time(c)! > this.time(best)! || (this.time(c) === this.time(best) && this.isAncestor(best, c))) best = c;
    }
    return best;
  }
}
