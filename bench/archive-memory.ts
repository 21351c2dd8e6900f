// Benchmark: memory of reading archives back. Peak RSS of `archive` (write + read-back), `verify` and
// `restore --to DIR` of one backup holding ~300 MiB of incompressible content, against `node -e 0`
// and `gzip -t` of the same archive; and, since streaming must not cost speed where archives are
// many small files, wall time of `verify` and `restore --to DIR` on 5,000 small files. With `--compare DIR` (a built checkout of another version, e.g. main before
// this change) every command also runs with that build, on the same archives, in the same run.
//
// Alone: `npm run build && node dist/bench/archive-memory.js [--quick] [--compare DIR]` prints a
// report with this one section; `npm run bench` includes it (this build only).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BenchContext, RSS_PROBE } from './lib/context.js';
import { describeMachine } from './lib/machine.js';
import { GNU_TIME, peakRss, peakRssMethod, run } from './lib/proc.js';
import { renderReport, type Section } from './lib/report.js';
import { makeSmallRepo } from './fixtures/small-repo.js';
import { bytes, interleave, median, ms, ratio } from './lib/stats.js';

/** gc --now spares objects younger than 10 minutes (what a running git may still write); these backups were made a moment ago. */
const pruneAtOnce = (env: NodeJS.ProcessEnv | undefined): NodeJS.ProcessEnv => ({ ...env, GIT_BACKUP_TEST_GC_GRACE_MS: '0' });

const MiB = 1024 * 1024;

interface Build {
  name: string;
  cli: (args: readonly string[]) => string[];
}

interface Fixture {
  dir: string;
  /** Two archived backups of the same content: one archived by each build (the first by this one). */
  ids: string[];
  archive: string;
  archiveBytes: number;
  contentBytes: number;
  files: number;
  largest: number;
}

/** Incompressible files: `large` sizes, plus `small` files of 4–44 KiB. */
function writeContent(dir: string, large: number[], small: number): { bytes: number; files: number } {
  let total = 0;
  large.forEach((size, i) => {
    const path = join(dir, 'large', `blob-${i}.bin`);
    mkdirSync(join(dir, 'large'), { recursive: true });
    writeFileSync(path, '');
    for (let at = 0; at < size; at += 16 * MiB) writeFileSync(path, randomBytes(Math.min(16 * MiB, size - at)), { flag: 'a' });
    total += size;
  });
  for (let i = 0; i < small; i++) {
    mkdirSync(join(dir, 'small', String(i % 50)), { recursive: true });
    const size = 4096 + ((i * 7919) % 40960);
    writeFileSync(join(dir, 'small', String(i % 50), `f${i}.bin`), randomBytes(size));
    total += size;
  }
  return { bytes: total, files: large.length + small };
}

/** Small text files, the shape of a working tree (compressible, thousands). */
function writeSmallText(dir: string, n: number): void {
  for (let i = 0; i < n; i++) {
    mkdirSync(join(dir, 'src', String(i % 100)), { recursive: true });
    writeFileSync(join(dir, 'src', String(i % 100), `m${i}.ts`), `export const v${i} = ${i};\n`.repeat(20 + (i % 80)));
  }
}

/** create + cleanup, then archive one backup per build (timed for peak RSS), then gc --now. */
async function archived(ctx: BenchContext, dir: string, builds: Build[], label: string, rss: Map<string, number>): Promise<string[]> {
  const ids: string[] = [];
  for (const b of builds) {
    const { id } = JSON.parse((await run(ctx.cli(['create', '-m', label, '--json']), { cwd: dir, env: ctx.env })).stdout) as { id: string };
    await run(ctx.cli(['cleanup', id]), { cwd: dir, env: ctx.env });
    rss.set(`archive|${b.name}`, await peakRss(b.cli(['archive', id]), { cwd: dir, env: ctx.env }, RSS_PROBE));
    ids.push(id);
  }
  // The snapshots' blobs now live only in the archives: every restore and diff imports them.
  await run(ctx.cli(['gc', '--now']), { cwd: dir, env: pruneAtOnce(ctx.env) });
  return ids;
}

async function largeFixture(ctx: BenchContext, builds: Build[], rss: Map<string, number>): Promise<Fixture> {
  const dir = await makeSmallRepo(ctx, 'archive-mem');
  const large = ctx.quick ? [16 * MiB, 4 * MiB, 4 * MiB] : [128 * MiB, ...Array<number>(8).fill(16 * MiB)];
  const { bytes: contentBytes, files } = writeContent(dir, large, ctx.quick ? 200 : 2000);
  ctx.log(`archive memory: ${files} files, ${bytes(contentBytes)}; create and archive`);
  const ids = await archived(ctx, dir, builds, 'archive memory', rss);
  rmSync(join(dir, 'large'), { recursive: true });
  rmSync(join(dir, 'small'), { recursive: true });
  const shown = JSON.parse((await run(ctx.cli(['show', ids[0]!, '--json']), { cwd: dir, env: ctx.env })).stdout) as { archive: { path: string; bytes: number } };
  return { dir, ids, archive: shown.archive.path, archiveBytes: shown.archive.bytes, contentBytes, files, largest: Math.max(...large) };
}

