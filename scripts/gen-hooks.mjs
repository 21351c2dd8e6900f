#!/usr/bin/env node
// Regenerate hooks/<name> (standalone hook files for people who wire hooks by hand) from
// templates/hook-block.sh. test/install/template.test.ts fails when they are out of date.
import { writeFileSync, chmodSync } from 'node:fs';
import { HOOK_NAMES } from '../dist/src/core/events.js';
import { standaloneHook } from '../dist/src/install/template.js';

for (const hook of HOOK_NAMES) {
  const path = new URL(`../hooks/${hook}`, import.meta.url);
  writeFileSync(path, standaloneHook(hook));
  chmodSync(path, 0o755);
}
