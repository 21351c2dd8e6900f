// A worker process for the issue-8 concurrency test: 50 mixed operations through the real app
// functions (real store, real lock, real git), in one process so that 8 of them fit the time limit.
// Prints one JSON line: { ok, failures[] }. Expected refusals (exit 3, 4, 6: another worker or a
// hook moved the backup first) are counted, not failures.
import { openContext, resetClock, type Output } from '../../src/app/context.js';
import { createBackup } from '../../src/app/create.js';
import { setPinned } from '../../src/app/access.js';
import { moveBackups } from '../../src/app/transition.js';
import { reconcile } from '../../src/app/reconcile.js';
import { evaluate } from '../../src/app/tick.js';
import { BackupError } from '../../src/errors.js';

const [repoDir, worker, count] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4] ?? 50)];
const io: Output = { out: () => undefined, outParts: () => undefined, err: () => undefined, interactive: false, ask: async () => '' };
const ctx = await openContext(io, repoDir);
const mine: string[] = [];
const failures: string[] = [];
let refused = 0;
// Per 25 operations: 2 creates, 4 pins/unpins, 2 cleanups, 2 deletes, 1 reconcile, 1 tick, 13 reads.
const ops = [
  'create', '--allow-empty', 'read', 'pin', 'read', 'cleanup', 'read', 'unpin', 'read', 'reconcile', 'read', 'delete', 'read', 'read',
  'create', 'read', 'pin', 'read', 'cleanup', 'read', 'unpin', 'read', 'tick', 'read', 'delete', 'read',
] as const;

for (let i = 0; i < count; i++) {
  const op = ops[(i + worker) % ops.length]!;
  resetClock(ctx);
  const target = mine[i % Math.max(1, mine.length)];
  const t0 = Date.now();
  try {
    if (op === 'create' || (!target && op !== 'read' && op !== 'reconcile' && op !== 'tick')) {
      const made = await createBackup(ctx, { message: `w${worker} op${i}`, includeIgnored: false, paths: [], cwd: repoDir, pin: false, labels: [], trigger: 'USER', allowEmpty: true });
      if (made.kind !== 'empty') mine.push(made.record.id);
    } else if (op === 'read') {
      await ctx.store.read();
    } else if (op === 'pin' || op === 'unpin') {
      await setPinned(ctx, target!, op === 'pin');
    } else if (op === 'cleanup') {
      await moveBackups(ctx, [{ id: target!, steps: ['CLEANABLE'] }], { trigger: 'USER', reason: 'worker', force: false, dryRun: false });
    } else if (op === 'delete') {
      await moveBackups(ctx, [{ id: target!, steps: ['DELETED'] }], { trigger: 'USER', reason: 'worker', force: true, dryRun: false });
      mine.splice(mine.indexOf(target!), 1);
    } else if (op === 'reconcile') {
      await reconcile(ctx, { trigger: 'GIT_HOOK' });
    } else if (op === 'tick') {
      await evaluate(ctx, { dryRun: false });
    }
    if (process.env.TRUTH_WORKER_TIMES) process.stderr.write(`${op} ${Date.now() - t0}\n`);
  } catch (e) {
    if (e instanceof BackupError && [3, 4, 6, 9].includes(e.exitCode)) refused++;
    else failures.push(`${op}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
process.stdout.write(JSON.stringify({ ok: failures.length === 0, failures, refused, made: mine.length }) + '\n');
