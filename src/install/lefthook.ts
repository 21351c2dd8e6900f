// lefthook owns .git/hooks (its `install` rewrites them), so with lefthook our hooks are entries in
// lefthook-local.yml (never committed, so absolute paths are fine) that run our standalone hook
// scripts kept in the store. Pure.
import type { HookName } from '../core/events.js';
import { STDIN_HOOKS } from '../core/events.js';
import { BLOCK_BEGIN, BLOCK_END, BLOCK_VERSION } from './block.js';

/** lefthook's config file names, in the order lefthook looks for them. */
export const LEFTHOOK_CONFIGS = [
  'lefthook.yml', '.lefthook.yml', 'lefthook.yaml', '.lefthook.yaml',
  'lefthook.toml', '.lefthook.toml', 'lefthook.json', '.lefthook.json', 'lefthook.jsonc', '.lefthook.jsonc',
];

/** The local override file that goes with a config: lefthook.yml → lefthook-local.yml. */
export function localConfigName(config: string): string {
  return config.replace(/lefthook\./, 'lefthook-local.');
}

const shQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** YAML for lefthook-local.yml: one command per hook running `sh <scriptDir>/<hook> <args>`. */
export function lefthookBlock(hooks: readonly HookName[], scriptDir: string): string {
  const lines = [BLOCK_BEGIN, `# git-backup ${BLOCK_VERSION} (lefthook): managed by git backup install; git backup uninstall removes it.`];
  for (const hook of hooks) {
    lines.push(`${hook}:`, '  commands:', '    git-backup:', `      run: sh ${shQuote(`${scriptDir}/${hook}`)} {0}`);
    if (STDIN_HOOKS.includes(hook)) lines.push('      use_stdin: true');
  }
  lines.push(BLOCK_END);
  return lines.join('\n') + '\n';
}
