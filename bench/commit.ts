// Commit benchmark (SPEC §9): median wall time of a small commit in three scratch repositories —
// no hooks, our hooks (installed by `git backup install`, default detached drain) and husky with a
// trivial post-commit — interleaved so machine noise hits all three alike. Not a test.
//
//   npx tsc -p tsconfig.json && node dist/bench/commit.js [ITERATIONS]
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, rmSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'bin', 'git-backup.js');
const N = Number(process.argv[2] ?? 40);
const base = mkdtempSync(join(tmpdir(), 'gb-bench-'));
process.on('exit', () => rmSync(base, { recursive: true, force: true }));

const shim = join(base, 'bin');
execFileSync('mkdir', ['-p', shim]);
writeFileSync(join(shim, 'git-backup'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
chmodSync(join(shim, 'git-backup'), 0o755);

const env: NodeJS.ProcessEnv = {
  ...process.env, HOME: base, GIT_CONFIG_NOSYSTEM: '1', PATH: `${shim}:${process.env.PATH}`,
  GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@x', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@x',
};
delete env.GIT_BACKUP_HOOK_MODE; // the default: detached drain

function repo(name: string): string {
  const dir = join(base, name);
  execFileSync('git', ['init', '-q', '-b', 'main', dir], { env });
  for (let i = 0; i < 20; i++) writeFileSync(join(dir, `f${i}.txt`), `file ${i}\n`);
  execFileSync('git', ['add', '-A'], { cwd: dir, env });
  execFileSync('git', ['commit', '-q', '-m', 'init'], { cwd: dir, env });
  return dir;
}

const plain = repo('none');
const ours = repo('ours');
execFileSync(process.execPath, [CLI, 'install'], { cwd: ours, env, stdio: 'ignore' });
const husky = repo('husky');
cpSync(join(ROOT, 'node_modules', 'husky'), join(husky, 'node_modules', 'husky'), { recursive: true });
execFileSync(process.execPath, [join(husky, 'node_modules', 'husky', 'bin.js')], { cwd: husky, env, stdio: 'ignore' });
writeFileSync(join(husky, '.husky', 'post-commit'), 'true\n');

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Wait for our detached drain to finish, so it does not steal CPU from the next measurement. */
function settle(dir: string): void {
  const lock = join(dir, '.git', 'backup', 'drain.lock');
  const log = join(dir, '.git', 'backup', 'events.log');
  for (let i = 0; i < 200; i++) {
    const db = join(dir, '.git', 'backup', 'db.json');
    const offset = existsSync(db) ? (JSON.parse(execFileSync('cat', [db], { encoding: 'utf8' })) as { events_offset?: number }).events_offset ?? 0 : 0;
    if (!existsSync(lock) && offset === statSync(log).size) return;
    sleep(10);
  }
}

function commit(dir: string, i: number): number {
  writeFileSync(join(dir, 'f0.txt'), `change ${i}\n`);
  const t0 = process.hrtime.bigint();
  const r = spawnSync('git', ['commit', '-q', '-a', '-m', `c${i}`], { cwd: dir, env, stdio: 'ignore' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`commit failed in ${dir}`);
  return ms;
}

const times: Record<string, number[]> = { none: [], ours: [], husky: [] };
for (let i = 0; i < N + 3; i++) {
  const order: [string, string][] = [['none', plain], ['ours', ours], ['husky', husky]];
  if (i % 2) order.reverse();
  for (const [name, dir] of order) {
    const ms = commit(dir, i);
    if (i >= 3) times[name]!.push(ms); // first rounds warm caches
    settle(ours);
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const none = median(times.none!);
console.log(`commit benchmark: ${N} interleaved iterations, small repository (20 files, one changed), median wall time\n`);
console.log('| setup | median ms | ratio vs no hooks |');
console.log('| --- | ---: | ---: |');
for (const name of ['none', 'ours', 'husky']) {
  const m = median(times[name]!);
  const label = name === 'none' ? 'no hooks' : name === 'ours' ? 'git-backup hooks (detached drain)' : 'husky, trivial post-commit';
  console.log(`| ${label} | ${m.toFixed(1)} | ${(m / none).toFixed(2)} |`);
}
