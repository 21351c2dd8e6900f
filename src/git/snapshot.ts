// The backup content: a stash-shaped commit made through temporary indexes (design.md §Storage), so that
// `git stash apply --index <commit>` restores it without this tool, and nothing of the user's
// (index, HEAD, refs, reflogs, stash, working tree) is touched.
import { nodeCrypto } from '../builtins.js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BackupError, ExitCode, invalidError, usageError } from '../errors.js';
import { git, GitError, gitLine, type RepoPaths } from './exec.js';
import { withIdentity } from './identity.js';
import { heldLock, waitingOutLock } from './ref-lock.js';
import { writeCommitObject } from './loose-object.js';
import { headValue } from './ref-files.js';
import { isObjectId } from '../core/ids.js';
import { readMemo, writeMemo } from './memo-file.js';
import { rememberedUntracked, rememberUntracked, untrackedKey } from './untracked-memo.js';
import { commitText, keptAsIs, type OwnCommits } from '../core/own-commits.js';
import { deletedBase, toEntry } from './content.js';
import { pathCount, protectedEntries, type ProtectedEntry } from '../core/content.js';
import {
  addFiles,
  captureTracked,
  ignoredFiles,
  emptyTree,
  listUntracked,
  emptyTreeId,
  parseStdinRawZ,
  type RawChange,
  withTempIndex,
  writeTree,
} from './tree.js';
import { captureWholeTree, type IndexCacheUse } from './worktree-index.js';
import { diffTreePairs, objectSizes } from './resident.js';

export interface SnapshotRequest {
  repo: RepoPaths;
  message: string;
  includeIgnored: boolean;
  /** Repo-relative paths, validated by the caller; [] means the whole working tree. */
  paths: string[];
  createdAt: Date;
  /** A private 0700 directory for the temporary indexes (never /tmp). */
  tmpDir: string;
  /** Where a whole-tree snapshot keeps its temporary index for the next one (worktree-index.ts); none: not kept. */
  indexCacheDir?: string;
  /** Paths to capture in the untracked part if they are ignored files, though includeIgnored is false. */
  alsoIgnored?: string[];
  /** Identities to write the commits under ourselves (loose-object.ts); absent or null: `git commit-tree`. A promise is awaited at the first commit. */
  ownCommits?: Promise<OwnCommits | null> | OwnCommits | null;
  /**
   * The files besides the attributes files whose content decides how an untracked file is stored
   * (the configuration files, core.attributesFile): the untracked part's memo is keyed on them too
   * (untracked-memo.ts). null: that set is not certain, no memo; absent: none.
   */
  conversionInputs?: Promise<string[] | null> | string[] | null;
}

export interface Snapshot {
  commit: string;
  /** HEAD at creation, null on an unborn branch. */
  base: string | null;
  /** Short branch name (the unborn one on an unborn branch), null when detached. */
  branch: string | null;
  indexCommit: string;
  untrackedCommit: string | null;
  /** Files the backup protects: tracked paths differing from base (worktree or staged) + untracked. */
  files: number;
  bytes: number;
  /** What it protects, path by path with its content id (sorted by path). */
  protects: ProtectedEntry[];
  /** Whether the tracked part came from the kept temporary index (worktree-index.ts). */
  indexCache: IndexCacheUse;
  /** Whether the untracked part came from the memo (untracked-memo.ts), was made by git, or there was none. */
  untrackedMemo: 'hit' | 'miss' | 'none';
  /** The snapshot's three trees (worktree, index, untracked part): what `sameSnapshotTrees` compares. */
  trees: SnapshotTrees;
}

export interface SnapshotTrees {
  worktree: string;
  index: string;
  untracked: string | null;
}

export interface SnapshotTrailers {
  created: string;
  branch: string | null;
  base: string | null;
  includeIgnored: boolean;
  paths: string[];
  nonce: string;
}


interface HeadInfo {
  base: string | null;
  baseTree: string | null;
  branch: string | null;
  /** "<short> <subject>" as stash writes it. */
  describe: string;
}

/**
 * The checked-out branch. HEAD is a plain file in the git dir ("ref: refs/heads/<name>" or a commit
 * id when detached): reading it saves a process on every backup. Anything else (a reftable stub,
 * an unreadable file) is left to `git symbolic-ref`.
 */
