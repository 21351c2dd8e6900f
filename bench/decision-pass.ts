// One content-proof decision pass (`git backup reconcile`) over 10,000 CREATED backups: its wall
// time against `node -e 0` in the same run (interleaved rounds, medians) and the number of git
// processes it starts (counted through a `git` shim first on PATH). Run alone:
//   npm run build && node dist/bench/decision-pass.js [--rounds N] [--write]   (--write: its section of BENCHMARKS.md)
//
// The store is what `create` writes: stash-shaped snapshot commits (worktree tree, index commit,
// base parent) made in one fast-import, and records from newRecord without `protects`, so the
// first pass also reads every backup's entries back from its snapshot (the path records from
// before the content proof, or rebuilt from notes, take). 20 branches; on each, a commit holds
// the exact content of half of that branch's backups, so the first pass moves 5,000 to PENDING.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir, tempRepo, CLI, TEST_ENV } from '../test/helpers/repo.js';
import { openStore } from '../src/store/store.js';
import { newRecord } from '../src/core/record.js';
import { median } from './lib/stats.js';
import { describeMachine } from './lib/machine.js';
import { writeSection } from './lib/report.js';
import { ROOT } from './lib/context.js';

const BACKUPS = 10_000;
const BRANCHES = 20;
const PER = BACKUPS / BRANCHES;
const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 5;

const repo = tempRepo();
const base = repo.git(['rev-parse', 'HEAD']);
const created = new Date(Date.now() - 3_600_000);
const sec = Math.floor(created.getTime() / 1000);
const stamp = created.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);

// Each backup protects one new file; its snapshot = base tree + that file, index commit = same tree.
const fi: string[] = [];
let mark = 1;
const blobMark = (b: number, i: number) => `:${1 + b * PER + i}`;
for (let b = 0; b < BRANCHES; b++) {
  for (let i = 0; i < PER; i++) {
    const data = `work ${b}/${i}\n`;
    fi.push('blob', `mark ${blobMark(b, i)}`, `data ${Buffer.byteLength(data)}`, data);
    mark++;
  }
}
const commitMark = (n: number) => `:${mark + n}`;
let n = 0;
for (let b = 0; b < BRANCHES; b++) {
  for (let i = 0; i < PER; i++) {
    const msg = `On br${b}: n${i}\n\nBackup-Created: ${created.toISOString()}\nBackup-Branch: br${b}\nBackup-Base: ${base}\nBackup-Include-Ignored: false\nBackup-Nonce: ${b}-${i}\n`;
    // index commit
    fi.push(`commit refs/bench/idx/${b}-${i}`, `mark ${commitMark(n++)}`, `committer B <b@b> ${sec} +0000`, 'data 6', 'index', `from ${base}`, `M 100644 ${blobMark(b, i)} w/${b}/${i}.txt`, '');
    fi.push(`commit refs/bench/snap/${b}-${i}`, `committer B <b@b> ${sec} +0000`, `data ${Buffer.byteLength(msg)}`, msg, `from ${base}`, `merge ${commitMark(n - 1)}`, `M 100644 ${blobMark(b, i)} w/${b}/${i}.txt`, '');
  }
  // The branch: one commit after the backups holding the first half of its backups' content.
  const later = sec + 60;
  fi.push(`commit refs/heads/br${b}`, `committer B <b@b> ${later} +0000`, 'data 5', 'work', `from ${base}`);
  for (let i = 0; i < PER / 2; i++) fi.push(`M 100644 ${blobMark(b, i)} w/${b}/${i}.txt`);
  fi.push('');
}
execFileSync('git', ['fast-import', '--quiet'], { cwd: repo.dir, input: fi.join('\n') + '\n', maxBuffer: 1 << 30 });
const snaps = repo.git(['for-each-ref', '--format=%(refname) %(objectname)', 'refs/bench/snap/']).split('\n').map((l) => l.split(' ') as [string, string]);
execFileSync('git', ['update-ref', '--stdin'], {
  cwd: repo.dir,
  input: snaps.map(([ref, sha]) => `create refs/backups/${stamp}-${sha.slice(0, 8)} ${sha}\n`).join('') + repo.git(['for-each-ref', '--format=delete %(refname)', 'refs/bench/']) + '\n',
});
const store = await openStore(join(repo.dir, '.git'));
await store.update((data) => {
  for (const [ref, sha] of snaps) {
    const b = /snap\/(\d+)-/.exec(ref)![1];
    data.backups.push(newRecord({ id: `${stamp}-${sha.slice(0, 8)}`, created_at: created, message: '', branch: `br${b}`, base, snapshot: sha, paths: [], files: 1, bytes: 10, include_ignored: false, worktree: repo.dir }));
  }
});
if (process.env.KEEP_TEST_REPOS) console.log(`repository: ${repo.dir}`);
const snapshotOfStore = readFileSync(join(repo.dir, '.git', 'backup', 'db.json'));

