// The backup remote (issue 11, docs/remote.md): what `git backup push` costs with BACKUPS backups
// (default 1,000), against plain `git push` of the same refs in the same run: the first push (every
// snapshot and the notes), an incremental push with nothing new, one after ten new backups; and
// what a due push adds to one hook drain (the same drain with and without backup.remote,
// interleaved). The remotes are bare repositories on the same disk, so the figures are our
// overhead over git's, not a network's.
//
// The backups are real stash-shaped snapshot commits with a creation note each, written by one
// `git fast-import` (minutes of `create` otherwise); the index is built from them by `recover`.
//
//   npm run build && node dist/bench/remote.js [--backups N] [--rounds N] [--write]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, ROOT } from './lib/context.js';
import { describeMachine } from './lib/machine.js';
import { writeSection } from './lib/report.js';
import { median } from './lib/stats.js';
import { formatId } from '../src/core/ids.js';
import { newRecord } from '../src/core/record.js';
import { formatNoteLine, createdEvent } from '../src/core/notes-format.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const BACKUPS = arg('--backups', 1000);
const ROUNDS = arg('--rounds', 5);
const scratch = mkdtempSync(join(tmpdir(), 'gb-bench-remote-'));
// git-backup is not on PATH: the hooks record their event and start no drain, so one drain is timed alone.
// No NODE_EXTRA_CA_CERTS: it adds ~45 ms to every Node start, the baseline's too (bench/lib/scratch.ts).
const ENV = { ...process.env, NODE_EXTRA_CA_CERTS: undefined, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b', GIT_BACKUP_HOOK_MODE: undefined };

function sh(cmd: string, args: string[], cwd: string, input?: string): string {
  return execFileSync(cmd, args, { cwd, env: ENV, input, encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['pipe', 'pipe', 'pipe'] });
}
function timed(cmd: string, args: string[], cwd: string): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd, env: ENV, stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}
const ours = (args: string[], cwd: string) => timed(process.execPath, [BIN, ...args], cwd);
const bare = (name: string) => {
  const d = join(scratch, name);
  sh('git', ['init', '-q', '--bare', d], scratch);
  return d;
};

/** A repository with BACKUPS snapshot commits (base HEAD, one new file each), their refs and creation notes. */
function makeRepo(): string {
  const dir = join(scratch, 'repo');
  sh('git', ['init', '-q', '-b', 'main', dir], scratch);
  for (let i = 0; i < 200; i++) writeFileSync(join(dir, `f${i}.txt`), `file ${i}\n${'x'.repeat(i * 10)}\n`);
  sh('git', ['add', '-A'], dir);
  sh('git', ['commit', '-qm', 'base'], dir);
  const head = sh('git', ['rev-parse', 'HEAD'], dir).trim();
  const headTree = sh('git', ['rev-parse', 'HEAD^{tree}'], dir).trim();
  const index = sh('git', ['commit-tree', headTree, '-p', head, '-m', 'index on main'], dir).trim();
  const start = Date.parse('2026-11-01T00:00:00.000Z');
  // Pass 1: the snapshot commits; their oids name the backups.
  let fi = '';
  for (let i = 0; i < BACKUPS; i++) {
    const at = Math.floor((start + i * 60_000) / 1000);
    const data = `work in progress ${i}\n${'y'.repeat(200 + (i % 50) * 40)}\n`;
    const msg = `On main: bench ${i % 10}\n`;
    fi += `commit refs/bench/snap${i}\nmark :${i + 1}\ncommitter b <b@b> ${at} +0000\ndata ${Buffer.byteLength(msg)}\n${msg}from ${head}\nmerge ${index}\n`;
    fi += `M 100644 inline work/${i}.txt\ndata ${Buffer.byteLength(data)}\n${data}\n`;
  }
  sh('git', ['fast-import', '--quiet'], dir, fi);
  const oids = sh('git', ['for-each-ref', '--format=%(refname) %(objectname)', 'refs/bench/'], dir)
    .split('\n').filter(Boolean).map((l) => l.split(' ')).map(([ref, oid]) => [Number(ref!.slice('refs/bench/snap'.length)), oid!] as const)
    .sort((a, b) => a[0] - b[0]);
  // Pass 2: refs/backups/<id> and one creation note per snapshot.
  let refs = '';
  let notes = `commit refs/notes/backups\ncommitter b <b@b> ${Math.floor(start / 1000)} +0000\ndata 5\nbench\n`;
  for (const [i, oid] of oids) {
    const created = new Date(start + i * 60_000);
    const r = newRecord({ id: formatId(created, oid, 8), created_at: created, message: `bench ${i % 10}`, branch: 'main', base: head, snapshot: oid, paths: [], files: 1, bytes: 200, include_ignored: false, worktree: '.', origin: 'bench' });
    refs += `update refs/backups/${r.id} ${oid}\ndelete refs/bench/snap${i}\n`;
    const line = formatNoteLine(created, createdEvent(r)) + '\n';
    notes += `N inline ${oid}\ndata ${Buffer.byteLength(line)}\n${line}`;
  }
  sh('git', ['update-ref', '--stdin'], dir, refs);
  sh('git', ['fast-import', '--quiet'], dir, notes);
  sh('git', ['config', 'backup.cloneId', 'bench'], dir);
  sh(process.execPath, [BIN, 'recover'], dir); // writes db.json from refs and notes
  sh(process.execPath, [BIN, 'install'], dir);
  return dir;
}

