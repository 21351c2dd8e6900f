// A copy of the built package (bin, the bundles, templates) in a scratch directory: a test that
// changes the bundle or its code cache changes its own copy, never the one every other test runs.
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT, scratchDir } from './repo.js';

export function packageCopy(): string {
  const dir = scratchDir('gb-package-');
  cpSync(join(PROJECT_ROOT, 'bin'), join(dir, 'bin'), { recursive: true });
  cpSync(join(PROJECT_ROOT, 'dist', 'bundle'), join(dir, 'dist', 'bundle'), { recursive: true });
  cpSync(join(PROJECT_ROOT, 'package.json'), join(dir, 'package.json'));
  for (const d of ['templates', 'hooks']) cpSync(join(PROJECT_ROOT, d), join(dir, d), { recursive: true });
  return dir;
}