async function readBranch(repo: RepoPaths): Promise<string | null> {
  const text = await readFile(join(repo.gitDir, 'HEAD'), 'utf8').catch(() => '');
  const ref = /^ref: refs\/heads\/(.+)\n?$/.exec(text);
  if (ref && !ref[1]!.startsWith('.')) return ref[1]!;
  if (/^[0-9a-f]{40}([0-9a-f]{24})?\n?$/.test(text)) return null;
  const sym = await git(['symbolic-ref', '-q', '--short', 'HEAD'], { cwd: repo.worktree, okCodes: [1] });
  return sym.code === 0 ? sym.stdout.trim() : null;
}

async function readHead(repo: RepoPaths, memoFile: string | null): Promise<HeadInfo> {
  const [branch, known] = await Promise.all([readBranch(repo), memoFile ? rememberedHead(repo, memoFile) : null]);
  if (known) return { ...known, branch };
  // `log` fails (128) on an unborn branch: that is how "no base" is detected, in one process.
  const log = await git(['log', '-1', '--no-show-signature', '--format=%H %T %h %s', 'HEAD', '--'], { cwd: repo.worktree, okCodes: [128] });
  const m = log.code === 0 ? /^(\S+) (\S+) (.*)$/s.exec(log.stdout.replace(/\n$/, '')) : null;
  if (!m) return { base: null, baseTree: null, branch, describe: '(no commits yet)' };
  if (memoFile) await writeMemo(memoFile, m[1]!, `${m[2]} ${m[3]}`);
  return { base: m[1]!, baseTree: m[2]!, branch, describe: m[3]! };
}

/**
 * HEAD's tree and description as the last `git log` of them found, while HEAD is still that commit
 * (read from the ref files): a commit's tree and subject never change, so most backups need no `log`.
 */
async function rememberedHead(repo: RepoPaths, memoFile: string): Promise<Omit<HeadInfo, 'branch'> | null> {
  const head = await headValue(repo);
  const value = head ? await readMemo(memoFile, head) : null;
  const sp = value?.indexOf(' ') ?? -1;
  const baseTree = value && sp > 0 ? value.slice(0, sp) : '';
  return head && isObjectId(baseTree) ? { base: head, baseTree, describe: value!.slice(sp + 1) } : null;
}

/**
 * Our commits never run hooks or move HEAD; their dates are the backup's creation time. Written by
 * this process where core/own-commits.ts allows (the same bytes `commit-tree` would write, without
 * its process), else by `git commit-tree`.
 */
class Committer {
  constructor(
    private readonly repo: RepoPaths,
    private readonly date: Date,
    private readonly own: Promise<OwnCommits | null> | OwnCommits | null,
  ) {}

  async commit(tree: string, parents: string[], message: string): Promise<string> {
    const when = `${Math.floor(this.date.getTime() / 1000)} +0000`;
    const own = await this.own;
    const text = own ? commitText({ tree, parents, ...own, when, message }) : null;
    if (text !== null && keptAsIs(text)) return writeCommitObject(this.repo, text);
    const args = ['commit-tree', '--no-gpg-sign', tree, ...parents.flatMap((p) => ['-p', p]), '-F', '-'];
    return withIdentity(this.repo, (identity) =>
      gitLine(args, { cwd: this.repo.worktree, env: { GIT_AUTHOR_DATE: when, GIT_COMMITTER_DATE: when, ...identity }, input: message }),
    );
  }
}

function snapshotMessage(req: SnapshotRequest, head: HeadInfo, nonce: string): string {
  const on = head.branch ?? '(no branch)';
  const subject = req.message.trim() ? `On ${on}: ${req.message.trim().split('\n')[0]}` : `WIP on ${on}: ${head.describe}`;
  const lines = [subject, ''];
  if (req.message.trim()) lines.push(req.message.trim(), '');
  lines.push(`Backup-Created: ${req.createdAt.toISOString()}`);
  lines.push(`Backup-Branch: ${head.branch ?? '(detached)'}`);
  lines.push(`Backup-Base: ${head.base ?? 'none'}`);
  lines.push(`Backup-Include-Ignored: ${req.includeIgnored}`);
  if (req.paths.length) lines.push(`Backup-Paths: ${JSON.stringify(req.paths)}`);
  lines.push(`Backup-Nonce: ${nonce}`);
  return lines.join('\n') + '\n';
}

/**
 * On an unborn branch there is no HEAD to be the first parent. Rather than change the commit's
 * shape (which would break `stash apply` and every reader that counts parents), the first parent
 * is a parentless commit of the empty tree; `Backup-Base: none` records that it is not a real base.
 */
async function unbornBase(committer: Committer, empty: string, on: string): Promise<string> {
  return committer.commit(empty, [], `git-backup: empty base for unborn branch ${on}\n`);
}

