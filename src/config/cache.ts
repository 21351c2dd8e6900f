// The `git config` answer kept between processes: every command and hook reads the configuration,
// and its git process is a fifth of a `status`. The answer is git's own output, kept with the
// identity (inode, size, mtime, ctime) of every file git reads it from; it is used only while each
// of those files is exactly as it was, so any edit, by git or by hand, makes the next command ask
// git again. Where the set of files is not certain it is not kept at all: `git -c` or any other
// GIT_CONFIG* variable, an include (whose target could change unseen), an entry from a file not in
// the list, a relative HOME, a git whose system config is not /etc/gitconfig. A file changed in the last seconds is not trusted (a second edit within the same
// timestamp could go unseen): the answer is kept once the files have been still for a while.
import { closeSync, constants, fstatSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { git, type RepoPaths } from '../git/exec.js';
import { hasIncludeSection, parseConfigOutput } from '../core/config-parse.js';
import { writeDurably } from '../fs/durable-write.js';

/**
 * How long a config file must have been unchanged before an answer read from it is kept: longer
 * than the coarsest timestamp a filesystem keeps (FAT: 2 s). GIT_BACKUP_TEST_CONFIG_SETTLED_MS
 * shortens it for tests, which would otherwise wait after every config change.
 */
const settledMs = () => Number(process.env.GIT_BACKUP_TEST_CONFIG_SETTLED_MS ?? 2_000);
/** Where Debian's (and upstream's default) git reads the system configuration; checked with git before an answer is kept. */
const SYSTEM_CONFIG = '/etc/gitconfig';

/** The files git reads configuration from here, in its order; null when that is not certain. */
export function configFiles(repo: RepoPaths, env: NodeJS.ProcessEnv = process.env): string[] | null {
  if (Object.keys(env).some((k) => k.startsWith('GIT_CONFIG') && k !== 'GIT_CONFIG_NOSYSTEM')) return null;
  const home = env.HOME;
  // A relative HOME or XDG_CONFIG_HOME is relative to where git runs (the top of the working
  // tree), not to this process's directory: not certain, not kept.
  if (!home || !isAbsolute(home) || (env.XDG_CONFIG_HOME && !isAbsolute(env.XDG_CONFIG_HOME))) return null;
  const noSystem = /^(1|true|yes|on)$/i.test(env.GIT_CONFIG_NOSYSTEM ?? '');
  const xdg = env.XDG_CONFIG_HOME ? join(env.XDG_CONFIG_HOME, 'git', 'config') : join(home, '.config', 'git', 'config');
  return [
    ...(noSystem ? [] : [SYSTEM_CONFIG]),
    xdg,
    join(home, '.gitconfig'),
    join(repo.commonDir, 'config'),
    join(repo.gitDir, 'config.worktree'),
  ];
}

interface Identity {
  key: string;
  /** The newest change among the files (ms), to judge whether they have settled. */
  newest: number;
}

function identityOf(files: readonly string[], query: string): Identity {
  let newest = 0;
  const parts = files.map((f) => {
    try {
      const s = statSync(f, { bigint: true });
      newest = Math.max(newest, Number(s.mtimeMs), Number(s.ctimeMs));
      return `${f}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
    } catch {
      return `${f}:-`;
    }
  });
  return { key: [query, ...parts].join('\n'), newest };
}

/**
 * One cache file per git directory (linked worktrees have their own config.worktree), named by an
 * FNV-1a hash of its path: node:crypto would cost a `status` more to load than the rest of this.
 */
function cacheFileIn(dir: string, repo: RepoPaths): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < repo.gitDir.length; i++) h = Math.imul(h ^ repo.gitDir.charCodeAt(i), 0x01000193);
  return join(dir, `config-${(h >>> 0).toString(16).padStart(8, '0')}.json`);
}

interface Kept {
  key: string;
  out: string;
}

function readKept(file: string): Kept | null {
  try {
    // Non-blocking, and a regular file only: a FIFO (or /dev/zero) there must not hang every
    // command and hook.
    const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
    let text: string;
    try {
      if (!fstatSync(fd).isFile()) return null;
      text = readFileSync(fd, 'utf8');
    } finally {
      closeSync(fd);
    }
    const v = JSON.parse(text) as Partial<Kept>;
    return typeof v.key === 'string' && typeof v.out === 'string' ? { key: v.key, out: v.out } : null;
  } catch {
    return null;
  }
}

/**
 * The configuration files git reads here, when that set is certain (configFiles) and none of them
 * includes another (whose target could change unseen); null otherwise. What a cache of anything git
 * decides from the configuration must watch (git/untracked-memo.ts).
 */
export function certainConfigFiles(repo: RepoPaths, env: NodeJS.ProcessEnv = process.env): string[] | null {
  const files = configFiles(repo, env);
  return files && !hasInclude(files) ? files : null;
}

const hasInclude = (files: readonly string[]) => files.some((f) => {
  try {
    return hasIncludeSection(readFileSync(f, 'utf8'));
  } catch {
    return false;
  }
});

/** Every `file:` origin in git's `--show-origin -z` output (relative to `cwd`, where git ran) is one of ours. */
function originsKnown(out: string, files: readonly string[], cwd: string): boolean {
  const known = new Set(files);
  return parseConfigOutput(out).every(({ origin }) => !origin.startsWith('file:') || known.has(resolve(cwd, origin.slice('file:'.length))));
}

export interface CacheOptions {
  /** The store's cache directory, made (not its parents) when an answer is first kept. */
  dir: string;
  /** Keep a new answer (false for the hook drain, which writes nothing it need not). */
  write: boolean;
}

/**
 * git's answer to `query` for this repository: the kept one while every config file is as it was, otherwise
 * `ask()`'s (`git config … --show-origin -z` output, run in the top of the working tree), kept for
 * the next process when it may be.
 */
export async function cachedConfigOutput(repo: RepoPaths, opts: CacheOptions, query: string, ask: () => Promise<string>): Promise<string> {
  const files = configFiles(repo);
  if (files === null) return ask();
  const file = cacheFileIn(opts.dir, repo);
  const before = Date.now();
  // The question is part of the key: an answer kept by a version that asked for fewer keys is not this one's.
  const id = identityOf(files, query);
  const kept = readKept(file);
  if (kept !== null && kept.key === id.key) return kept.out;
  const out = await ask();
  if (opts.write && id.newest < before - settledMs() && originsKnown(out, files, repo.worktree) && !hasInclude(files) &&
    (files[0] !== SYSTEM_CONFIG || (await systemConfigIs(SYSTEM_CONFIG, repo.worktree)))) await keep(file, { key: id.key, out });
  return out;
}

/**
 * Whether git reads its system configuration from `path`: a git built with another prefix
 * (Homebrew's) reads `<prefix>/etc/gitconfig`, which an answer must not be kept without watching.
 * git names the file to an editor; `echo` as the editor prints it. Asked only when an answer is
 * about to be kept, which is after a config file changed.
 */
async function systemConfigIs(path: string, cwd: string): Promise<boolean> {
  try {
    const r = await git(['config', '--system', '--edit'], { cwd, env: { GIT_EDITOR: 'echo' } });
    return r.stdout.replace(/\n$/, '') === path;
  } catch {
    return false;
  }
}

/** Write the answer for the next process: through fs/durable-write.ts (a unique temp created O_EXCL, so never through a planted symlink). */
async function keep(file: string, kept: Kept): Promise<void> {
  try {
    mkdirSync(dirname(file), { mode: 0o700 }); // not recursive: a store that is gone stays gone
  } catch {
    // there already (or the store is gone, which the write below finds)
  }
  // A cache: a store that cannot take it (read-only, full, gone) just asks git next time.
  await writeDurably(file, JSON.stringify(kept)).catch(() => undefined);
}
