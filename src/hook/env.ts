// git's hook environment, which the hook subcommands drop before running any git command.

/**
 * Variables git exports to hooks that would point our git commands at the hook's index (during
 * `commit -a`, GIT_INDEX_FILE is index.lock) or repository; the drain names the repository itself.
 */
export const HOOK_ENV_VARS = [
  'GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_PREFIX', 'GIT_COMMON_DIR', 'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_QUARANTINE_PATH', 'GIT_NAMESPACE', 'GIT_REFLOG_ACTION',
  'GIT_CONFIG_PARAMETERS', 'GIT_CONFIG_COUNT', 'GIT_EDITOR', 'GIT_SEQUENCE_EDITOR',
];

/**
 * The repository git ran the hook for, when it named it by GIT_DIR (and GIT_WORK_TREE): made
 * absolute against the hook's directory, before stripHookEnvironment drops them. A worktree with
 * no `.git` in it (`git --git-dir=~/.cfg --work-tree=~`, the dotfiles set-up) cannot be found from
 * the directory the hook names; see `open` in hook/main.ts.
 */
export interface HookRepo {
  GIT_DIR: string;
  GIT_WORK_TREE?: string;
}

export function hookRepo(env: NodeJS.ProcessEnv, cwd: () => string): HookRepo | null {
  const dir = env.GIT_DIR;
  if (!dir) return null;
  let here: string | null = null;
  const abs = (p: string) => {
    if (p.startsWith('/')) return p;
    // The directory may be gone (a worktree removed before the drain started): no relative paths then.
    try {
      here ??= cwd();
    } catch {
      return null;
    }
    return `${here}/${p}`;
  };
  const gitDir = abs(dir);
  if (gitDir === null) return null;
  const workTree = env.GIT_WORK_TREE ? abs(env.GIT_WORK_TREE) : null;
  return workTree !== null ? { GIT_DIR: gitDir, GIT_WORK_TREE: workTree } : { GIT_DIR: gitDir };
}

export function stripHookEnvironment(env: NodeJS.ProcessEnv): void {
  for (const k of HOOK_ENV_VARS) delete env[k];
  // GIT_CONFIG_KEY_n / GIT_CONFIG_VALUE_n come with GIT_CONFIG_COUNT.
  for (const k of Object.keys(env)) if (/^GIT_CONFIG_(KEY|VALUE)_\d+$/.test(k)) delete env[k];
}