// A git shim that counts its invocations.
const shimDir = scratchDir('gb-gitcount-');
const countFile = join(shimDir, 'count');
const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
writeFileSync(join(shimDir, 'git'), `#!/bin/sh\necho "$1" >> "${countFile}"\nexec "${realGit}" "$@"\n`);
chmodSync(join(shimDir, 'git'), 0o755);
const env = { ...TEST_ENV, PATH: `${shimDir}:${TEST_ENV.PATH ?? ''}` };

function reconcile(): { ms: number; moved: number; gits: string[] } {
  writeFileSync(countFile, '');
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [CLI, 'reconcile', '--json'], { cwd: repo.dir, env, encoding: 'utf8', maxBuffer: 1 << 28 });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(r.stderr);
  const gits = readFileSync(countFile, 'utf8').split('\n').filter(Boolean);
  return { ms, moved: (JSON.parse(r.stdout) as { moved: unknown[] }).moved.length, gits };
}
function nodeStart(): number {
  const t = process.hrtime.bigint();
  spawnSync(process.execPath, ['-e', '0']);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

const first: number[] = [];
const steady: number[] = [];
const node: number[] = [];
let firstRun = reconcile();
let steadyRun = reconcile();
for (let r = 0; r < rounds; r++) {
  writeFileSync(join(repo.dir, '.git', 'backup', 'db.json'), snapshotOfStore, { mode: 0o600 });
  node.push(nodeStart());
  firstRun = reconcile();
  first.push(firstRun.ms);
  node.push(nodeStart());
  steadyRun = reconcile();
  steady.push(steadyRun.ms);
}
const processCount = (g: string[]) => `${g.length} (${[...new Set(g)].map((c) => `${c}×${g.filter((x) => x === c).length}`).join(', ')})`;
const nodeMs = median(node);
const m = describeMachine();
const report = [
  `## Content-proof decision pass with ${BACKUPS.toLocaleString('en')} backups`,
  '',
  `- date: ${new Date().toISOString()}; machine: ${m.cpu}, ${m.cores} cores, ${m.memory}, ${m.os}; node ${m.node}, ${m.git}`,
  `- command: \`npm run build && node dist/bench/decision-pass.js --rounds ${rounds} --write\` (${rounds} interleaved rounds, medians; the machine's load is whatever it was)`,
  `- ${BACKUPS.toLocaleString('en')} CREATED backups on ${BRANCHES} branches, stash-shaped snapshots made in one fast-import, records as \`create\` writes them but without \`protects\` (so the first pass reads every backup's entries back from its snapshot); on each branch one commit holds the content of half its backups`,
  `- git processes counted through a \`git\` shim first on PATH`,
  '',
  '| pass | median wall | ratio to `node -e 0` | git processes |',
  '| --- | --- | --- | --- |',
  `| \`node -e 0\` | ${nodeMs.toFixed(0)} ms | 1.00× | 0 |`,
  `| first pass: entries read, ${firstRun.moved.toLocaleString('en')} → PENDING, proofs stored | ${median(first).toFixed(0)} ms | ${(median(first) / nodeMs).toFixed(1)}× | ${processCount(firstRun.gits)} |`,
  `| next pass: nothing changes | ${median(steady).toFixed(0)} ms | ${(median(steady) / nodeMs).toFixed(1)}× | ${processCount(steadyRun.gits)} |`,
  '',
].join('\n');
process.stdout.write(report);
if (process.argv.includes('--write')) writeSection(ROOT, 'decision pass', 'bench/decision-pass.ts', report);
