// Measure `git backup reconcile` with 2,000 backups across 20 branches (no timed assertion; run
// with `node dist/bench/reconcile-2000.js`). Snapshots are made in one fast-import so set-up is
// quick; the records go in through the real store.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { tempRepo } from '../test/helpers/repo.js';
import { openStore } from '../src/store/store.js';
import { newRecord } from '../src/core/record.js';

const BRANCHES = 20;
const PER_BRANCH = 100;
const repo = tempRepo();
const base = repo.git(['rev-parse', 'HEAD']);
const created = new Date(Date.now() - 3_600_000);
const stamp = created.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);

const lines: string[] = [];
for (let b = 0; b < BRANCHES; b++) {
  for (let i = 0; i < PER_BRANCH; i++) {
    const msg = `On br${b}: n${i}\n\nBackup-Created: ${created.toISOString()}\nBackup-Branch: br${b}\nBackup-Base: ${base}\nBackup-Include-Ignored: false\nBackup-Nonce: ${b}-${i}\n`;
    lines.push(`commit refs/bench/${b}-${i}`, `committer B <b@b> ${Math.floor(created.getTime() / 1000)} +0000`, `data ${Buffer.byteLength(msg)}`, msg, `from ${base}`, '');
  }
}
execFileSync('git', ['fast-import', '--quiet'], { cwd: repo.dir, input: lines.join('\n') });
const refs = repo.git(['for-each-ref', '--format=%(refname) %(objectname)', 'refs/bench/']).split('\n').map((l) => l.split(' ') as [string, string]);
const updates = refs.map(([ref, sha]) => `delete ${ref}\ncreate refs/backups/${stamp}-${sha.slice(0, 8)} ${sha}\n`).join('');
execFileSync('git', ['update-ref', '--stdin'], { cwd: repo.dir, input: updates });

const store = await openStore(join(repo.dir, '.git'));
await store.update((data) => {
  for (const [ref, sha] of refs) {
    const b = /refs\/bench\/(\d+)-/.exec(ref)![1];
    data.backups.push(newRecord({ id: `${stamp}-${sha.slice(0, 8)}`, created_at: created, message: '', branch: `br${b}`, base, snapshot: sha, paths: [], files: 1, bytes: 1, include_ignored: false, worktree: repo.dir }));
  }
});

for (let b = 0; b < BRANCHES; b++) {
  repo.git(['checkout', '-q', '-b', `br${b}`, 'main']);
  repo.write(`f${b}.txt`, `${b}\n`);
  repo.commitAll(`work ${b}`);
}
repo.git(['checkout', '-q', 'main']);

function timed(label: string): void {
  const t = process.hrtime.bigint();
  const r = repo.cli(['reconcile', '--json']);
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.code !== 0) throw new Error(r.stderr);
  const moved = (JSON.parse(r.stdout) as { moved: unknown[] }).moved.length;
  console.log(`${label.padEnd(44)} ${ms.toFixed(0).padStart(6)} ms  (${moved} moves)`);
}

timed('first run: 2000 CREATED -> PENDING');
timed('no change');
for (let b = 0; b < BRANCHES / 2; b++) repo.git(['merge', '-q', '--no-ff', '-m', `merge br${b}`, `br${b}`]);
for (let b = BRANCHES / 2; b < BRANCHES; b++) {
  repo.git(['merge', '-q', '--squash', `br${b}`]);
  repo.git(['commit', '-q', '-m', `squash br${b}`]);
}
timed('10 --no-ff + 10 squash merges: 2000 CONFIRMED');
timed('no change');
const notes = repo.git(['notes', '--ref=backups', 'list']).split('\n').length;
console.log(`notes written: ${notes} (2000 snapshots + 40 user commits expected)`);
