// Files shipped with the package (templates/, man/) are found from the running module's location.
// The module may be dist/src/... (tsc output, tests) or dist/bundle/... (the esbuild bundle), so
// walk up to the directory whose package.json is ours instead of counting "../".
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'git-backup') return (root = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the git-backup package directory (no package.json named git-backup above this module)');
    dir = up;
  }
}

export const packageFile = (...segments: string[]): string => join(packageRoot(), ...segments);

/** The version in our package.json (yargs cannot find it from inside the bundle). */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version: string }).version;
}
