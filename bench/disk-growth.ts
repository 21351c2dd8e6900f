// Benchmark 2 (design.md §Performance): a second backup of an unchanged tree adds almost no bytes, because the
// snapshot's blobs and trees are shared with the first one.
import { join } from 'node:path';
import type { BenchContext } from './lib/context.js';
import type { BigRepo } from './fixtures/big-repo.js';
import type { Section } from './lib/report.js';
import { treeBytes } from './lib/disk.js';
import { bytes, median } from './lib/stats.js';

/** "Almost nothing", made concrete: a second backup may add at most this many bytes of objects. */
export const SECOND_BACKUP_LIMIT = 64 * 1024;

interface Sizes {
  objects: number;
  gitDir: number;
  /** `git count-objects -v`: size + size-pack, in KiB. */
  countObjectsKiB: number;
}

async function sizes(ctx: BenchContext, repo: BigRepo): Promise<Sizes> {
  const out = (await ctx.git(repo.dir, ['count-objects', '-v'])).stdout;
  const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(out)?.[1] ?? NaN);
  return {
    objects: treeBytes(join(repo.dir, '.git', 'objects')),
    gitDir: treeBytes(join(repo.dir, '.git')),
    countObjectsKiB: field('size') + field('size-pack'),
  };
}

async function growth(ctx: BenchContext, repo: BigRepo, message: string): Promise<Sizes> {
  const before = await sizes(ctx, repo);
  await ctx.time(ctx.cli(['create', '-m', message]), repo.dir);
  const after = await sizes(ctx, repo);
  return {
    objects: after.objects - before.objects,
    gitDir: after.gitDir - before.gitDir,
    countObjectsKiB: after.countObjectsKiB - before.countObjectsKiB,
  };
}

/** Must run on a repository that has no backup yet (the first create is measured too). */
export async function benchDiskGrowth(ctx: BenchContext, repo: BigRepo): Promise<Section> {
  ctx.log('disk growth: first backup, then unchanged ones');
  const first = await growth(ctx, repo, 'first backup');
  const seconds: Sizes[] = [];
  for (let i = 0; i < ctx.rounds(3, 1); i++) seconds.push(await growth(ctx, repo, `unchanged backup ${i + 1}`));
  const second: Sizes = {
    objects: median(seconds.map((s) => s.objects)),
    gitDir: median(seconds.map((s) => s.gitDir)),
    countObjectsKiB: median(seconds.map((s) => s.countObjectsKiB)),
  };
  const row = (label: string, s: Sizes) => [label, bytes(s.objects), `${s.countObjectsKiB} KiB`, bytes(s.gitDir)];
  return {
    title: 'Disk growth of a second, unchanged backup',
    method: [
      `same repository as the create benchmark (${repo.files} files, ${repo.changedPaths.length} modified, uncommitted)`,
      'bytes added = apparent size of `.git/objects` (and of all of `.git`, which includes db.json, refs, logs) after `git backup create` minus before',
      `"second backup": median over ${seconds.length} consecutive creates with nothing changed in between`,
      `for comparison: the ${repo.changedPaths.length} modified files hold ${bytes(repo.changedBytes)} uncompressed`,
    ],
    table: [
      ['backup', '.git/objects added', '`git count-objects -v` size + size-pack added (disk blocks)', '.git added (incl. index db)'],
      row('first (300 changed files)', first),
      row('second, unchanged', second),
    ],
    verdicts: [
      {
        what: 'objects added by a second, unchanged backup',
        value: bytes(second.objects),
        target: `≤ ${bytes(SECOND_BACKUP_LIMIT)} ("almost nothing")`,
        meets: second.objects <= SECOND_BACKUP_LIMIT,
      },
    ],
    notes: [
      `the first backup adds ${((first.objects / repo.changedBytes) * 100).toFixed(0)}% of the modified files' size (loose zlib objects); ` +
        `a second one adds ${((second.objects / repo.changedBytes) * 100).toFixed(1)}%`,
    ],
  };
}
