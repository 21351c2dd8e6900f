// The real promtool (Debian's prometheus package) for the metrics tests (issue 10): on PATH or in
// $PROMTOOL if there is one, else taken once from the package with `apt-get download prometheus`
// and `dpkg-deb` (about 4 s, no root needed) into node_modules/.cache, so `npm test` needs nothing
// installed by hand. When neither works the test fails saying so: the check is never skipped.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CACHE = join(fileURLToPath(new URL('../../../node_modules/.cache/git-backup-test', import.meta.url)));
const CACHED = join(CACHE, 'promtool');

export function promtool(): string {
  if (process.env.PROMTOOL) return process.env.PROMTOOL;
  if (spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status === 0) return 'promtool';
  if (existsSync(CACHED)) return CACHED;
  mkdirSync(CACHE, { recursive: true });
  const tmp = mkdtempSync(join(CACHE, 'fetch-'));
  try {
    const download = () => spawnSync('apt-get', ['download', '-q', 'prometheus'], { cwd: tmp, encoding: 'utf8' });
    let got = download();
    if (got.status !== 0 && process.getuid?.() === 0) {
      spawnSync('apt-get', ['update', '-q'], { stdio: 'ignore' }); // a machine whose package lists were never fetched
      got = download();
    }
    const deb = readdirSync(tmp).find((n) => n.endsWith('.deb'));
    if (got.status !== 0 || !deb) throw new Error(`promtool is needed by the metrics tests: install Debian's prometheus package or set PROMTOOL (apt-get download prometheus: ${got.stderr?.trim() || got.error?.message})`);
    execFileSync('sh', ['-c', `dpkg-deb --fsys-tarfile "$1" | tar -x ./usr/bin/promtool`, 'sh', deb], { cwd: tmp });
    renameSync(join(tmp, 'usr', 'bin', 'promtool'), CACHED); // atomic: a concurrent fetch finds a whole file or none
    return CACHED;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** `promtool check metrics` of an exposition: its exit code and what it said. */
export function checkMetrics(text: string): { code: number; output: string } {
  const r = spawnSync(promtool(), ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { code: r.status ?? -1, output: `${r.stdout}${r.stderr}`.trim() };
}
