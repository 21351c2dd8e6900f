// `git backup diff`: the backup and the current working tree each as one tree (tracked files as
// they are on disk plus the untracked part), compared with plain git diff. No commits are made and
// the user's index is only ever copied.
import { join } from 'node:path';
import { git, gitBinary, gitLine, type RepoPaths } from './exec.js';
import { addFiles, captureTracked, emptyTree, indexEnv, listUntracked, splitZ, splitZBytes, withTempIndex, writeTree } from './tree.js';

export interface WorkingTreeOptions {
  includeIgnored: boolean;
  /** Same meaning as a snapshot's paths: HEAD's tree with only these taken from the working tree. */
  paths: string[];
  tmpDir: string;
}

const defaultTmp = (repo: RepoPaths) => join(repo.commonDir, 'backup', 'tmp');

/** A tree of the working tree as a backup taken now would hold it (tracked + untracked combined). */
export async function snapshotWorkingTree(repo: RepoPaths, opts: WorkingTreeOptions): Promise<string> {
  const [head, untracked] = await Promise.all([
    git(['rev-parse', '-q', '--verify', 'HEAD^{tree}'], { cwd: repo.worktree, okCodes: [1] }),
    listUntracked(repo, opts.includeIgnored, opts.paths),
  ]);
  const headTree = head.code === 0 ? head.stdout.trim() : await emptyTree(repo);
  return withTempIndex(opts.tmpDir, repo.indexFile, async (idx) => {
    await captureTracked(repo, idx, headTree, opts.paths, false);
    await addFiles(repo, idx, untracked);
    return writeTree(repo, idx);
  });
}

/** One tree holding a snapshot's tracked tree overlaid with its untracked parent's files. */
export async function backupTree(repo: RepoPaths, snapshotCommit: string, tmpDir: string = defaultTmp(repo)): Promise<string> {
  const cwd = repo.worktree;
  const [tree, ...parents] = (await gitLine(['log', '-1', '--no-show-signature', '--format=%T %P', snapshotCommit, '--'], { cwd })).split(' ');
  const untracked = parents[2];
  if (!untracked) return tree!;
  const entries = (await git(['ls-tree', '-r', '-z', untracked], { cwd })).stdout;
  return withTempIndex(tmpDir, null, async (idx) => {
    const env = indexEnv(idx);
    await git(['read-tree', tree!], { cwd, env });
    await git(['update-index', '--add', '--replace', '-z', '--index-info'], { cwd, env, input: entries });
    return writeTree(repo, idx);
  });
}

/** `git diff` text from tree a to tree b: a patch, or a diffstat with stat. */
export async function diffTrees(repo: RepoPaths, a: string, b: string, opts: { stat?: boolean } = {}): Promise<string> {
  const args = ['-c', 'core.quotePath=false', 'diff', '--no-color', '--no-ext-diff', '--no-textconv', '--no-renames'];
  if (opts.stat) args.push('--stat');
  args.push(a, b, '--');
  return (await git(args, { cwd: repo.worktree })).stdout;
}

export interface FileChange {
  path: string;
  /** A added, D deleted, M modified, T type changed (file ↔ symlink), from tree a to tree b. */
  status: string;
  /** Lines added/deleted; null for binary files. */
  added: number | null;
  deleted: number | null;
  /**
   * The name is not UTF-8: `path` shows it with U+FFFD, so it may read the same as another file's
   * name and must never be used to touch a file (undo deleted the wrong one).
   */
  unnamed?: true;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Per-file summary from tree a to tree b, for `diff --json`. */
export async function diffSummary(repo: RepoPaths, a: string, b: string): Promise<FileChange[]> {
  const cwd = repo.worktree;
  const [status, numstat] = await Promise.all([
    gitBinary(['diff-tree', '-r', '-z', '--no-renames', '--name-status', a, b], { cwd }),
    git(['diff-tree', '-r', '-z', '--no-renames', '--numstat', a, b], { cwd }),
  ]);
  const counts = new Map<string, [number | null, number | null]>();
  // --numstat -z: "added<TAB>deleted<TAB>path\0", with "-" for binary files.
  for (const rec of splitZ(numstat.stdout)) {
    const [added, deleted, ...rest] = rec.split('\t');
    const num = (v: string | undefined) => (v === undefined || v === '-' ? null : Number(v));
    counts.set(rest.join('\t'), [num(added), num(deleted)]);
  }
  const parts = splitZBytes(status.stdout);
  const out: FileChange[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    let path: string;
    let unnamed = false;
    try {
      path = strictUtf8.decode(parts[i + 1]!);
    } catch {
      path = parts[i + 1]!.toString('utf8');
      unnamed = true;
    }
    const [added, deleted] = unnamed ? [null, null] : (counts.get(path) ?? [null, null]);
    out.push({ path, status: parts[i]!.toString('utf8'), added, deleted, ...(unnamed ? { unnamed: true as const } : {}) });
  }
  return out;
}
