// processAlive against real processes: a running one, one gone, and a zombie (killed, never reaped),
// which answers kill(0) yet runs no more (a killed undo's intent must then be finished by recover).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { processAlive } from '../../src/fs/process.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('running, gone, and a zombie that kill(0) still finds', async () => {
  assert.ok(processAlive(process.pid));
  // `sleep 0.1` ends while its parent (sh, replaced by `sleep 5`) never waits for it: a zombie for 5 s.
  const parent = spawn('sh', ['-c', 'sleep 0.1 & echo $!; exec sleep 5'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const pid = await new Promise<number>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
  assert.ok(processAlive(pid), 'still sleeping');
  await sleep(400);
  process.kill(pid, 0); // the zombie is still there for kill(0)...
  assert.not.ok(processAlive(pid), '...but it is dead');
  parent.kill('SIGKILL');
  await new Promise((r) => parent.once('exit', r));
  await sleep(100);
  assert.not.ok(processAlive(pid), 'reaped: gone');
});

test.run();
