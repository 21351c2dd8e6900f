// Quota with real bytes: backups holding ~20 MB exclusively (random, incompressible), quota 10 MiB.
// tick frees the oldest high-confidence ones first and stops as soon as it is under the quota; the
// bytes it predicted are the bytes `git backup gc --now` then reports freed. (It ran with ten times
// the bytes, 200 MB against 100 MiB, until the suite had to fit in 90 s: every number scales by ten,
// so the same five backups go; the byte-exact checks are absolute, so they got no looser per object.)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { tempRepo } from '../helpers/repo.js';

const DAY = 86_400_000;
const T0 = Date.parse('2025-03-03T09:00:00.000Z');
const when = (d: number) => ({ GIT_BACKUP_NOW: new Date(T0 + d * DAY).toISOString() });
const MB = 2_000_000;
const QUOTA = 10 * 1024 * 1024;
const N = 10;

interface Move { id: string; to: string; bytes: number; trigger: string }
interface Report { moves: Move[]; disk: { exclusive_bytes: number; quota: number; predicted_freed: number } }

const exclusive = (repo: ReturnType<typeof tempRepo>) =>
  Number(repo.git(['rev-list', '--disk-usage', '--objects', '--exclude=refs/backups/*', '--not', '--branches', '--tags', '--remotes', '--not', '--glob=refs/backups/*']).trim());

test('20 MB held exclusively, quota 10M: tick deletes the oldest high-confidence backups until under it', () => {
  const repo = tempRepo();
  repo.git(['config', 'backup.disk.quota', '10M']);
  repo.git(['config', 'backup.disk.strategy', 'aggressive']);
  repo.git(['config', 'backup.autoCleanupConfidence', '0.6']);
  repo.git(['config', 'backup.keep.last', '2']);
  repo.git(['config', 'backup.keep.daily', '0']);
  repo.git(['config', 'backup.keep.weekly', '0']);
  repo.git(['config', 'core.compression', '0']); // random bytes do not compress; save the CPU
  const ids: string[] = [];
  for (let i = 0; i < N; i++) {
    repo.write(`big${i}.bin`, randomBytes(MB));
    repo.write(`work${i}.txt`, `work ${i}\n`);
    ids.push(repo.json<{ id: string }>(['create', '--allow-empty', '-m', `b${i}`], { env: when(i) }).id);
    // The big file is edited further and that committed: the backup's version is superseded (safe
    // to delete) yet held by the backup alone (exclusive bytes).
    repo.write(`big${i}.bin`, `replaced ${i}\n`);
    repo.commitAll(`work ${i}`);
    assert.is(repo.cli(['reconcile'], { env: when(i) }).code, 0);
  }
  const before = exclusive(repo);
  assert.ok(before > N * MB && before < N * MB * 1.01, `exclusive ${before}`);

  const dry = repo.json<Report>(['tick', '--dry-run'], { env: when(40) });
  const t = Date.now();
  const real = repo.json<Report>(['tick'], { env: when(40) });
  const ms = Date.now() - t;
  assert.equal(real.moves, dry.moves);
  // 20 MB - 10 MiB = ~9.5 MB to free: five 2 MB backups, the oldest first.
  const disk = real.moves.filter((m) => m.trigger === 'DISK_SPACE');
  assert.equal(disk.map((m) => m.id), ids.slice(0, 5));
  for (const m of disk) assert.is(m.to, 'DELETED');
  // The others (not kept) only reach CLEANABLE by the time policy.
  assert.equal(real.moves.filter((m) => m.trigger === 'TIME_BASED').map((m) => [m.id, m.to]), ids.slice(5, 8).map((id) => [id, 'CLEANABLE']));
  const predicted = real.disk.predicted_freed;
  const after = exclusive(repo);
  assert.ok(after <= QUOTA, `after ${after}`);
  // The prediction adds up each backup's own objects; the measure differs by at most a few objects' headers.
  assert.ok(Math.abs(before - after - predicted) < 1024, `held ${before - after} vs predicted ${predicted}`);
  // Bytes freed on disk once git prunes the unreachable objects: `git backup gc --now` reports them.
  const gc = repo.json<{ bytes_freed: number }>(['gc', '--now']);
  const freed = gc.bytes_freed;
  assert.ok(freed >= predicted * 0.99, `freed ${freed} predicted ${predicted}`);
  assert.ok(exclusive(repo) <= QUOTA);
  console.log(`quota: ${N} backups, ${before} bytes exclusive; tick ${ms} ms; predicted ${predicted}, pruned ${freed}`);
  const again = repo.json<Report>(['tick', '--dry-run'], { env: when(41) });
  assert.equal(again.moves.filter((m) => m.trigger === 'DISK_SPACE'), [], 'under the quota: nothing more');
});

test.run();
