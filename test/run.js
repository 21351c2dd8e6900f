#!/usr/bin/env node
// Runs every compiled test file in its own process with a time limit (uvu has neither isolation nor
// timeouts), PARALLEL at a time, and closes with the one line CI reads: "N passed, N failed".
// Longest first: the durations of the last run are kept in dist/test-times.json (dist/ is not
// committed); without them, files that drive git and the CLI go before the pure ones. Starting the
// long files first keeps one long file from running alone at the end.
// A file that takes its `test` from test/helpers/shard.ts is split into processes of about
// SHARD_TARGET_MS each by its last duration (at most MAX_SHARDS; 2 before its first run): shard k of
// n gets TEST_SHARD=k/n and runs every n-th test. A failure names its shard, e.g.
// "hooks/install.test.js [2/3]"; `TEST_SHARD=2/3 node dist/test/hooks/install.test.js` runs it again.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, statfsSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const testDir = join(root, 'dist', 'test');
const TIME_LIMIT_MS = Number(process.env.TEST_TIME_LIMIT_MS ?? 300_000);
// 3 on 2 cores: the test processes wait on git and child processes often enough that a third keeps
// both cores busy (measured: about 8 % less wall time than 2 on the hooks and config files).
const PARALLEL = Number(process.env.TEST_PARALLEL ?? 3);
const SHARD_TARGET_MS = Number(process.env.TEST_SHARD_TARGET_MS ?? 20_000);
// Each part repeats the file's set-up (fixtures, templates), and the suite is CPU-bound: one process
// per file costs least in all (measured: about 7 % less wall time at 3 at a time). TEST_MAX_SHARDS=4
// splits the long files for a quicker loop on one of them.
const MAX_SHARDS = Number(process.env.TEST_MAX_SHARDS ?? 1);
const TIMES = join(root, 'dist', 'test-times.json');
// A fresh clone (CI) has no durations of its own: the ones committed beside this file (copied from
// a full run) still put the long files first and split them, so no long file starts last.
const SEED_TIMES = join(root, 'test', 'test-times.json');
const filter = process.argv.slice(2);

function readTimes() {
  for (const path of [TIMES, SEED_TIMES]) {
    try {
      return JSON.parse(readFileSync(path, 'utf8'));
    } catch {
      // the next one
    }
  }
  return {};
}

/** Previous duration in ms, else a guess by folder: the pure core and the block parser are fast. */
function expectedMs(times, name) {
  if (typeof times[name] === 'number') return times[name];
  return /^(core|install)\//.test(name) ? 1_000 : 10_000;
}

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out.sort();
}

// The test files never reach the network: without this, every node they start (the CLI, each hook
// drain) would parse a whole CA bundle first when the machine sets one (about a third of a bare start).
const childEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' };
delete childEnv.NODE_EXTRA_CA_CERTS;

// Scratch repositories go to a RAM-backed directory when the machine has one, as git's own suite
// does with --root: every test creates and deletes thousands of small files, and on this machine's
// ext4 the kernel's inode allocation alone was ~8 % of the suite's CPU (perf; 126 -> 112 s wall).
// TEST_TMPDIR chooses another place (e.g. TEST_TMPDIR=/tmp to test on disk); removed at the end.
const MIN_FREE_BYTES = 2 * 1024 ** 3;
function scratchRoot() {
  if (process.env.TEST_TMPDIR) return null;
  let dir = null;
  try {
    const fs = statfsSync('/dev/shm');
    if (fs.bavail * fs.bsize < MIN_FREE_BYTES) return null;
    dir = mkdtempSync('/dev/shm/gb-test-');
    // Hooks are scripts in the scratch repositories: a noexec /dev/shm (a common hardening) would
    // fail every hook test with a misleading assertion, so that one is not used.
    const probe = `${dir}/exec-probe`;
    writeFileSync(probe, '#!/bin/sh\nexit 0\n');
    chmodSync(probe, 0o755);
    if (spawnSync(probe).status !== 0) throw new Error('noexec');
    rmSync(probe);
    return dir;
  } catch {
    if (dir) rmSync(dir, { recursive: true, force: true });
    return null; // no /dev/shm, not writable, or noexec: the system's temporary directory
  }
}
const scratch = scratchRoot();
const tmpdir = process.env.TEST_TMPDIR || scratch;
if (tmpdir) childEnv.TMPDIR = tmpdir;

/** Remove the scratch directory; a failure (a test's mount left busy, say) is a warning, not a crash before the summary. */
function removeScratch() {
  if (!scratch) return;
  try {
    rmSync(scratch, { recursive: true, force: true, maxRetries: 3 });
  } catch (e) {
    console.error(`could not remove the test scratch directory ${scratch}: ${e.message.split('\n')[0]}`);
  }
}