export async function takeSnapshot(req: SnapshotRequest): Promise<Snapshot> {
  const { repo } = req;
  const indexPath = repo.indexFile;
  const committer = new Committer(repo, req.createdAt, req.ownCommits ?? null);
  // HEAD (one `git log`) is read alongside the trees: only a path-limited capture needs its tree
  // before it starts (to leave the other paths as they are in HEAD).
  const headP = readHead(repo, req.indexCacheDir ? join(req.indexCacheDir, 'head') : null);
  const untrackedMemo = req.indexCacheDir && req.paths.length === 0 && !req.alsoIgnored?.length ? join(req.indexCacheDir, 'untracked') : null;
  const baseTreeP = headP.then(async (h) => h.baseTree ?? (await emptyTree(repo)));
  baseTreeP.catch(() => undefined); // awaited below (Promise.all); unawaited here when nothing is path-limited

  // The tracked trees: for the whole tree through worktree-index.ts (the kept index beside a copy of
  // the user's, when it may stand in), each tree as soon as it is known, so the index commit is
  // made while `git add -u` runs; path-limited, one copy of the user's index, one after the other.
  const whole = req.indexCacheDir && req.paths.length === 0 ? captureWholeTree(repo, req.tmpDir, req.indexCacheDir) : null;
  const trackedP = whole
    ? null
    : withTempIndex(req.tmpDir, indexPath, async (idx) => captureTracked(repo, idx, req.paths.length ? await baseTreeP : '', req.paths, true));
  const indexTreeP = whole ? whole.indexTree : trackedP!.then((t) => t.indexTree!);
  const worktreeP = whole ? whole.worktree : trackedP!.then((t) => ({ tree: t.worktreeTree, cache: 'none' as const }));
  const untrackedP = (async () => {
    const [listed, ignored] = await Promise.all([
      listUntracked(repo, req.includeIgnored, req.paths),
      req.alsoIgnored?.length && !req.includeIgnored ? ignoredFiles(repo, req.alsoIgnored) : [],
    ]);
    const names = new Set(listed.map((b) => b.toString('latin1')));
    const files = [...listed, ...ignored.map((p) => Buffer.from(p)).filter((b) => !names.has(b.toString('latin1')))];
    if (files.length === 0) return null;
    // Whole-tree only: the memo's files are all the untracked ones (untracked-memo.ts).
    const inputs = req.conversionInputs === undefined ? [] : await req.conversionInputs;
    const key = untrackedMemo && inputs ? await untrackedKey(repo, files, `${req.includeIgnored}`, inputs) : null;
    const known = key && untrackedMemo ? await rememberedUntracked(repo, untrackedMemo, key.key) : null;
    if (known) return { tree: known, key: null, hit: true };
    const tree = await withTempIndex(req.tmpDir, null, async (idx) => {
      await addFiles(repo, idx, files);
      return writeTree(repo, idx);
    });
    return { tree, key, hit: false };
  })();
  const untrackedTreeP = untrackedP.then((u) => u?.tree ?? null);
  const on = (h: HeadInfo) => h.branch ?? '(no branch)';
  const parentP = headP.then(async (h) => h.base ?? (await unbornBase(committer, await emptyTree(repo), on(h))));
  const indexCommitP = Promise.all([headP, parentP, indexTreeP]).then(([h, parent, tree]) => committer.commit(tree, [parent], `index on ${on(h)}: ${h.describe}\n`));
  const untrackedCommitP = Promise.all([headP, untrackedTreeP]).then(([h, tree]) => (tree ? committer.commit(tree, [], `untracked files on ${on(h)}: ${h.describe}\n`) : null));
  // Everything awaited at once: a failure anywhere is the snapshot's, and leaves no promise unhandled.
  const [head, baseTree, worktree, indexTree, untracked, parent, indexCommit, untrackedCommit] = await Promise.all([
    headP, baseTreeP, worktreeP, indexTreeP, untrackedP, parentP, indexCommitP, untrackedCommitP,
  ]);
  const untrackedTree = untracked?.tree ?? null;

  // The snapshot commit and the protected-content scan need only the trees: side by side.
  const nonce = nodeCrypto().randomBytes(8).toString('hex');
  const parents = [parent, indexCommit, ...(untrackedCommit ? [untrackedCommit] : [])];
  const [commit, { entries: protects, sizes, untrackedObjects }] = await Promise.all([
    committer.commit(worktree.tree, parents, snapshotMessage(req, head, nonce)),
    protectedContent(repo, baseTree, worktree.tree, indexTree, untrackedTree),
  ]);
  if (untracked?.key && untrackedMemo) await rememberUntracked(untrackedMemo, untracked.key, untracked.tree, untrackedObjects);
  let bytes = 0;
  for (const size of sizes.values()) bytes += size;
  const trees = { worktree: worktree.tree, index: indexTree, untracked: untrackedTree };
  const untrackedMemoUse = !untracked ? 'none' : untracked.hit ? 'hit' : 'miss';
  return { commit, base: head.base, branch: head.branch, indexCommit, untrackedCommit, files: pathCount(protects), bytes, protects, indexCache: worktree.cache, untrackedMemo: untrackedMemoUse, trees };
}