/** Peak RSS of a node command alone, without its children: its own `maxRSS`, written by the probe preload. */
async function nodeAlonePeak(ctx: BenchContext, cmd: string[], cwd: string): Promise<number> {
  const file = join(ctx.scratch.dir('rss'), 'rss');
  await run([cmd[0]!, '--import', RSS_PROBE, ...cmd.slice(1)], { cwd, env: { ...ctx.env, GB_BENCH_RSS_FILE: file } });
  return Number(readFileSync(file, 'utf8').trim()) * 1024;
}

export async function benchArchiveMemory(ctx: BenchContext, compare: Build | null = null): Promise<Section> {
  const self: Build = { name: 'this build', cli: (a) => ctx.cli(a) };
  const builds = compare ? [self, compare] : [self];
  const archiveRss = new Map<string, number>();
  const fx = await largeFixture(ctx, builds, archiveRss);
  const opts = { cwd: fx.dir, env: ctx.env };
  const rounds = ctx.rounds(3, 1);
  ctx.log(`archive memory: verify and restore --to, ${rounds} round(s) per build`);

  // Each sample: [peak of the largest process in the tree, peak of node alone, wall ms].
  const samples = new Map<string, number[][]>();
  const add = (key: string, s: number[]) => samples.set(key, [...(samples.get(key) ?? []), s]);
  // Two runs per sample (with and without children); `before`/`after` prepare and clean up each.
  const measure = async (key: string, cmd: string[], before?: () => Promise<void>, after?: () => void) => {
    await before?.();
    const t0 = Date.now();
    const tree = await peakRss(cmd, opts, RSS_PROBE);
    const wall = Date.now() - t0;
    after?.();
    let alone = NaN;
    if (cmd[0] === process.execPath) {
      await before?.();
      alone = await nodeAlonePeak(ctx, cmd, fx.dir);
      after?.();
    }
    add(key, [tree, alone, wall]);
  };
  const to = join(ctx.scratch.dir('restore-to'), 'out');
  const gcNow = async () => void (await run(ctx.cli(['gc', '--now']), { ...opts, env: pruneAtOnce(opts.env) })); // so each restore imports every blob
  const clearTo = () => rmSync(to, { recursive: true, force: true });
  const STATUS = 'git backup status (this build)';
  const gzipT = `gzip -t (the archive, ${bytes(fx.archiveBytes)})`;
  for (let r = 0; r < rounds; r++) {
    await measure('node -e 0', [process.execPath, '-e', '0']);
    if (existsSync(GNU_TIME)) await measure(gzipT, ['gzip', '-t', fx.archive]); // the probe fallback measures node only
    await measure(STATUS, ctx.cli(['status'])); // the CLI's own floor: store read, no archive
    for (const b of builds) {
      await measure(`verify|${b.name}`, b.cli(['verify', fx.ids[0]!]));
      await measure(`restore --to DIR|${b.name}`, b.cli(['restore', fx.ids[0]!, '--to', to]), gcNow, clearTo);
    }
  }

  const med = (key: string, i: number) => median(samples.get(key)!.map((s) => s[i]!));
  const node = med('node -e 0', 0);
  const row = (label: string, build: string, tree: number, alone: number, wall: number | null) => [
    label, build, bytes(tree), Number.isNaN(alone) ? '—' : bytes(alone), ratio(tree / node), wall === null ? '—' : ms(wall),
  ];
  const table: string[][] = [['command', 'build', 'peak RSS (largest process)', 'node process alone', '÷ node -e 0', 'wall (median)']];
  for (const key of ['node -e 0', gzipT, STATUS].filter((k) => samples.has(k))) table.push(row(key, '', med(key, 0), med(key, 1), med(key, 2)));
  for (const b of builds) table.push(row('archive (write + read-back, once)', b.name, archiveRss.get(`archive|${b.name}`)!, NaN, null));
  for (const cmd of ['verify', 'restore --to DIR']) for (const b of builds) table.push(row(`${cmd} ID`, b.name, med(`${cmd}|${b.name}`, 0), med(`${cmd}|${b.name}`, 1), med(`${cmd}|${b.name}`, 2)));

  const speed = await smallFilesSpeed(ctx, builds);
  table.push(...speed.rows);
  const verify = med('verify|this build', 0);
  const notes = [
    `verify of a ${bytes(fx.archiveBytes)} archive peaks at ${ratio(verify / node)} of \`node -e 0\`, ${ratio(verify / med(STATUS, 0))} of \`git backup status\` (${ratio(verify / fx.archiveBytes)} of the archive's size)`,
    `restore still holds one whole blob at a time in node (src/git/blobs.ts, \`cat-file --batch\`, one copy since it is received straight into a buffer of its size), so its peak follows the largest file (${bytes(fx.largest)} here), not the archive`,
  ];
  if (compare) {
    const was = med(`verify|${compare.name}`, 0);
    notes.push(`verify: ${bytes(was)} with ${compare.name} → ${bytes(verify)} (${ratio(was / verify)} less); restore: ${bytes(med(`restore --to DIR|${compare.name}`, 0))} → ${bytes(med('restore --to DIR|this build', 0))}`);
  }
  notes.push(...speed.notes);
  return {
    title: 'archive read-back memory',
    method: [
      `one backup of ${fx.files.toLocaleString('en')} untracked files, ${bytes(fx.contentBytes)} of random (incompressible) bytes, the largest ${bytes(fx.largest)}; archive ${bytes(fx.archiveBytes)}; \`gc --now\` after archiving, and again before each restore, so every restore imports every blob`,
      `peak RSS (largest process): ${peakRssMethod()}; on Linux that is the largest of the process and its git children, not their sum. Node alone: \`process.resourceUsage().maxRSS\` at exit (a separate run)`,
      `${rounds} round(s); medians; the baselines are measured in the same rounds`,
      ...(compare ? [`${compare.name}: the same commands with another build, on the same archives (its own archive run on a second backup of the same content)`] : []),
    ],
    table,
    verdicts: [],
    notes,
  };
}

