// `install --agent claude-code` / `uninstall --agent claude-code`: our hook entries in the worktree's
// .claude/settings.local.json (Claude Code's local, uncommitted settings), merged and removed by
// core/agent-settings.ts. A file we cannot read as settings is left exactly as it is (exit 3).
// What install had to create (the folder, the file, the `hooks` object, event lists) is remembered
// in the worktree's git directory, so uninstall takes away exactly that and no more: a file or list
// the user had, even an empty one, stays. A symbolic link (settings kept in a dotfiles repository) is
// written through, never replaced.
import { lstat, mkdir, readFile, readlink, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { addAgentHooks, removeAgentHooks, settingsShapeProblem, type Settings } from '../core/agent-settings.js';
import { invalidError, usageError } from '../errors.js';
import { writeDurably } from '../fs/durable-write.js';

export const AGENTS = ['claude-code'] as const;
export type Agent = (typeof AGENTS)[number];

export function parseAgent(name: string): Agent {
  const found = AGENTS.find((a) => a === name);
  if (!found) throw usageError(`unknown agent ${JSON.stringify(name)}; known: ${AGENTS.join(', ')}`);
  return found;
}

export const settingsPath = (worktree: string) => join(worktree, '.claude', 'settings.local.json');

export interface AgentReport {
  path: string;
  action: 'added' | 'unchanged' | 'removed' | 'deleted' | 'absent';
}

async function readSettings(path: string): Promise<{ settings: Settings; mode: number } | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  let parsed: unknown;
  try {
    parsed = text.trim() === '' ? {} : JSON.parse(text);
  } catch (e) {
    throw invalidError(`${path} is not valid JSON (${(e as Error).message}); fix it, nothing was changed`);
  }
  const problem = settingsShapeProblem(parsed);
  if (problem) throw invalidError(`${path}: ${problem}; fix it, nothing was changed`);
  return { settings: parsed as Settings, mode: (await stat(path)).mode & 0o777 };
}

/** The file a path names, following symbolic links (a dangling one included: its target is created). */
async function linkTarget(path: string): Promise<string> {
  let p = path;
  for (let hops = 0; hops < 40; hops++) {
    let next: string;
    try {
      next = await readlink(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EINVAL' || code === 'ENOENT') return p; // not a link, or nothing there yet
      throw e;
    }
    p = resolve(dirname(p), next);
  }
  throw invalidError(`${path}: too many levels of symbolic links; nothing was changed`);
}

/**
 * Replace the file atomically, keeping its mode (2-space JSON, as Claude Code writes it). Through a
 * link the target is replaced (its temp file beside it, so the rename stays on its filesystem) and
 * the link stays.
 */
async function writeSettings(path: string, settings: Settings, mode: number): Promise<void> {
  const target = await linkTarget(path);
  if (target === path) await mkdir(dirname(path), { recursive: true });
  await writeDurably(target, JSON.stringify(settings, null, 2) + '\n', mode);
}

/** Where install remembers what it created, per worktree (each has its own settings file). */
const recordPath = (gitDir: string, agent: Agent) => join(gitDir, `backup-agent-${agent}.json`);

async function readCreated(gitDir: string, agent: Agent): Promise<string[]> {
  try {
    const v: unknown = JSON.parse(await readFile(recordPath(gitDir, agent), 'utf8'));
    const created = (v as { created?: unknown }).created;
    return Array.isArray(created) ? created.filter((c): c is string => typeof c === 'string') : [];
  } catch {
    return []; // no record (or an unreadable one): uninstall removes our entries and keeps every container
  }
}

export interface AgentRepo {
  worktree: string;
  /** The worktree's own git directory (a linked worktree's is not the main one's). */
  gitDir: string;
}

export async function installAgent(repo: AgentRepo, agent: Agent): Promise<AgentReport> {
  const path = settingsPath(repo.worktree);
  const read = await readSettings(path);
  const { settings, changed, created } = addAgentHooks(read?.settings ?? {});
  if (!changed) return { path, action: 'unchanged' };
  const made = [...created];
  if (!read) {
    // A dangling link is the user's: its target is created, but the link is not ours to remove.
    if ((await lstat(path).catch(() => null))?.isSymbolicLink() !== true) made.push('file');
    if (!(await lstat(dirname(path)).catch(() => null))) made.push('.claude');
  }
  // Remembered before the file changes: a kill in between leaves a record of more than was made,
  // and uninstall only ever removes what is empty, so that is harmless.
  const before = await readCreated(repo.gitDir, agent);
  await writeDurably(recordPath(repo.gitDir, agent), JSON.stringify({ path, created: [...new Set([...before, ...made])] }) + '\n');
  await writeSettings(path, settings, read?.mode ?? 0o644);
  return { path, action: 'added' };
}

export async function uninstallAgent(repo: AgentRepo, agent: Agent): Promise<AgentReport> {
  const path = settingsPath(repo.worktree);
  const read = await readSettings(path);
  const created = await readCreated(repo.gitDir, agent);
  const forget = () => rm(recordPath(repo.gitDir, agent), { force: true });
  if (!read) return (await forget(), { path, action: 'absent' });
  const { settings, changed, empty } = removeAgentHooks(read.settings, created);
  if (!changed) return (await forget(), { path, action: 'unchanged' });
  // The file goes only when install created it, nothing is left in it, and it is still a plain file.
  if (empty && created.includes('file') && (await lstat(path)).isFile()) {
    await rm(path);
    if (created.includes('.claude')) await rmdir(dirname(path)).catch(() => undefined); // only when nothing else is in it
    await forget();
    return { path, action: 'deleted' };
  }
  await writeSettings(path, settings, read.mode);
  await forget();
  return { path, action: 'removed' };
}
