// Issue 8: 8 processes × 50 mixed operations (create, pin, unpin, cleanup, delete, reconcile,
// tick, reads) against one store while commits run the hooks: afterwards recover finds nothing to
// repair (exit 0), ci passes (exit 0), and no move is dated before its backup was created.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_ENV, tempRepo } from '../helpers/repo.js';
import { ok, type Rec } from '../helpers/truth.js';

const WORKER = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'helpers', 'truth-worker.js');

function runWorker(dir: string, n: number): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [WORKER, dir, String(n), '50'], { env: { ...TEST_ENV, GIT_BACKUP_LOCK_TIMEOUT_MS: '120000' } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

test('8 processes × 50 mixed operations plus commits with hooks: recover exit 0, ci exit 0', async () => {
  const repo = tempRepo();
  ok(repo, ['install']);
  repo.git(['checkout', '-q', '-b', 'feature']);
  repo.write('work.txt', 'uncommitted work\n');
  const workers = Array.from({ length: 8 }, (_, i) => runWorker(repo.dir, i));
  // Commits with the hooks (drains in sync mode) while the workers run.
  for (let c = 0; c < 8; c++) {
    repo.write(`c${c}.txt`, `commit ${c}\n`);
    repo.git(['add', `c${c}.txt`]);
    repo.git(['commit', '-q', '-m', `c${c}`]);
    await new Promise((r) => setTimeout(r, 150));
  }
  for (const w of await Promise.all(workers)) {
    assert.is(w.code, 0, w.out);
    const report = JSON.parse(w.out.trim().split('\n').pop()!) as { ok: boolean; failures: string[] };
    assert.ok(report.ok, report.failures.join('\n'));
  }
  const r = repo.cli(['recover']);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /0 repair\(s\), 0 problem\(s\)/);
  const ci = repo.cli(['ci']);
  assert.is(ci.code, 0, ci.stdout + ci.stderr);
  for (const b of repo.json<Rec[]>(['list', '--state', 'CREATED', '--state', 'PENDING', '--state', 'CLEANABLE', '--state', 'DELETED'])) {
    for (const h of b.history) assert.ok(h.at >= b.created_at, `${b.id}: ${h.from}→${h.to} at ${h.at} is before its creation ${b.created_at}`);
  }
});

test.run();
