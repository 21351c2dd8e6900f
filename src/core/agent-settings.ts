// The entries `install --agent claude-code` adds to Claude Code's settings (.claude/settings.local.json):
// one hook command on UserPromptSubmit (a checkpoint per turn) and on PreToolUse for the tools that
// change files (a checkpoint per edit or shell command). Merged into whatever the user has, never
// replacing an entry. Ours carry a mark (a shell comment at the end of the command, which Claude
// Code hands to the shell as it is), so `uninstall` takes exactly what install added: an entry the
// user wrote for our hook themselves is theirs and stays. The lists (and the `hooks` object) install
// had to create are reported, so the caller can remember them and uninstall can take them away again
// when they are empty; a list the user had, even an empty one, stays.

/** The command Claude Code runs (git-backup must be on PATH, as a global install puts it). */
export const CLAUDE_HOOK_COMMAND = 'git backup hook agent claude-code';

/** What install writes: the command and our mark. Only entries with exactly this command are ours. */
export const CLAUDE_INSTALLED_COMMAND = `${CLAUDE_HOOK_COMMAND} # added by git backup install --agent claude-code`;

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

const commandOf = (h: unknown) => (typeof h === 'object' && h !== null ? (h as HookCommand).command : undefined);
const isOurs = (h: unknown) => commandOf(h) === CLAUDE_INSTALLED_COMMAND;
/** Ours, or the user's own entry for our hook: either way the event already takes a checkpoint. */
const runsOurHook = (h: unknown) => isOurs(h) || commandOf(h) === CLAUDE_HOOK_COMMAND;

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

/**
 * Settings with our entries added where the event does not run our hook yet (a copy); changed is
 * false when nothing was added. `created` names what was not there before: "hooks" and "hooks.EVENT".
 */
export function addAgentHooks(settings: Settings): { settings: Settings; changed: boolean; created: string[] } {
  const out: Settings = structuredClone(settings);
  const created: string[] = [];
  if (out.hooks === undefined) created.push('hooks');
  const hooks = (out.hooks ??= {});
  let changed = false;
  for (const [event, matcher] of WANTED) {
    if (hooks[event] === undefined) created.push(`hooks.${event}`);
    const groups = (hooks[event] ??= []);
    if (groups.some((g) => g.hooks.some(runsOurHook))) continue;
    groups.push({ ...(matcher !== undefined ? { matcher } : {}), hooks: [{ type: 'command', command: CLAUDE_INSTALLED_COMMAND }] });
    changed = true;
  }
  // Nothing added: nothing created either (an event list made only to look in it is not kept).
  return changed ? { settings: out, changed, created } : { settings, changed, created: [] };
}

/**
 * Settings without our entries (a copy): our marked commands go, and a group only they filled; of
 * the event lists and the `hooks` object, only those named in `created` (what install made) and
 * empty now. `empty` says nothing at all is left.
 */
export function removeAgentHooks(settings: Settings, created: readonly string[] = []): { settings: Settings; changed: boolean; empty: boolean } {
  const out: Settings = structuredClone(settings);
  let changed = false;
  const hooks = out.hooks;
  for (const [event, groups] of Object.entries(hooks ?? {})) {
    const kept: MatcherGroup[] = [];
    let touched = false;
    for (const g of groups) {
      const left = g.hooks.filter((h) => !isOurs(h));
      if (left.length === g.hooks.length) kept.push(g); // the user's group (even an empty one) stays as it is
      else {
        touched = true;
        if (left.length > 0) kept.push({ ...g, hooks: left });
      }
    }
    if (kept.length === 0 && created.includes(`hooks.${event}`)) delete hooks![event];
    else if (touched) hooks![event] = kept;
    else continue;
    changed = true;
  }
  if (hooks && Object.keys(hooks).length === 0 && created.includes('hooks')) {
    delete out.hooks;
    changed = true;
  }
  return { settings: out, changed, empty: Object.keys(out).length === 0 };
}