const PLAIN = ['refs/backups/*:refs/backups/*', 'refs/notes/backups:refs/notes/backups'];
let commits = 0;
/** A commit whose post-commit hook records one event (git-backup is off PATH: no drain starts). */
function recordOneEvent(dir: string): void {
  writeFileSync(join(dir, 'f0.txt'), `change ${++commits}\n`);
  sh('git', ['commit', '-qam', `change ${commits}`], dir);
}

const repo = makeRepo();
const mine = bare('ours.git');
const theirs = bare('plain.git');
sh('git', ['remote', 'add', 'backup', mine], repo);
sh('git', ['config', 'backup.remote', 'backup'], repo);
if (spawnSync('sh', ['-c', 'command -v git-backup'], { env: ENV }).status === 0) throw new Error('git-backup is on PATH: the hooks would start drains; run without it');
process.stderr.write(`[bench] ${BACKUPS} backups made in ${repo}\n`);

const firstPlain = timed('git', ['push', '--quiet', theirs, ...PLAIN], repo);
const firstOurs = ours(['push', 'backup'], repo);
const verified = JSON.parse(sh(process.execPath, [BIN, 'push', 'backup', '--json'], repo)) as { already: number; sent: number };
if (verified.already !== BACKUPS || verified.sent !== 0) throw new Error(`after the first push: ${JSON.stringify(verified)}`);

const idlePlain: number[] = [];
const idleOurs: number[] = [];
for (let k = 0; k < ROUNDS; k++) {
  idlePlain.push(timed('git', ['push', '--quiet', theirs, ...PLAIN], repo));
  idleOurs.push(ours(['push', 'backup'], repo));
}

const tenPlain: number[] = [];
const tenOurs: number[] = [];
for (let k = 0; k < ROUNDS; k++) {
  for (let j = 0; j < 10; j++) {
    writeFileSync(join(repo, `new-${k}-${j}.txt`), `new work ${k} ${j}\n`);
    sh(process.execPath, [BIN, 'create', '-m', `new ${k} ${j}`], repo);
  }
  tenPlain.push(timed('git', ['push', '--quiet', theirs, ...PLAIN], repo));
  tenOurs.push(ours(['push', 'backup'], repo));
}

// One drain, with a push due (the last outcome removed) or without backup.remote, interleaved.
const outcome = join(repo, '.git', 'backup', 'remote-push.json');
const drainWith: number[] = [];
const drainWithout: number[] = [];
for (let k = 0; k < ROUNDS; k++) {
  sh('git', ['config', '--unset', 'backup.remote'], repo);
  recordOneEvent(repo);
  drainWithout.push(ours(['hook', 'drain', '--repo', repo], repo));
  sh('git', ['config', 'backup.remote', 'backup'], repo);
  rmSync(outcome, { force: true });
  recordOneEvent(repo);
  drainWith.push(ours(['hook', 'drain', '--repo', repo], repo));
  if (!existsSync(outcome)) throw new Error('the drain with backup.remote set did not push');
}
const node = median(Array.from({ length: ROUNDS }, () => timed(process.execPath, ['-e', '0'], repo)));

const m = describeMachine();
const f = (x: number) => `${x.toFixed(0)} ms`;
const r = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
const rows: [string, number, number][] = [
  [`first push, ${BACKUPS.toLocaleString('en')} backups`, firstOurs, firstPlain],
  ['incremental push, nothing new (median)', median(idleOurs), median(idlePlain)],
  ['incremental push, 10 new backups (median)', median(tenOurs), median(tenPlain)],
];
const report = [
  '## The backup remote: `git backup push` (issue 11)',
  '',
  `Machine: ${m.cpu}, ${m.cores} cores, ${m.memory}; ${m.os}; Node ${m.node}; ${m.git}. Load average at the end: ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}.`,
  `Command: \`npm run build && node dist/bench/remote.js --backups ${BACKUPS} --rounds ${ROUNDS} --write\`. Remotes: bare repositories on the same disk (by path).`,
  '',
  'Baseline: plain `git push REMOTE \'refs/backups/*:refs/backups/*\' refs/notes/backups:refs/notes/backups` of the same repository to a second bare repository, in the same run.',
  '`git backup push` also merges the remote\'s notes first, lists the remote twice (`ls-remote`, before and to verify), and writes a note line per newly verified copy.',
  '',
  '| what | git backup push | plain git push | ratio |',
  '| --- | --- | --- | --- |',
  ...rows.map(([what, a, b]) => `| ${what} | ${f(a)} | ${f(b)} | ${r(a, b)} |`),
  '',
  `One hook drain (one event, ${BACKUPS.toLocaleString('en')}+ backups), median of ${ROUNDS} interleaved: without backup.remote ${f(median(drainWithout))}, with a push due ${f(median(drainWith))} (${r(median(drainWith), median(drainWithout))}; the push adds ${f(median(drainWith) - median(drainWithout))}). \`node -e 0\`: ${f(node)}. The drain runs detached after git's command has returned: this is time the drain holds, not time git waits.`,
  '',
].join('\n');
process.stdout.write(report);
if (process.argv.includes('--write')) writeSection(ROOT, 'remote', 'bench/remote.ts', report);
rmSync(scratch, { recursive: true, force: true });