/** verify and restore --to DIR (read + import into git + write) on many small files, interleaved across builds. */
async function smallFilesSpeed(ctx: BenchContext, builds: Build[]): Promise<{ rows: string[][]; notes: string[] }> {
  const dir = await makeSmallRepo(ctx, 'archive-small');
  const n = ctx.quick ? 500 : 5000;
  writeSmallText(dir, n);
  ctx.log(`archive speed: ${n} small files`);
  const [id] = await archived(ctx, dir, [builds[0]!], 'small files', new Map());
  const opts = { cwd: dir, env: ctx.env };
  const to = join(ctx.scratch.dir('restore-small'), 'out');
  /** A restore that imports every blob: gc --now first, the target removed after (both untimed). */
  const restore = async (b: Build) => {
    await run(ctx.cli(['gc', '--now']), opts);
    const t = await ctx.time(b.cli(['restore', id!, '--to', to]), dir);
    rmSync(to, { recursive: true, force: true });
    return t;
  };
  const rounds = ctx.rounds(7, 1);
  const s = await interleave(
    builds.flatMap((b) => [
      { name: `verify|${b.name}`, run: () => ctx.time(b.cli(['verify', id!]), dir) },
      { name: `restore --to DIR|${b.name}`, run: () => restore(b) },
    ]),
    rounds,
  );
  const rows = [...s.entries()].map(([key, xs]) => {
    const [cmd, build] = key.split('|');
    return [`${cmd} ID (${n.toLocaleString('en')} small files, wall)`, build!, '', '', '', ms(median(xs))];
  });
  const notes: string[] = [`small files: ${rounds} interleaved round(s); \`gc --now\` (untimed) before each restore so it imports every blob`];
  if (builds.length > 1) {
    for (const cmd of ['verify', 'restore --to DIR']) {
      const [a, b] = builds.map((x) => median(s.get(`${cmd}|${x.name}`)!));
      notes.push(`${cmd} on ${n} small files: ${ms(b!)} with ${builds[1]!.name}, ${ms(a!)} with this build (${ratio(a! / b!)})`);
    }
  }
  return { rows, notes };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const quick = process.argv.includes('--quick');
  const at = process.argv.indexOf('--compare');
  const compareDir = at > 0 ? process.argv[at + 1] : undefined;
  const ctx = new BenchContext(quick);
  const compare: Build | null = compareDir ? { name: `compare (${compareDir})`, cli: (a) => [process.execPath, join(compareDir, 'bin', 'git-backup.cjs'), ...a] } : null;
  const started = Date.now();
  try {
    const section = await benchArchiveMemory(ctx, compare);
    process.stdout.write(renderReport({
      date: new Date(), machine: describeMachine(), command: `node dist/bench/archive-memory.js ${process.argv.slice(2).join(' ')}`.trim(),
      quick, durationS: (Date.now() - started) / 1000, sections: [section],
    }));
  } finally {
    ctx.scratch.cleanup();
  }
}