/**
 * What the backup protects (design.md §Storage): tracked paths whose worktree or staged content differs from
 * the base, plus everything in the untracked part, each with its blob size (0 for deletions and
 * submodule pointers). Two questions to git whatever the size, each to a process kept for the next
 * backup (resident.ts): `diff-tree --stdin` for the three comparisons (base→worktree, base→index,
 * nothing→untracked), and cat-file for the sizes.
 * Every argument is a tree id.
 */
async function protectedContent(
  repo: RepoPaths,
  baseTree: string,
  worktreeTree: string,
  indexTree: string,
  untrackedTree: string | null,
): Promise<{ entries: ProtectedEntry[]; sizes: Map<string, number>; untrackedObjects: { trees: string[]; blobs: string[] } }> {
  const pairs = [`${baseTree} ${worktreeTree}`, `${baseTree} ${indexTree}`];
  if (untrackedTree) pairs.push(`${emptyTreeId(untrackedTree)} ${untrackedTree}`);
  // -t: the untracked part's subtrees too, which its memo must find still there (untracked-memo.ts);
  // tree records are set aside, the rest is what `-r` alone gives.
  const out = await diffTreePairs(repo, pairs);
  const isTree = (c: RawChange) => c.srcMode === '040000' || c.dstMode === '040000';
  const [work = [], staged = [], untrackedAll = []] = parseStdinRawZ(out, pairs);
  const untracked = untrackedAll.filter((c) => !isTree(c));
  const untrackedObjects = { trees: untrackedAll.filter(isTree).map((c) => c.dstSha), blobs: untracked.map((c) => c.dstSha) };
  const [workFiles, stagedFiles] = [work.filter((c) => !isTree(c)), staged.filter((c) => !isTree(c))];
  const gitlinks = new Set([...workFiles, ...stagedFiles, ...untracked].filter((c) => c.dstMode === '160000').map((c) => c.dstSha));
  const entries = protectedEntries(workFiles.map(toEntry), stagedFiles.map(toEntry), untracked.map(toEntry), deletedBase(workFiles));
  const wanted = [...new Set(entries.map((e) => e.oid).filter((s): s is string => s !== null && !gitlinks.has(s)))];
  const bySha = await objectSizes(repo, wanted);
  // Deletions and submodule pointers count as files of 0 bytes; a path staged and then edited, both versions.
  const sizes = new Map<string, number>();
  for (const e of entries) sizes.set(e.path, (sizes.get(e.path) ?? 0) + (e.oid ? (bySha.get(e.oid) ?? 0) : 0));
  return { entries, sizes, untrackedObjects };
}

const ID_RE = /^\d{8}-\d{6}-[0-9a-f]{4,}$/;
/** refs/backups/<id>, for an id of the right shape (else a usage error: ids come from the user too). */
export const backupRefName = (id: string) => {
  if (!ID_RE.test(id)) throw usageError(`invalid backup id "${id}": expected YYYYMMDD-HHMMSS-xxxx`);
  return `refs/backups/${id}`;
};

/**
 * Create refs/backups/<id>; refuses to replace a ref that points elsewhere. Finding it already at
 * `commit` is success, so a retried store update can write it again.
 */
export async function writeBackupRef(repo: RepoPaths, id: string, commit: string): Promise<void> {
  const ref = backupRefName(id);
  try {
    // --no-deref: a symbolic ref left there by hand (dangling) is replaced, not followed to create the branch it names.
    await git(['update-ref', '--no-deref', '-m', 'git-backup: create', ref, commit, ''], { cwd: repo.worktree });
  } catch (e) {
    if (!(e instanceof GitError)) throw e;
    const now = await git(['rev-parse', '--verify', '-q', ref], { cwd: repo.worktree, okCodes: [1] });
    if (now.stdout.trim() === commit) return;
    if (/nonexistent object/.test(e.stderr)) throw new BackupError(ExitCode.UNEXPECTED, `cannot create ${ref}: the snapshot ${commit.slice(0, 12)} is gone from the object database (pruned while it was made?); nothing was recorded`);
    throw invalidError(`cannot create ${ref}: it already exists or is locked (${e.stderr.trim().split('\n')[0]})`);
  }
}

