// The untracked part of a whole-tree snapshot without `update-index` and `write-tree` when the
// untracked files are the ones the last snapshot took, unchanged: two git processes of a checkpoint
// (issue 10), where an agent's new files sit untouched turn after turn. The memo (`<store>/
// worktree-index/untracked`, memo-file.ts) names the files by path and stat data (size, mtime,
// ctime, inode, mode), as git's own index does, and holds the tree and the blobs it names.
// The same bytes on disk are not always the same blob: attributes (text/eol, filters, working-tree-
// encoding) and configuration (core.autocrlf, core.fileMode, filter drivers) decide what `update-index`
// stores. So the key also holds the stat data of what decides that (conversion.ts of git reads them):
// every `.gitattributes` that can apply to one of the files (one per directory from the top down to
// the file's), the repository's info/attributes and the global and system attributes files, the
// variables that change what git reads (GIT_CONFIG_*, GIT_ATTR_*), and the configuration files and
// core.attributesFile, which the caller names (config/cache.ts certainConfigFiles: where that set is
// not certain, an include or `git -c`, there is no memo). What it cannot see: a `.gitattributes`
// missing from the working tree whose index version changes (git falls back to it), and a system
// configuration outside /etc.
// Trusted only when:
// - every file's times were at least 3 s old when the memo was made (git's racy-clean rule:
//   an edit in the same clock tick as the stat could otherwise leave the stat data unchanged);
// - the tree and its subtrees are still loose trees here, and every blob still a loose object (gc has
//   packed or pruned none of them: a backup must never name an object that is gone), all freshened
//   as write-tree would.
import { lstatSync, type BigIntStats } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { nodeCrypto } from '../builtins.js';
import type { RepoPaths } from './exec.js';
import { isObjectId } from '../core/ids.js';
import { freshLooseObject, freshLooseObjectsPresent } from './loose-object.js';
import { readMemo, writeMemo } from './memo-file.js';

/** GIT_BACKUP_TEST_SETTLED_MS shortens it for tests, which would otherwise wait after writing files. */
const settledMs = () => Number(process.env.GIT_BACKUP_TEST_SETTLED_MS ?? 3_000);
/** More files than this: no memo (its checks would cost what they save). */
const MAX_FILES = 200;

export interface UntrackedKey {
  key: string;
  /** Every file was older than the settling time: a memo may be written for this key. */
  settled: boolean;
}

/** The key of these files as they are now; null when there are too many, or one cannot be read. */
/** `config`: the configuration files (and core.attributesFile) the caller knows git reads here. */
export async function untrackedKey(repo: RepoPaths, files: readonly Buffer[], flags: string, config: readonly string[]): Promise<UntrackedKey | null> {
  if (files.length === 0 || files.length > MAX_FILES) return null;
  const sorted = [...files].sort(Buffer.compare);
  const hash = nodeCrypto().createHash('sha1').update(flags);
  const newest = Date.now() - settledMs();
  let settled = true;
  for (const name of sorted) {
    // Synchronous: up to 200 calls of microseconds each, where each asynchronous one waits its turn in the thread pool.
    const st = lstatOrNull(join(repo.worktree, name.toString('utf8')));
    // A name that is not UTF-8 cannot be looked up this way: no memo.
    if (!st || Buffer.from(name.toString('utf8')).compare(name) !== 0) return null;
    if (Number(st.mtimeMs) >= newest || Number(st.ctimeMs) >= newest) settled = false;
    hash.update(name).update(`\0${st.size} ${st.mtimeNs} ${st.ctimeNs} ${st.ino} ${st.mode}\n`);
  }
  for (const [file, st] of [...attributesInputs(repo, sorted), ...config].map((f) => [f, lstatOrNull(f)] as const)) {
    hash.update(`${file}\0${st ? `${st.size} ${st.mtimeNs} ${st.ctimeNs} ${st.ino} ${st.mode}` : '-'}\n`);
  }
  for (const [k, v] of Object.entries(process.env).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (k.startsWith('GIT_CONFIG') || k.startsWith('GIT_ATTR') || k === 'XDG_CONFIG_HOME' || k === 'HOME') hash.update(`${k}=${v}\0`);
  }
  return { key: hash.digest('hex'), settled };
}

function lstatOrNull(path: string): BigIntStats | null {
  try {
    return lstatSync(path, { bigint: true, throwIfNoEntry: false }) ?? null;
  } catch {
    return null; // not there as a file git could read either (a parent that is a file, no permission)
  }
}

/** The attributes files that can apply to these files (besides core.attributesFile, which the configuration names). */
function attributesInputs(repo: RepoPaths, files: readonly Buffer[]): string[] {
  const dirs = new Set<string>(['.']);
  for (const name of files) {
    for (let d = dirname(name.toString('utf8')); d !== '.' && !dirs.has(d); d = dirname(d)) dirs.add(d);
  }
  const home = process.env.HOME ?? homedir();
  const xdg = process.env.XDG_CONFIG_HOME || join(home, '.config');
  return [
    ...[...dirs].map((d) => join(repo.worktree, d, '.gitattributes')),
    join(repo.commonDir, 'info', 'attributes'),
    join(xdg, 'git', 'attributes'),
    '/etc/gitattributes',
  ];
}

/**
 * The tree the memo holds for `key`, while it, its subtrees and its blobs are loose objects of their
 * type (each freshened as git freshens an object it would write again: a `git prune` racing with us
 * keeps them). The memo's value: the tree, its subtrees joined by commas (or `-`), then the blobs.
 */
export async function rememberedUntracked(repo: RepoPaths, memoFile: string, key: string): Promise<string | null> {
  const [tree, subtrees, ...blobs] = (await readMemo(memoFile, key))?.split(' ') ?? [];
  if (!tree || subtrees === undefined || blobs.length === 0) return null;
  const trees = [tree, ...(subtrees === '-' ? [] : subtrees.split(','))];
  if (![...trees, ...blobs].every(isObjectId)) return null;
  // The trees are looked into (a memo naming another object as its tree must not become a snapshot's
  // tree); the blobs need only be there, which their ids make them.
  const loose = await Promise.all(trees.map((id) => freshLooseObject(repo, id, 'tree')));
  return loose.every(Boolean) && freshLooseObjectsPresent(repo, blobs) ? tree : null;
}

export async function rememberUntracked(memoFile: string, key: UntrackedKey, tree: string, objects: { trees: readonly string[]; blobs: readonly string[] }): Promise<void> {
  if (!key.settled || objects.blobs.length === 0) return;
  await writeMemo(memoFile, key.key, [tree, objects.trees.join(',') || '-', ...objects.blobs].join(' '));
}
