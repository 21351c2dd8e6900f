// `install --agent claude-code` / `uninstall --agent claude-code`: our hook entries in the worktree's
// .claude/settings.local.json (Claude Code's local, uncommitted settings), merged and removed by
// core/agent-settings.ts. A file we cannot read as settings is left exactly as it is (exit 3).
import { mkdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { addAgentHooks, removeAgentHooks, settingsShapeProblem, type Settings } from '../core/agent-settings.js';
import { invalidError, usageError } from '../errors.js';

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

/** Replace the file atomically, keeping its mode (2-space JSON, as Claude Code writes it). */
async function writeSettings(path: string, settings: Settings, mode: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.git-backup-${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(settings, null, 2) + '\n', { mode });
  await rename(tmp, path);
}

export async function installAgent(worktree: string, _agent: Agent): Promise<AgentReport> {
  const path = settingsPath(worktree);
  const read = await readSettings(path);
  const { settings, changed } = addAgentHooks(read?.settings ?? {});
  if (changed) await writeSettings(path, settings, read?.mode ?? 0o644);
  return { path, action: changed ? 'added' : 'unchanged' };
}

export async function uninstallAgent(worktree: string, _agent: Agent): Promise<AgentReport> {
  const path = settingsPath(worktree);
  const read = await readSettings(path);
  if (!read) return { path, action: 'absent' };
  const { settings, changed, empty } = removeAgentHooks(read.settings);
  if (!changed) return { path, action: 'unchanged' };
  if (empty) {
    await rm(path);
    await rmdir(dirname(path)).catch(() => undefined); // .claude/ too, when nothing else is in it
    return { path, action: 'deleted' };
  }
  await writeSettings(path, settings, read.mode);
  return { path, action: 'removed' };
}
