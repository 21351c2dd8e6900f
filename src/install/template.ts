// The shipped hook template (templates/hook-block.sh), read from the package at run time so the
// sh source stays a real sh file that can be linted and read on its own.
import { readFileSync } from 'node:fs';
import { packageFile } from '../package-root.js';
import type { HookName } from '../core/events.js';
import { NEW_FILE_SHEBANG, renderBlock } from './block.js';

let cached: string | undefined;
export function hookTemplate(): string {
  cached ??= readFileSync(packageFile('templates', 'hook-block.sh'), 'utf8');
  return cached;
}

export function hookBlock(hook: HookName): string {
  return renderBlock(hookTemplate(), hook);
}

/** A complete hook file holding only our block (hooks/<name> in the package, lefthook scripts). */
export function standaloneHook(hook: HookName): string {
  return NEW_FILE_SHEBANG + hookBlock(hook);
}