/** How many processes a file runs in: 1 unless it uses test/helpers/shard.ts. */
function shardsFor(times, file, name) {
  if (!readFileSync(file, 'utf8').includes('helpers/shard.js')) return 1;
  const tests = counts[name] ?? MAX_SHARDS; // never more processes than tests
  if (typeof times[name] !== 'number') return Math.min(2, tests);
  return Math.min(MAX_SHARDS, tests, Math.max(1, Math.ceil(times[name] / SHARD_TARGET_MS)));
}

/** Process groups of the test files running now: an interrupted run kills them and removes the scratch. */
const running = new Set();
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    for (const pid of running) {
      try { process.kill(-pid, 'SIGKILL'); } catch {}
    }
    removeScratch();
    process.exit(128 + ({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1 })[signal]);
  });
}

function runFile(file, shard) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [file], {
      cwd: root,
      env: shard.n > 1 ? { ...childEnv, TEST_SHARD: `${shard.k}/${shard.n}` } : childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    running.add(child.pid);
    child.on('exit', () => running.delete(child.pid));
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try { process.kill(-child.pid, 'SIGKILL'); } catch {}
    }, TIME_LIMIT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      // uvu closes with "Total: N / Passed: N / Skipped: N"; strip colour codes in case they leak through.
      const plain = out.replace(/\x1b\[[0-9;]*m/g, '');
      const total = Number(/Total:\s+(\d+)/.exec(plain)?.[1] ?? NaN);
      const passed = Number(/Passed:\s+(\d+)/.exec(plain)?.[1] ?? NaN);
      let p = 0, f = 0;
      if (Number.isFinite(total) && Number.isFinite(passed)) {
        p = passed;
        f = total - passed;
        if (code !== 0 && f === 0) f = 1; // crashed after its summary
      } else {
        f = 1; // no summary: the file crashed or timed out
      }
      resolve({ file, passed: p, failed: f, total, code, timedOut, out: plain, ms: Date.now() - started });
    });
  });
}

const times = readTimes();
// Tests per file (uvu's Total, summed over shards), kept beside the durations.
const counts = typeof times.__tests === 'object' && times.__tests !== null ? times.__tests : {};
delete times.__tests;
const files = findTests(testDir).filter((f) => filter.length === 0 || filter.some((x) => f.includes(x)));
// One job per process: a file, or one shard of it; longest expected first.
const jobs = files.flatMap((file) => {
  const name = relative(testDir, file);
  const n = shardsFor(times, file, name);
  const ms = expectedMs(times, name) / n;
  return Array.from({ length: n }, (_, i) => ({ file, name, shard: { k: i + 1, n }, ms }));
}).sort((a, b) => b.ms - a.ms);
let passed = 0, failed = 0;
const queue = [...jobs];
const started = Date.now();
const took = [];
// Per file: the sum of its shards' durations (the next run's split), unless one timed out.
const fileMs = new Map();
async function worker() {
  while (queue.length) {
    const job = queue.shift();
    const r = await runFile(job.file, job.shard);
    passed += r.passed;
    failed += r.failed;
    const label = job.shard.n > 1 ? `${job.name} [${job.shard.k}/${job.shard.n}]` : job.name;
    took.push([label, r.ms]);
    const sum = fileMs.get(job.name) ?? { ms: 0, done: 0, tests: 0, timedOut: false };
    sum.ms += r.ms;
    sum.done += 1;
    sum.tests += r.total;
    sum.timedOut ||= r.timedOut;
    fileMs.set(job.name, sum);
    if (sum.done === job.shard.n && !sum.timedOut) {
      times[job.name] = sum.ms;
      if (Number.isFinite(sum.tests)) counts[job.name] = sum.tests;
    }
    const status = r.failed ? (r.timedOut ? 'TIMEOUT' : 'FAIL') : 'ok';
    console.log(`${status.padEnd(7)} ${label}  ${r.passed} passed, ${r.failed} failed  (${(r.ms / 1000).toFixed(1)} s)`);
    if (r.failed) console.log(r.out.split('\n').map((l) => '    ' + l).join('\n'));
  }
}
await Promise.all(Array.from({ length: Math.max(1, PARALLEL) }, worker));
if (files.length === 0) console.log('no test files found under dist/test');
try {
  writeFileSync(TIMES, JSON.stringify({ ...times, __tests: counts }, null, 1) + '\n');
} catch {}
const slowest = took.sort((a, b) => b[1] - a[1]).slice(0, 5).map(([n, ms]) => `${n} ${(ms / 1000).toFixed(1)} s`);
console.log(`${files.length} files (${jobs.length} processes) in ${((Date.now() - started) / 1000).toFixed(1)} s wall, ${PARALLEL} at a time; slowest: ${slowest.join(', ')}`);
console.log(`${passed} passed, ${failed} failed`);
removeScratch();
process.exit(failed || files.length === 0 ? 1 : 0);