/** Path → size of what a snapshot protects, read back from its parents (tombstones, rebuilds). */
export async function protectedContentOf(repo: RepoPaths, snapshot: string): Promise<Map<string, number>> {
  const parents = (await gitLine(['rev-parse', `${snapshot}^@`], { cwd: repo.worktree })).split('\n');
  const commits = [parents[0]!, snapshot, parents[1]!, ...(parents[2] ? [parents[2]] : [])];
  const trees = (await gitLine(['rev-parse', ...commits.map((c) => `${c}^{tree}`)], { cwd: repo.worktree })).split('\n');
  return (await protectedContent(repo, trees[0]!, trees[1]!, trees[2]!, trees[3] ?? null)).sizes;
}

/**
 * Whether an earlier snapshot has exactly these trees (modes, staged content and untracked files
 * included): what makes a new backup the same as that one. One git process.
 */
export async function sameSnapshotTrees(repo: RepoPaths, snapshot: string, trees: SnapshotTrees): Promise<boolean> {
  const names = [`${snapshot}^{tree}`, `${snapshot}^2^{tree}`, ...(trees.untracked ? [`${snapshot}^3^{tree}`] : [])];
  const r = await git(['rev-parse', ...names], { cwd: repo.worktree, okCodes: [1, 128] });
  if (r.code !== 0) return false;
  return r.stdout.split('\n').filter(Boolean).join(' ') === [trees.worktree, trees.index, ...(trees.untracked ? [trees.untracked] : [])].join(' ');
}

/**
 * Delete refs/backups/<id> only if it still points at expectedSha. The ref itself, never what it
 * names: made a symbolic ref by hand (`git symbolic-ref refs/backups/<id> refs/heads/x`), a plain
 * `update-ref -d` would delete the user's branch x and leave the symbolic ref behind.
 */
export async function deleteBackupRef(repo: RepoPaths, id: string, expectedSha: string): Promise<void> {
  const ref = backupRefName(id);
  const r = await waitingOutLock(() => git(['update-ref', '--no-deref', '-d', ref, expectedSha], { cwd: repo.worktree, okCodes: [1, 128] }));
  if (r.code === 0) return;
  const lock = heldLock(r.stderr);
  // A lock left by a git process that died (packed-refs.lock, the ref's own): said as such, not as a moved ref.
  if (lock) throw new BackupError(ExitCode.LOCK_TIMEOUT, `cannot delete ${ref}: ${lock} exists (another git process is writing refs; remove that file if none is running); git backup recover deletes the ref once it is gone`);
  throw invalidError(`cannot delete ${ref}: it no longer points at ${expectedSha.slice(0, 12)}`);
}

/** The creation metadata carried in a snapshot commit's message. */
export async function readSnapshotTrailers(repo: RepoPaths, commit: string): Promise<SnapshotTrailers> {
  const raw = await git(['cat-file', 'commit', commit], { cwd: repo.worktree });
  return parseTrailers(raw.stdout, commit);
}

export function parseTrailers(commitText: string, commit: string): SnapshotTrailers {
  const body = commitText.slice(commitText.indexOf('\n\n') + 2);
  const paragraphs = body.replace(/\n+$/, '').split('\n\n');
  const fields = new Map<string, string>();
  for (const line of paragraphs[paragraphs.length - 1]!.split('\n')) {
    const m = /^(Backup-[A-Za-z-]+): (.*)$/.exec(line);
    if (m) fields.set(m[1]!, m[2]!);
  }
  const created = fields.get('Backup-Created');
  const nonce = fields.get('Backup-Nonce');
  if (!created || !nonce) throw new BackupError(ExitCode.INVALID, `commit ${commit.slice(0, 12)} is not a git-backup snapshot (no Backup- trailers)`);
  const branch = fields.get('Backup-Branch') ?? '(detached)';
  const base = fields.get('Backup-Base') ?? 'none';
  let paths: string[] = [];
  const rawPaths = fields.get('Backup-Paths');
  if (rawPaths) {
    const parsed: unknown = JSON.parse(rawPaths);
    if (!Array.isArray(parsed) || !parsed.every((p) => typeof p === 'string')) throw invalidError(`commit ${commit.slice(0, 12)}: bad Backup-Paths trailer`);
    paths = parsed as string[];
  }
  return {
    created,
    branch: branch === '(detached)' ? null : branch,
    base: base === 'none' ? null : base,
    includeIgnored: fields.get('Backup-Include-Ignored') === 'true',
    paths,
    nonce,
  };
}
