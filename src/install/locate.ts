// Where git will look for our hooks, and which hook manager (if any) owns them.
import { existsSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { gitLine, type RepoPaths } from '../git/exec.js';
import { LEFTHOOK_CONFIGS } from './lefthook.js';

export type HookMode = 'hooks' | 'husky' | 'lefthook';

export interface HookSetup {
  mode: HookMode;
  /** The directory git runs hooks from (`git rev-parse --git-path hooks`: honours core.hooksPath). */
  gitHooksDir: string;
  /** husky: the .husky directory whose <hook> files get our block. */
  huskyDir: string | null;
  /** husky is there but git does not run its hooks (core.hooksPath is not .husky/_ yet). */
  huskyInactive: boolean;
  /** lefthook: its config file name at the top of the working tree. */
  lefthookConfig: string | null;
  /** The pre-commit framework's config is present. */
  preCommit: boolean;
}

const isDir = (p: string) => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

/**
 * `known`: the hooks directory as the process started (ctx.hooksDir(): read-only callers such as
 * status, saving a git process); install and uninstall ask git again, since they may have just
 * changed core.hooksPath.
 */
export async function locateHooks(repo: RepoPaths, known?: string): Promise<HookSetup> {
  const cwd = repo.worktree;
  const gitHooksDir = known || (await gitLine(['rev-parse', '--path-format=absolute', '--git-path', 'hooks'], { cwd }));

  // husky 9 sets core.hooksPath=.husky/_ (or <dir>/_ for a custom dir) and runs <dir>/<hook> with sh -e.
  const normalized = gitHooksDir.split(sep).join('/');
  let huskyDir: string | null = null;
  if (normalized.endsWith('/_') && existsSync(join(gitHooksDir, 'h'))) huskyDir = resolve(gitHooksDir, '..');
  else if (isDir(join(cwd, '.husky'))) huskyDir = join(cwd, '.husky');
  const huskyActive = huskyDir !== null && resolve(gitHooksDir) === join(huskyDir, '_');

  const lefthookConfig = LEFTHOOK_CONFIGS.find((f) => existsSync(join(cwd, f))) ?? null;
  const preCommit = existsSync(join(cwd, '.pre-commit-config.yaml'));

  const mode: HookMode = huskyDir ? 'husky' : lefthookConfig ? 'lefthook' : 'hooks';
  return { mode, gitHooksDir, huskyDir, huskyInactive: huskyDir !== null && !huskyActive, lefthookConfig, preCommit };
}
