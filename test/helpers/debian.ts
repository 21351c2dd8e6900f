// Tools the tests need that a machine may lack (promtool, zsh): taken once from Debian's packages
// with `apt-get download` and `dpkg-deb` (seconds, no root needed) into node_modules/.cache, so
// `npm test` needs nothing installed by hand. When that cannot work the test fails saying what to
// install: a check is never skipped.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CACHE = fileURLToPath(new URL('../../../node_modules/.cache/git-backup-test', import.meta.url));

/**
 * The root of `packages` extracted (only `members`, paths like `./usr/bin/promtool`, when given),
 * cached under `name`. Throws, naming what to install, when apt-get cannot download them.
 */
export function fromDebian(name: string, packages: string[], members: string[] = []): string {
  const root = join(CACHE, name);
  if (existsSync(root)) return root;
  mkdirSync(CACHE, { recursive: true });
  const tmp = mkdtempSync(join(CACHE, `${name}-fetch-`));
  try {
    const download = () => spawnSync('apt-get', ['download', '-q', ...packages], { cwd: tmp, encoding: 'utf8' });
    let got = download();
    if (got.status !== 0 && process.getuid?.() === 0) {
      spawnSync('apt-get', ['update', '-q'], { stdio: 'ignore' }); // a machine whose package lists were never fetched
      got = download();
    }
    const debs = readdirSync(tmp).filter((n) => n.endsWith('.deb'));
    if (got.status !== 0 || debs.length !== packages.length) {
      throw new Error(`the tests need Debian's ${packages.join(', ')} (or the tool on PATH): apt-get download failed: ${got.stderr?.trim() || got.error?.message}`);
    }
    const into = join(tmp, 'root');
    mkdirSync(into);
    const extract = 'deb=$1; dir=$2; shift 2; dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir" "$@"';
    for (const deb of debs) execFileSync('sh', ['-c', extract, 'sh', join(tmp, deb), into, ...members]);
    try {
      renameSync(into, root); // atomic: a concurrent fetch finds a whole tree or none
    } catch (e) {
      if (!existsSync(root)) throw e; // another test file's fetch got there first: use its tree
    }
    return root;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
