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

export function stripHookEnvironment(env: NodeJS.ProcessEnv): void {
  for (const k of HOOK_ENV_VARS) delete env[k];
  // GIT_CONFIG_KEY_n / GIT_CONFIG_VALUE_n come with GIT_CONFIG_COUNT.
  for (const k of Object.keys(env)) if (/^GIT_CONFIG_(KEY|VALUE)_\d+$/.test(k)) delete env[k];
}
