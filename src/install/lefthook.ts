// lefthook owns .git/hooks (its `install` rewrites them), so with lefthook our hooks are entries in
// lefthook-local.yml (never committed, so absolute paths are fine) that run our standalone hook
// scripts kept in the store. Pure.
//
// Checked against real lefthook (2.2.1, test/hooks/lefthook.test.ts):
// - lefthook runs `run` with `sh -c` after pasting git's arguments into it as raw text: `{0}` is
//   all of them joined by spaces, `{N}` the Nth, neither quoted, and a missing `{N}` stays literal.
//   A pre-push URL with a space, `(` or `;`, or a branch named `x$(cmd)`, would be split, run, or
//   make the whole command a syntax error (and a failing pre-push blocks the push). So post-merge
//   and post-rewrite take `{1}` (git only ever passes 0/1 and amend/rebase there), and pre-push and
//   pre-rebase read `{0}` through a quoted here-document, where sh expands nothing, and split it
//   back: a remote name and a branch name cannot hold a space (git forbids it), so pre-push splits
//   at the first space (name, URL) and pre-rebase at the last one (upstream, branch).
// - Without `use_stdin: true` a command gets no stdin (lefthook runs it on a pty); post-rewrite and
//   pre-push need theirs.
// - lefthook-local.yml is merged with the main config at run time, but lefthook only writes
//   .git/hooks/<hook> for hooks its config names when `lefthook install` runs; its automatic sync
//   looks at the main config's time stamp only. So install and status check .git/hooks
//   (isLefthookHook) and say when `lefthook install` has to run.
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

/** The end marker of the here-document that carries `{0}`; git arguments never hold a line break. */
const ARGS_EOF = '__GB_LEFTHOOK_ARGS__';

/** The `run` lines for one hook (more than one: a YAML literal block). */
function runLines(hook: HookName, script: string): string[] {
  const call = `sh ${shQuote(script)}`;
  switch (hook) {
    case 'post-merge':
    case 'post-rewrite':
      return [`${call} {1}`];
    case 'pre-push':
    case 'pre-rebase': {
      const split =
        hook === 'pre-push' ? 'set -- "${__gb_a%% *}" "${__gb_a#* }"' : 'set -- "${__gb_a% *}" "${__gb_a##* }"';
      return [
        `IFS= read -r __gb_a <<'${ARGS_EOF}' || :`,
        '{0}',
        ARGS_EOF,
        `case $__gb_a in *' '*) ${split} ;; '') set -- ;; *) set -- "$__gb_a" ;; esac`,
        `exec ${call} "$@"`,
      ];
    }
    default:
      return [call];
  }
}

/** YAML for lefthook-local.yml: one command per hook running `sh <scriptDir>/<hook> <git's args>`. */
export function lefthookBlock(hooks: readonly HookName[], scriptDir: string): string {
  const lines = [BLOCK_BEGIN, `# git-backup ${BLOCK_VERSION} (lefthook): managed by git backup install; git backup uninstall removes it.`];
  for (const hook of hooks) {
    const run = runLines(hook, `${scriptDir}/${hook}`);
    lines.push(`${hook}:`, '  commands:', '    git-backup:');
    if (run.length === 1) lines.push(`      run: ${run[0]}`);
    else lines.push('      run: |-', ...run.map((l) => `        ${l}`));
    if (STDIN_HOOKS.includes(hook)) lines.push('      use_stdin: true');
  }
  lines.push(BLOCK_END);
  return lines.join('\n') + '\n';
}

/** Whether a git hook file is one lefthook wrote for this hook (it calls `lefthook run "<hook>"`). */
export function isLefthookHook(text: string | null, hook: HookName): boolean {
  return text !== null && text.includes('lefthook') && (text.includes(`run "${hook}"`) || text.includes(`run ${hook}`));
}
