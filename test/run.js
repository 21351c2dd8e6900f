#!/usr/bin/env node
// Runs every compiled test file in its own process with a time limit (uvu has neither isolation nor
// timeouts), two at a time, and closes with the one line CI reads: "N passed, N failed".
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const testDir = join(root, 'dist', 'test');
const TIME_LIMIT_MS = Number(process.env.TEST_TIME_LIMIT_MS ?? 300_000);
const PARALLEL = Number(process.env.TEST_PARALLEL ?? 2);
const filter = process.argv.slice(2);

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out.sort();
}

function runFile(file) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [file], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
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
      resolve({ file, passed: p, failed: f, code, timedOut, out: plain, ms: Date.now() - started });
    });
  });
}

const files = findTests(testDir).filter((f) => filter.length === 0 || filter.some((x) => f.includes(x)));
let passed = 0, failed = 0;
const queue = [...files];
async function worker() {
  while (queue.length) {
    const file = queue.shift();
    const r = await runFile(file);
    passed += r.passed;
    failed += r.failed;
    const name = relative(testDir, file);
    const status = r.failed ? (r.timedOut ? 'TIMEOUT' : 'FAIL') : 'ok';
    console.log(`${status.padEnd(7)} ${name}  ${r.passed} passed, ${r.failed} failed  (${(r.ms / 1000).toFixed(1)} s)`);
    if (r.failed) console.log(r.out.split('\n').map((l) => '    ' + l).join('\n'));
  }
}
await Promise.all(Array.from({ length: Math.max(1, PARALLEL) }, worker));
if (files.length === 0) console.log('no test files found under dist/test');
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed || files.length === 0 ? 1 : 0);
