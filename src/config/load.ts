// Reading the configuration: ONE git process prints every `backup.*` entry of every scope (git does
// the layering of system, global, local, worktree and `-c`), core/config-parse.ts validates them.
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { git, GitError, type RepoPaths } from '../git/exec.js';
import { invalidError } from '../errors.js';
import type { BackupConfig } from '../core/config.js';
import { parseConfigOutput, parseEntries, unknownWarning, type ConfigEntry, type Evaluation } from '../core/config-parse.js';
import { cachedConfigOutput, type CacheOptions } from './cache.js';
import { OWN_COMMIT_KEYS, ownCommits, type OwnCommits } from '../core/own-commits.js';

/** Every `backup.*` entry git sees here, or in `file` alone (for import). */
export async function readEntries(repo: RepoPaths, file?: string): Promise<ConfigEntry[]> {
  return parseConfigOutput(await askGit(repo, file ? ['--file', file] : [], '^backup\\.')).filter(isBackupKey);
}

const isBackupKey = (e: ConfigEntry) => e.key.startsWith('backup.');

async function askGit(repo: RepoPaths, source: string[], keys: string): Promise<string> {
  const r = await git(['config', ...source, '-z', '--show-scope', '--show-origin', '--get-regexp', keys], { cwd: repo.worktree, okCodes: [1] });
  // Exit 1: no such key (nothing configured). Anything worse (a broken config file) throws.
  return r.code === 1 ? '' : r.stdout;
}

/**
 * What a command needs from git's configuration: the backup.* entries, where hooks run from, and
 * whether our commits may be written without git (core/own-commits.ts).
 */
export interface ConfigView {
  entries: ConfigEntry[];
  /** `<common dir>/hooks` when no core.hooksPath is set; null when one is (git resolves it). */
  hooksDir: string | null;
  ownCommits: OwnCommits | null;
  /** core.attributesFile when set (absolute; `~/` expanded): what a blob of an untracked file depends on (git/untracked-memo.ts). */
  attributesFile: string | null;
}

const VIEW_KEYS = `^(backup\\..*|core\\.hookspath|core\\.attributesfile|${OWN_COMMIT_KEYS})$`;

/**
 * The entries, core.hooksPath and the keys our commits depend on in one `git config` process, or
 * none while the answer kept in the store (config/cache.ts) still holds.
 */
export async function readView(repo: RepoPaths, cache: CacheOptions | null): Promise<ConfigView> {
  const ask = () => askGit(repo, [], VIEW_KEYS);
  const entries = parseConfigOutput(cache ? await cachedConfigOutput(repo, cache, VIEW_KEYS, ask) : await ask());
  const hooksPathSet = entries.some((e) => e.key === 'core.hookspath');
  return {
    entries: entries.filter(isBackupKey),
    hooksDir: hooksPathSet ? null : join(repo.commonDir, 'hooks'),
    ownCommits: ownCommits(entries.filter((e) => !isBackupKey(e)), process.env),
    attributesFile: attributesFileOf(entries, repo),
  };
}

/** core.attributesFile as git resolves a pathname: `~/` is the home directory, a relative path is relative to the top of the working tree. */
function attributesFileOf(entries: readonly ConfigEntry[], repo: RepoPaths): string | null {
  const raw = entries.filter((e) => e.key === 'core.attributesfile').pop()?.value;
  if (!raw) return null;
  return raw.startsWith('~/') ? join(homedir(), raw.slice(2)) : resolve(repo.worktree, raw);
}

/** The `backup.*` entries of a file to import (`name`: how the user wrote it); exit 3 when git cannot read it. */
export async function readImportEntries(repo: RepoPaths, path: string, name: string): Promise<ConfigEntry[]> {
  try {
    return await readEntries(repo, path);
  } catch (e) {
    if (e instanceof GitError) throw invalidError(`${name}: git cannot read it as a config file (${e.stderr.trim().split('\n')[0]}); use the output of git backup config export`);
    throw e;
  }
}

/** The top of the main working tree (shared by linked worktrees), or the common dir when bare. */
export function mainTop(repo: RepoPaths): string {
  return basename(repo.commonDir) === '.git' ? dirname(repo.commonDir) : repo.worktree;
}

/**
 * `backup.archiveDir` made absolute: `~/` is the home directory, a relative path is relative to
 * the top of the main working tree (the same for every worktree). Inside the working tree (but
 * outside .git) it is refused: every later backup would capture the archives as untracked files.
 */
export function resolveArchiveDir(raw: string, repo: RepoPaths, home = homedir()): string {
  const expanded = raw === '~' ? home : raw.startsWith('~/') ? join(home, raw.slice(2)) : raw;
  const top = mainTop(repo);
  const dir = isAbsolute(expanded) ? resolve(expanded) : resolve(top, expanded);
  const inside = (parent: string) => {
    const rel = relative(parent, dir);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  };
  if (top !== repo.commonDir && inside(top) && !inside(repo.commonDir)) {
    throw invalidError(`backup.archiveDir: ${JSON.stringify(raw)} is inside the working tree (${dir}), where backups would capture the archives; use a directory outside it, e.g. ../backup-archive or ~/backup-archive`);
  }
  return dir;
}

export interface LoadOptions {
  /** Where the one-line warnings about unknown keys go (default: stderr). */
  warn?: (line: string) => void;
  /** The entries, already read (readView); else git is asked. */
  entries?: ConfigEntry[];
}

/** Everything loadConfig knows, for the config command (which shows sources and unknown keys). */
export async function evaluateConfig(repo: RepoPaths, entries?: ConfigEntry[]): Promise<Evaluation & { entries: ConfigEntry[] }> {
  entries ??= await readEntries(repo);
  const ev = parseEntries(entries);
  if (ev.config.archiveDir !== null) ev.config.archiveDir = resolveArchiveDir(ev.config.archiveDir, repo);
  return { ...ev, entries };
}

/**
 * The effective configuration: DEFAULT_CONFIG overlaid with every `backup.*` key git sees here,
 * each validated (an invalid value: exit 3 naming the key and the value). Unknown `backup.*` keys
 * are ignored with a warning suggesting the closest known key. archiveDir comes back absolute.
 */
export async function loadConfig(repo: RepoPaths, opts: LoadOptions = {}): Promise<BackupConfig> {
  const ev = await evaluateConfig(repo, opts.entries);
  const warn = opts.warn ?? ((line: string) => process.stderr.write(`git backup: ${line}\n`));
  for (const u of ev.unknown) warn(unknownWarning(u));
  return ev.config;
}
