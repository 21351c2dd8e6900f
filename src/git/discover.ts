// Finding the repository around a directory without starting git, for the plain layouts only: a
// working tree with a `.git` directory, or a `.git` file pointing at a linked worktree's or a
// submodule's git directory. Every command and hook starts by locating the repository, and a git
// process for it is a fifth of a `status`. Anything this module does not follow exactly the way
// git does (an environment variable that changes discovery, a bare repository, core.worktree, an
// include, another owner, a mount point on the way up, running inside .git) returns null, and the
// caller asks `git rev-parse` as before. test/git/discover.test.ts compares every answer with git's.
import { readFileSync, realpathSync, statSync, type Stats } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { RepoPaths } from './exec.js';

/** Variables that change where git looks or what it finds; with any of them set, git decides. */
const DISCOVERY_ENV = [
  'GIT_DIR', 'GIT_WORK_TREE', 'GIT_COMMON_DIR', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY',
  'GIT_CEILING_DIRECTORIES', 'GIT_DISCOVERY_ACROSS_FILESYSTEM', 'GIT_CONFIG_PARAMETERS', 'GIT_CONFIG_COUNT',
];

const statOrNull = (p: string): Stats | null => {
  try {
    return statSync(p);
  } catch {
    return null;
  }
};

const readOrNull = (p: string): string | null => {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return null;
  }
};

const isDir = (p: string) => statOrNull(p)?.isDirectory() === true;

/** git's is_git_directory: a HEAD, and objects/ and refs/ (in the common directory when shared). */
function isGitDirectory(gitDir: string, commonDir: string): boolean {
  const head = statOrNull(join(gitDir, 'HEAD'));
  return head !== null && head.isFile() && isDir(join(commonDir, 'objects')) && isDir(join(commonDir, 'refs'));
}

/** A linked worktree's git directory names the shared one in its `commondir` file. */
function commonDirOf(gitDir: string): string | null {
  const text = readOrNull(join(gitDir, 'commondir'));
  if (text === null) return gitDir;
  const rel = text.replace(/\r?\n$/, '');
  if (rel === '' || rel.includes('\n')) return null;
  return isAbsolute(rel) ? rel : resolve(gitDir, rel);
}

/**
 * A repository config that moves the working tree elsewhere (core.worktree), hides it (core.bare =
 * true) or includes other files (which could): git's own set-up reads it, so git decides. A
 * core.worktree that names the directory holding `.git` (as a submodule's does) changes nothing.
 */
function configMovesWorktree(text: string, gitDir: string, top: string): boolean {
  if (/^\s*bare\s*(=\s*(true|yes|on|1)\s*)?([#;].*)?$/im.test(text) || /\[\s*include/i.test(text)) return true;
  const worktrees = [...text.matchAll(/^\s*worktree\b(.*)$/gim)];
  if (worktrees.length === 0) return false;
  const plain = worktrees.length === 1 ? /^\s*=\s*([^\s"'\\#;][^"'\\#;]*?)\s*$/.exec(worktrees[0]![1]!) : null;
  if (!plain) return true;
  try {
    return realpathSync(resolve(gitDir, plain[1]!)) !== top;
  } catch {
    return true;
  }
}

function ownedByUs(...stats: Stats[]): boolean {
  // git refuses a repository another user owns unless safe.directory says so: that is git's call.
  const uid = typeof process.geteuid === 'function' ? process.geteuid() : -1;
  return stats.every((s) => s.uid === uid);
}

/** Where git would find the repository around `cwd`, or null when git must be asked. */
export function discoverRepo(cwd: string, env: NodeJS.ProcessEnv = process.env): RepoPaths | null {
  if (DISCOVERY_ENV.some((k) => env[k] !== undefined)) return null; // even empty: git has its own reading of that
  let dir: string;
  try {
    dir = realpathSync(cwd);
  } catch {
    return null;
  }
  const start = statOrNull(dir);
  if (!start?.isDirectory()) return null;
  for (;;) {
    const here = statOrNull(dir);
    // git stops at a mount point unless told otherwise: its answer (an error) is git's to give.
    if (!here || here.dev !== start.dev) return null;
    const dotGit = join(dir, '.git');
    const dotGitStat = statOrNull(dotGit);
    if (dotGitStat) return plainRepo(dir, dotGit, dotGitStat, here);
    // Inside a git directory itself (or a bare repository): git's rules differ there.
    if (isGitDirectory(dir, commonDirOf(dir) ?? dir)) return null;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

function plainRepo(top: string, dotGit: string, dotGitStat: Stats, topStat: Stats): RepoPaths | null {
  let gitDir: string;
  if (dotGitStat.isDirectory()) {
    gitDir = dotGit;
  } else if (dotGitStat.isFile()) {
    const m = /^gitdir: (.+?)\r?\n?$/.exec(readOrNull(dotGit) ?? '');
    if (!m) return null;
    gitDir = resolve(top, m[1]!);
  } else {
    return null;
  }
  try {
    gitDir = realpathSync(gitDir);
  } catch {
    return null;
  }
  const gitDirStat = statOrNull(gitDir);
  const commonRaw = commonDirOf(gitDir);
  if (!gitDirStat?.isDirectory() || commonRaw === null) return null;
  let commonDir: string;
  try {
    commonDir = realpathSync(commonRaw);
  } catch {
    return null;
  }
  // An invalid .git directory makes git look further up; a layout we do not know, git decides.
  if (!isGitDirectory(gitDir, commonDir) || !ownedByUs(topStat, dotGitStat, gitDirStat)) return null;
  for (const config of [join(commonDir, 'config'), join(gitDir, 'config.worktree')]) {
    const text = readOrNull(config);
    if (text !== null && configMovesWorktree(text, gitDir, top)) return null;
  }
  return { worktree: top, gitDir, commonDir, indexFile: join(gitDir, 'index') };
}
