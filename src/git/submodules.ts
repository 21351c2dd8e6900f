// Submodules whose own working tree has changes. A backup holds the commit each submodule points
// at (its gitlink), not what is uncommitted inside it: create says so instead of staying silent.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { git, type RepoPaths } from './exec.js';

/**
 * Paths of submodules with modified or untracked content inside them (limited to `paths` when the
 * backup is), in two git processes, and none at all without a .gitmodules file.
 */
export async function dirtySubmodules(repo: RepoPaths, paths: readonly string[]): Promise<string[]> {
  if (!existsSync(join(repo.worktree, '.gitmodules'))) return [];
  const listed = await git(['config', '-z', '-f', '.gitmodules', '--get-regexp', '^submodule\\..*\\.path$'], { cwd: repo.worktree, okCodes: [1] });
  const subs = listed.stdout.split('\0').filter(Boolean).map((kv) => kv.slice(kv.indexOf('\n') + 1));
  if (subs.length === 0) return [];
  const scope = paths.length && !paths.includes('.') ? paths : subs;
  const status = await git(['status', '--porcelain=v2', '-z', '--ignore-submodules=none', '--untracked-files=no', '--', ...scope], { cwd: repo.worktree, okCodes: [128] });
  const dirty: string[] = [];
  // "1 <XY> <sub> <mH> <mI> <mW> <hH> <hI> <path>": sub is "S<c><m><u>", m = modified content, u = untracked files.
  for (const entry of status.stdout.split('\0')) {
    const f = entry.split(' ');
    if (f[0] !== '1' || !f[2]?.startsWith('S')) continue;
    if (f[2][2] === 'M' || f[2][3] === 'U') dirty.push(f.slice(8).join(' '));
  }
  return dirty;
}
