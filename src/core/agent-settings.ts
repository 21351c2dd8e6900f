// The entries `install --agent claude-code` adds to Claude Code's settings (.claude/settings.local.json):
// one hook command on UserPromptSubmit (a checkpoint per turn) and on PreToolUse for the tools that
// change files (a checkpoint per edit or shell command). Merged into whatever the user has, never
// replacing an entry; removed by exact command, so `uninstall` takes ours and nothing else.

/** The command Claude Code runs (git-backup must be on PATH, as a global install puts it). */
export const CLAUDE_HOOK_COMMAND = 'git backup hook agent claude-code';

/** The tools after which files may differ: a checkpoint goes before each. Bash is why the tree is snapshot, not the tool's input. */
export const CLAUDE_TOOL_MATCHER = 'Edit|MultiEdit|Write|NotebookEdit|Bash';

interface HookCommand {
  type: string;
  command: string;
  [k: string]: unknown;
}
interface MatcherGroup {
  matcher?: string;
  hooks: HookCommand[];
  [k: string]: unknown;
}
export type Settings = Record<string, unknown> & { hooks?: Record<string, MatcherGroup[]> };

const WANTED: [event: string, matcher: string | undefined][] = [
  ['UserPromptSubmit', undefined],
  ['PreToolUse', CLAUDE_TOOL_MATCHER],
];

const isOurs = (h: unknown, command: string) => typeof h === 'object' && h !== null && (h as HookCommand).command === command;

/** Whether a parsed settings file has the shape we can edit: an object whose `hooks` (if any) maps events to lists of groups. */
export function settingsShapeProblem(v: unknown): string | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'it is not a JSON object';
  const hooks = (v as Settings).hooks;
  if (hooks === undefined) return null;
  if (typeof hooks !== 'object' || hooks === null || Array.isArray(hooks)) return '"hooks" is not an object';
  for (const [event, groups] of Object.entries(hooks)) {
    if (!Array.isArray(groups)) return `"hooks.${event}" is not a list`;
    for (const g of groups) if (typeof g !== 'object' || g === null || !Array.isArray((g as MatcherGroup).hooks)) return `an entry of "hooks.${event}" has no "hooks" list`;
  }
  return null;
}

/** Settings with our entries added where missing (a copy); changed is false when they were all there. */
export function addAgentHooks(settings: Settings, command = CLAUDE_HOOK_COMMAND): { settings: Settings; changed: boolean } {
  const out: Settings = structuredClone(settings);
  const hooks = (out.hooks ??= {});
  let changed = false;
  for (const [event, matcher] of WANTED) {
    const groups = (hooks[event] ??= []);
    if (groups.some((g) => g.hooks.some((h) => isOurs(h, command)))) continue;
    groups.push({ ...(matcher !== undefined ? { matcher } : {}), hooks: [{ type: 'command', command }] });
    changed = true;
  }
  return { settings: out, changed };
}

/**
 * Settings without our entries (a copy): our commands go, then any group, event list or `hooks`
 * object that only they filled. `empty` says nothing at all is left (the file can go).
 */
export function removeAgentHooks(settings: Settings, command = CLAUDE_HOOK_COMMAND): { settings: Settings; changed: boolean; empty: boolean } {
  const out: Settings = structuredClone(settings);
  let changed = false;
  for (const [event, groups] of Object.entries(out.hooks ?? {})) {
    const kept: MatcherGroup[] = [];
    let touched = false;
    for (const g of groups) {
      const hooks = g.hooks.filter((h) => !isOurs(h, command));
      if (hooks.length === g.hooks.length) kept.push(g); // the user's group (even an empty one) stays as it is
      else {
        touched = true;
        if (hooks.length > 0) kept.push({ ...g, hooks });
      }
    }
    if (!touched) continue;
    changed = true;
    if (kept.length > 0) out.hooks![event] = kept;
    else delete out.hooks![event];
  }
  if (out.hooks && Object.keys(out.hooks).length === 0 && changed) delete out.hooks;
  return { settings: out, changed, empty: Object.keys(out).length === 0 };
}
