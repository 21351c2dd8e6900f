// Files shipped with the package (templates/, man/) are found from the running module's location.
// The module may be dist/src/... (tsc output, tests) or dist/bundle/... (the esbuild bundle), so
// walk up to the directory whose package.json is ours instead of counting "../".
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Manifest {
  name?: string;
  version: string;
}

let found: { root: string; manifest: Manifest } | undefined;

/** Our package directory and its package.json, found once (every command's start-up asks for the version). */
function ourPackage(): { root: string; manifest: Manifest } {
  if (found) return found;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      const manifest = JSON.parse(readFileSync(pkg, 'utf8')) as Manifest;
      if (manifest.name === 'git-backup') return (found = { root: dir, manifest });
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the git-backup package directory (no package.json named git-backup above this module)');
    dir = up;
  }
}

export const packageFile = (...segments: string[]): string => join(ourPackage().root, ...segments);

/** The version in our package.json (yargs cannot find it from inside the bundle). */
export const packageVersion = (): string => ourPackage().manifest.version;
