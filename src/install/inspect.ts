// What `status` says about hooks: which of ours are in place, where, under which hook manager.
import { join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import type { RepoPaths } from '../git/exec.js';
import { HOOK_NAMES, type HookName } from '../core/events.js';
import { findBlock } from './block.js';
import { isLefthookHook, lefthookBlock, localConfigName } from './lefthook.js';
import { storePaths } from '../store/store.js';
import { locateHooks, type HookMode } from './locate.js';
import { hookBlock } from './template.js';

export interface HooksStatus {
  mode: HookMode;
  /** Where our blocks live in this mode (hooks dir, .husky, or lefthook-local.yml). */
  location: string;
  installed: HookName[];
  missing: HookName[];
  /** Installed, but an older version of the block: `git backup install --force`. */
  outdated: HookName[];
  /** lefthook mode: our entry is there but lefthook has not written the git hook yet (`lefthook install`). */
  lefthookNotInstalled?: HookName[];
}

const read = (p: string): string | null => (existsSync(p) ? readFileSync(p, 'utf8') : null);

/** `hooksDir`: where git runs hooks from, when the caller knows (ctx.hooksDir()). */
export async function inspectHooks(repo: RepoPaths, hooksDir?: string): Promise<HooksStatus> {
  const setup = await locateHooks(repo, hooksDir);
  const status: HooksStatus = { mode: setup.mode, location: '', installed: [], missing: [], outdated: [] };
  if (setup.mode === 'lefthook') {
    status.location = join(repo.worktree, localConfigName(setup.lefthookConfig!));
    const text = read(status.location);
    const block = text === null ? null : findBlock(text);
    for (const hook of HOOK_NAMES) (block && block.body.includes(`\n${hook}:\n`) ? status.installed : status.missing).push(hook);
    if (block && block.body !== lefthookBlock(HOOK_NAMES, join(storePaths(repo.commonDir).dir, 'hooks'))) status.outdated.push(...status.installed);
    status.lefthookNotInstalled = status.installed.filter((hook) => !isLefthookHook(read(join(setup.gitHooksDir, hook)), hook));
    return status;
  }
  status.location = setup.mode === 'husky' ? setup.huskyDir! : setup.gitHooksDir;
  for (const hook of HOOK_NAMES) {
    const text = read(join(status.location, hook));
    const block = text === null ? null : findBlock(text);
    if (!block) status.missing.push(hook);
    else {
      status.installed.push(hook);
      if (block.body !== hookBlock(hook)) status.outdated.push(hook);
    }
  }
  return status;
}
