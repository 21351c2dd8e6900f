// Finding the repository around a directory without starting git, for the plain layouts only: a
// working tree with a `.git` directory, or a `.git` file pointing at a linked worktree's or a
// submodule's git directory. Every command and hook starts by locating the repository, and a git
// process for it is a fifth of a `status`. Anything this module does not follow exactly the way
// git does (an environment variable that changes discovery, a bare repository, core.worktree, an
// include, another owner, a mount point on the way up, running inside .git, a HEAD git would not
// accept, a format or extension git does not know) returns null, and the caller asks
// `git rev-parse` as before. test/git/discover.test.ts compares every answer with git's.
import { lstatSync, readFileSync, realpathSync, statSync, type Stats } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type { RepoPaths } from './exec.js';
import { hasIncludeSection } from '../core/config-parse.js';

/** Variables that change where git looks or what it finds; with any of them set, git decides. */
const DISCOVERY_ENV = [
  'GIT_DIR', 'GIT_WORK_TREE', 'GIT_COMMON_DIR', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY',
  'GIT_CEILING_DIRECTORIES', 'GIT_DISCOVERY_ACROSS_FILESYSTEM', 'GIT_CONFIG_PARAMETERS', 'GIT_CONFIG_COUNT',
];

const statOrNull = (p: string, follow = true): Stats | null => {
  try {
    return follow ? statSync(p) : lstatSync(p);
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

/**
 * The path git would reach, resolved the way the kernel does: a `..` after a symlink goes up from
 * the symlink's target, not lexically (node's realpathSync and path.resolve collapse `link/..`
 * before looking, and would name another directory). `rel` is joined as text, never normalised.
 */
function physical(base: string, rel: string): string | null {
  try {
    return realpathSync.native(isAbsolute(rel) ? rel : `${base}/${rel}`);
  } catch {
    return null;
  }
}

/**
 * git's validate_headref: HEAD is `ref: refs/…` or an object name. Anything else (empty after a
 * crash, garbage) makes git pass the directory over and look further up, so git decides. A
 * symlinked HEAD (git's own rules for it) is left to git too.
 */
function headValid(gitDir: string): boolean {
  const head = join(gitDir, 'HEAD');
  if (statOrNull(head, false)?.isFile() !== true) return false;
  const text = (readOrNull(head) ?? '').slice(0, 255);
  return /^ref:\s*refs\//.test(text) || /^[0-9a-f]{40}/i.test(text);
}

/**
 * git's is_git_directory: a valid HEAD, and objects/ and refs/ (in the common directory when
 * shared). `anyHead`: for the walk's "are we inside a git directory" test, any HEAD counts.
 */
function isGitDirectory(gitDir: string, commonDir: string, anyHead = false): boolean {
  const head = anyHead ? statOrNull(join(gitDir, 'HEAD')) !== null : headValid(gitDir);
  return head && isDir(join(commonDir, 'objects')) && isDir(join(commonDir, 'refs'));
}

/** A linked worktree's git directory names the shared one in its `commondir` file. */
function commonDirOf(gitDir: string): string | null {
  const text = readOrNull(join(gitDir, 'commondir'));
  if (text === null) return gitDir;
  const rel = text.replace(/\r?\n$/, '');
  if (rel === '' || rel.includes('\n')) return null;
  return physical(gitDir, rel);
}

/**
 * A repository config that moves the working tree elsewhere (core.worktree), hides it (core.bare),
 * includes other files (which could), or makes git refuse the repository (an unknown format or
 * extension): git's own set-up reads it, so git decides. Only the lines
 * git itself writes are read here (`bare = false`, one `worktree = <path>` on its own line); any
 * other line that mentions bare or worktree (`[core] bare = true` on the section line, a quoted
 * or numeric boolean, a continuation) leaves the answer to git. A core.worktree that names the
 * directory holding `.git` (as a submodule's does) changes nothing.
 */
function configLeavesItToGit(text: string, gitDir: string, top: string): boolean {
  if (hasIncludeSection(text)) return true;
  const worktrees: string[] = [];
  let section = '';
  for (const line of text.split('\n')) {
    section = /^\s*\[\s*([A-Za-z0-9.-]+)/.exec(line)?.[1]?.toLowerCase() ?? section;
    if (formatRefused(section, line)) return true;
    if (!/bare|worktree/i.test(line.split('=')[0]!)) continue; // in the key (or section) part only: not a URL
    if (/^(?!bare$|worktree$)/.test(keyOf(line) ?? 'bare')) continue; // another key that only contains the word (worktreeConfig)
    if (/^\s*bare\s*=\s*false\s*$/i.test(line)) continue;
    const plain = /^\s*worktree\s*=\s*([^\s"'\\#;][^"'\\#;]*?)\s*$/i.exec(line);
    if (!plain) return true;
    worktrees.push(plain[1]!);
  }
  if (worktrees.length === 0) return false;
  if (worktrees.length > 1) return true;
  return physical(gitDir, worktrees[0]!) !== top;
}

/** The extensions git 2.39 knows; with any other (or a format version above 1) git refuses the repository. */
const KNOWN_EXTENSIONS = new Set(['noop', 'preciousobjects', 'partialclone', 'worktreeconfig', 'objectformat']);

/** A line that makes git refuse the repository (a format or an extension it does not know): git says so. */
/** The key of a `key = value` line (lowercase, as git compares it); undefined for anything else. */
const keyOf = (line: string) => /^\s*([A-Za-z][A-Za-z0-9-]*)\s*(=|$)/.exec(line)?.[1]?.toLowerCase();

function formatRefused(section: string, line: string): boolean {
  const key = keyOf(line);
  if (key === undefined) return false;
  if (section === 'core' && key === 'repositoryformatversion') return !/^\s*repositoryformatversion\s*=\s*[01]\s*$/i.test(line);
  return section === 'extensions' && !KNOWN_EXTENSIONS.has(key);
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
    dir = realpathSync.native(cwd);
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
    if (isGitDirectory(dir, commonDirOf(dir) ?? dir, true)) return null;
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
    gitDir = m[1]!;
  } else {
    return null;
  }
  const realGitDir = physical(top, gitDir === dotGit ? '.git' : gitDir);
  if (realGitDir === null) return null;
  gitDir = realGitDir;
  const gitDirStat = statOrNull(gitDir);
  const commonDir = commonDirOf(gitDir);
  if (!gitDirStat?.isDirectory() || commonDir === null) return null;
  // An invalid .git directory makes git look further up; a layout we do not know, git decides.
  // git checks the `.git` entry itself (lstat: a symlink another user owns is refused).
  const dotGitLink = statOrNull(dotGit, false);
  if (!dotGitLink || !isGitDirectory(gitDir, commonDir) || !ownedByUs(topStat, dotGitLink, dotGitStat, gitDirStat)) return null;
  for (const config of [join(commonDir, 'config'), join(gitDir, 'config.worktree')]) {
    const text = readOrNull(config);
    if (text !== null && configLeavesItToGit(text, gitDir, top)) return null;
  }
  return { worktree: top, gitDir, commonDir, indexFile: join(gitDir, 'index') };
}
