// Benchmark of issue 8's "Scale": commands and hooks must cost what the live backups cost, not the
// all-time count. A store of 1,000,000 records of which 10,000 live (and one of 100,000 live), built
// by the importer (fixtures/scale-store.ts: what the commands write, checked against them by
// test/store/scale-import.test.ts) plus a few backups made and deleted by the tool's own commands.
//
// `npm run bench:scale` (not part of `npm test`, nor of `npm run bench`). Building a store takes
// minutes, so each is built once into /tmp/gb-scale-cache/ and copied for each run
// (GB_SCALE_REBUILD=1 builds it again). Results replace the "Scale" section of BENCHMARKS.md
// (`--quick`: fewer rounds, printed only).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BenchContext, ROOT, RSS_PROBE } from './lib/context.js';
import { describeMachine } from './lib/machine.js';
import { appliedOffset, assertNotOnPath, eventsLogSize, installHooks } from './lib/hooks.js';
import { peakRss, peakRssMethod, run, timeToFile } from './lib/proc.js';
import { verdictLine, type Section } from './lib/report.js';
import { bytes, interleave, max, median, min, ms, ratio } from './lib/stats.js';
import { importStore, liveSnapshots, makeRecords, writeLiveRefs } from './fixtures/scale-store.js';
import type { BackupRecord } from '../src/core/types.js';

const CACHE = '/tmp/gb-scale-cache';
// v2: snapshots authored by the bench's user, as create makes them (supersession counts only that person's commits).
// v3: records as create writes them (worktree `.`, origin this store's clone id); v2's named the
// cache directory as an absolute worktree, so in the copy every one was another repository's and
// the drain measured a store with nothing of its own to decide.
const VERSION = 'v3';
/** The clone id the imported records carry and the store is given (what `<store>/clone-id` holds). */
const CLONE_ID = 'bench-5ca1';
const MEMORY_TARGET = 200 * 1024 * 1024;

interface Shape {
  total: number;
  live: number;
}

/** Build (or reuse) the cached store; returns its directory. */
async function cachedStore(ctx: BenchContext, shape: Shape): Promise<string> {
  const dir = join(CACHE, `${VERSION}-${shape.total}-${shape.live}`);
  if (existsSync(join(dir, '.gb-scale-done')) && !process.env.GB_SCALE_REBUILD) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const started = Date.now();
  ctx.log(`scale: building ${shape.total.toLocaleString('en')} records (${shape.live.toLocaleString('en')} live) in ${dir}`);
  const git = (args: string[]) => ctx.git(dir, args);
  await git(['init', '-q', '-b', 'main']);
  writeFileSync(join(dir, 'README.md'), '# scratch\n');
  await git(['add', '-A']);
  await git(['commit', '-q', '-m', 'init']);
  const base = (await git(['rev-parse', 'HEAD'])).stdout.trim();
  const describe = (await git(['log', '-1', '--format=%h %s'])).stdout.trim();
  // One backup every 5 minutes, up to a minute ago: a year of an agent's backups is ~105,000.
  const step = 5 * 60_000;
  const start = Date.now() - shape.total * step - 60_000;
  const first = shape.total - shape.live;
  const snaps = await liveSnapshots(dir, ctx.env, base, 'main', describe, (i) => new Date(start + (first + i) * step), shape.live);
  const live: BackupRecord[] = [];
  const all = function* (): Generator<BackupRecord> {
    for (const r of makeRecords(shape.total, snaps, base, 'main', { worktree: '.', origin: CLONE_ID }, start, step)) {
      if (r.state !== 'DELETED') live.push(r);
      yield r;
    }
  };
  const ident = `Bench Committer <committer@bench.invalid> ${Math.floor(Date.now() / 1000)} +0000`;
  const imported = await importStore(dir, ctx.env, all(), ident);
  writeFileSync(join(dir, '.git', 'backup', 'clone-id'), `${CLONE_ID}\n`, { mode: 0o600 });
  await writeLiveRefs(dir, ctx.env, live);
  ctx.log(`scale: imported ${imported.hot} live + ${imported.cold} tombstones in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  await installHooks(ctx, dir);
  // A sample made by the tool's own commands, on top of the import: three backups, one deleted.
  const ids: string[] = [];
  for (let k = 0; k < 3; k++) {
    writeFileSync(join(dir, 'README.md'), `# scratch\nby the commands ${k}\n`);
    const out = await run(ctx.cli(['create', '-m', `sample ${k}`]), { cwd: dir, env: ctx.env });
    ids.push(/created backup (\S+)/.exec(out.stdout)![1]!);
  }
  await run(ctx.cli(['delete', ids[0]!, '--yes', '--force']), { cwd: dir, env: ctx.env });
  await run(ctx.cli(['show', ids[0]!]), { cwd: dir, env: ctx.env });
  await git(['checkout', '-q', '--', 'README.md']);
  const status = JSON.parse((await run(ctx.cli(['status', '--json']), { cwd: dir, env: ctx.env })).stdout) as { total: number };
  if (status.total !== shape.total + 3) throw new Error(`the built store counts ${status.total} backups, not ${shape.total + 3}`);
  writeFileSync(join(dir, '.gb-scale-done'), `${new Date().toISOString()} built in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  ctx.log(`scale: built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return dir;
}

const du = (p: string) => Number(execFileSync('du', ['-sb', p], { encoding: 'utf8' }).split('\t')[0]);

async function measure(ctx: BenchContext, shape: Shape, targets: { ratios: boolean }): Promise<Section> {
  const cache = await cachedStore(ctx, shape);
  const dir = join(ctx.scratch.dir('scale'), 'repo');
  execFileSync('cp', ['-a', cache, dir]);
  const store = join(dir, '.git', 'backup');
  // The copy stands for the user's repository moved here (the cache keeps the original untouched):
  // a moved store records its new path and keeps its id (app/clone.ts), so its backups stay its own.
  // Left as a copy, the tool would rightly take them for the original's and decide none of them.
  writeFileSync(join(store, 'clone-id.at'), `${store}\n`, { mode: 0o600 });
  await assertNotOnPath(ctx.env, dir);
  let n = 0;
  const change = () => writeFileSync(join(dir, 'README.md'), `# scratch\nchange ${++n}\n`);
  const recordOneEvent = async (): Promise<void> => {
    const before = eventsLogSize(dir);
    change();
    await ctx.git(dir, ['commit', '-q', '-a', '-m', `change ${n}`]);
    if (eventsLogSize(dir) === before) throw new Error('the post-commit hook recorded no event');
  };
  const drain = ctx.cli(['hook', 'drain', '--repo', dir]);
  const timedDrain = async (): Promise<number> => {
    await recordOneEvent();
    const t = await ctx.time(drain, dir);
    if (appliedOffset(dir) !== eventsLogSize(dir)) throw new Error('the drain left its event unapplied');
    return t;
  };
  const timedCreate = async (): Promise<number> => {
    change();
    return ctx.time(ctx.cli(['create', '-m', 'bench']), dir);
  };
  // The floor: the same create and one-event drain in a repository whose store is empty (what any
  // store pays for Node, the bundle and git's processes), beside the large store's.
  const empty = join(ctx.scratch.dir('scale-empty'), 'repo');
  mkdirSync(empty);
  await ctx.git(empty, ['init', '-q', '-b', 'main']);
  writeFileSync(join(empty, 'README.md'), '# scratch\n');
  await ctx.git(empty, ['add', '-A']);
  await ctx.git(empty, ['commit', '-q', '-m', 'init']);
  await run(ctx.cli(['init']), { cwd: empty, env: ctx.env });
  await installHooks(ctx, empty);
  let m = 0;
  const changeEmpty = () => writeFileSync(join(empty, 'README.md'), `# scratch\nchange ${++m}\n`);
  const timedEmptyCreate = async (): Promise<number> => {
    changeEmpty();
    return ctx.time(ctx.cli(['create', '-m', 'bench']), empty);
  };
  const emptyDrain = ctx.cli(['hook', 'drain', '--repo', empty]);
  const timedEmptyDrain = async (): Promise<number> => {
    const before = eventsLogSize(empty);
    changeEmpty();
    await ctx.git(empty, ['commit', '-q', '-a', '-m', `change ${m}`]);
    if (eventsLogSize(empty) === before) throw new Error('the post-commit hook recorded no event');
    const t = await ctx.time(emptyDrain, empty);
    if (appliedOffset(empty) !== eventsLogSize(empty)) throw new Error('the drain left its event unapplied');
    return t;
  };
  const listed = join(ctx.scratch.dir('scale-list'), 'list.json');
  // One unmeasured drain and create first (the first drain over a store reconciles every live backup).
  const firstDrain = await timedDrain();
  await timedCreate();
  await timedEmptyDrain();
  await timedEmptyCreate();

  const rounds = ctx.rounds(11, 3);
  ctx.log(`scale ${shape.live}: ${rounds} interleaved rounds`);
  const variants = [
    { name: 'node -e 0', run: () => ctx.time([process.execPath, '-e', '0'], dir) },
    { name: 'status', run: () => ctx.time(ctx.cli(['status']), dir) },
    { name: 'list --json > file', run: () => timeToFile(ctx.cli(['list', '--json']), { cwd: dir, env: ctx.env }, listed) },
    { name: 'list --json (read by the bench)', run: () => ctx.time(ctx.cli(['list', '--json']), dir) },
    { name: 'create', run: timedCreate },
    { name: 'hook drain (one event)', run: timedDrain },
    { name: 'create, empty store', run: timedEmptyCreate },
    { name: 'hook drain (one event), empty store', run: timedEmptyDrain },
  ];
  const s = await interleave(variants, rounds);
  const rss = new Map<string, number>();
  rss.set('status', await peakRss(ctx.cli(['status']), { cwd: dir, env: ctx.env }, RSS_PROBE));
  rss.set('list --json (read by the bench)', await peakRss(ctx.cli(['list', '--json']), { cwd: dir, env: ctx.env }, RSS_PROBE));
  change();
  rss.set('create', await peakRss(ctx.cli(['create', '-m', 'bench']), { cwd: dir, env: ctx.env }, RSS_PROBE));
  await recordOneEvent();
  rss.set('hook drain (one event)', await peakRss(drain, { cwd: dir, env: ctx.env }, RSS_PROBE));
  const node = median(s.get('node -e 0')!);
  const med = (name: string) => median(s.get(name)!);
  const peak = Math.max(...rss.values());
  const verdicts = targets.ratios
    ? [
        { what: 'status ÷ node -e 0', value: ratio(med('status') / node), target: '≤ 2.5×', meets: med('status') / node <= 2.5 },
        { what: 'create ÷ node -e 0', value: ratio(med('create') / node), target: '≤ 2.5×', meets: med('create') / node <= 2.5 },
        { what: 'list --json > file ÷ node -e 0', value: ratio(med('list --json > file') / node), target: '≤ 3.5×', meets: med('list --json > file') / node <= 3.5 },
        { what: 'one-event drain ÷ node -e 0', value: ratio(med('hook drain (one event)') / node), target: '≤ 3.5×', meets: med('hook drain (one event)') / node <= 3.5 },
        { what: 'peak RSS (largest of the four)', value: bytes(peak), target: `< ${bytes(MEMORY_TARGET)}`, meets: peak < MEMORY_TARGET },
      ]
    : [
        { what: 'status', value: ms(med('status')), target: '< 1 s', meets: med('status') < 1000 },
        { what: 'list --json > file', value: ms(med('list --json > file')), target: '< 1 s', meets: med('list --json > file') < 1000 },
        { what: 'one-event drain', value: ms(med('hook drain (one event)')), target: '< 1.5 s', meets: med('hook drain (one event)') < 1500 },
      ];
  const built = readFileSync(join(cache, '.gb-scale-done'), 'utf8').trim();
  return {
    title: `${shape.total.toLocaleString('en')} records, ${shape.live.toLocaleString('en')} live`,
    method: [
      `store built once into ${cache} (${built}) and copied (\`cp -a\`, its \`clone-id.at\` set to the copy's path as for a moved repository, so the backups are the copy's own) for the run: ${shape.total.toLocaleString('en')} records imported (one every 5 minutes up to now; the last ${shape.live.toLocaleString('en')} CREATED with real snapshot commits and refs/backups/<id>, made in this repository (worktree \`.\`, origin its clone id), the others deleted by the user an hour after creation, their snapshots pruned), then 3 backups made by \`git backup create\` and one of them deleted by \`git backup delete --yes --force\`; hooks installed by \`git backup install\``,
      `on disk: db.json ${bytes(du(join(store, 'db.json')))}, cold/ ${bytes(du(join(store, 'cold')))}, .git ${bytes(du(join(dir, '.git')))}`,
      `${rounds} rounds, the eight commands interleaved in rotating order, after one unmeasured drain and create in each repository; create and the drain each change README.md first (the drain: a real commit whose post-commit hook appends one event, git-backup off PATH so it starts no drain), not timed`,
      '`list --json > file`: its output written to a file, as `> file` in a shell (the verdict); `(read by the bench)`: through a pipe into this benchmark\'s Node process, which collects it (the reader\'s cost included)',
      '`empty store`: the same create and drain in a second repository made here (one commit, `git backup init`, hooks installed) whose store holds only the backups this run makes: the floor any store pays for Node, the bundle and git\'s processes',
      `peak memory: ${peakRssMethod()}, one separate run each`,
    ],
    table: [
      ['command', 'median', 'range', '÷ node -e 0', 'peak RSS'],
      ...variants.map(({ name }) => {
        const xs = s.get(name)!;
        return [name, ms(median(xs)), `${ms(min(xs))} – ${ms(max(xs))}`, ratio(median(xs) / node), rss.has(name) ? bytes(rss.get(name)!) : '–'];
      }),
    ],
    verdicts,
    notes: [`the first drain over the copied store (not in the samples) took ${ms(firstDrain)}`],
  };
}

function render(sections: Section[], command: string, durationS: number): string {
  const m = describeMachine();
  const table = (rows: string[][]) => [rows[0]!, rows[0]!.map(() => '---'), ...rows.slice(1)].map((r) => `| ${r.join(' | ')} |`).join('\n');
  const out = [
    '<!-- scale:begin (written by bench/scale.ts: npm run bench:scale) -->',
    '## Scale: a million records, tombstones in the cold store',
    '',
    `- date: ${new Date().toISOString()}; machine: ${m.cpu}, ${m.cores} cores, ${m.memory} memory, ${m.os}; node ${m.node}, ${m.git}`,
    `- command: \`${command}\`; total run time ${durationS.toFixed(0)} s`,
    '- ratios are of medians against `node -e 0` measured in the same interleaved rounds',
  ];
  for (const s of sections) {
    out.push('', `### ${s.title}`, '', ...s.method.map((l) => `- ${l}`), '', table(s.table), '', ...s.verdicts.map((v) => `${verdictLine(v)}  `));
    if (s.notes.length) out.push('', ...s.notes.map((l) => `- ${l}`));
  }
  out.push('<!-- scale:end -->');
  return out.join('\n') + '\n';
}

const quick = process.argv.includes('--quick');
const ctx = new BenchContext(quick);
const started = Date.now();
const sections: Section[] = [];
try {
  // GB_SCALE_SHAPE=total:live tries the benchmark on a small store (a smoke run of the builder).
  const [total, live] = (process.env.GB_SCALE_SHAPE ?? '1000000:10000').split(':').map(Number) as [number, number];
  sections.push(await measure(ctx, { total, live }, { ratios: true }));
  if (!process.argv.includes('--small-only')) sections.push(await measure(ctx, { total: 200_000, live: 100_000 }, { ratios: false }));
} finally {
  ctx.scratch.cleanup();
}
const args = process.argv.slice(2);
const text = render(sections, `npm run bench:scale${args.length ? ` -- ${args.join(' ')}` : ''}`, (Date.now() - started) / 1000);
if (quick) process.stdout.write(text);
else {
  const file = join(ROOT, 'BENCHMARKS.md');
  const old = readFileSync(file, 'utf8');
  const re = /<!-- scale:begin[\s\S]*?<!-- scale:end -->\n/;
  writeFileSync(file, re.test(old) ? old.replace(re, text) : `${old.trimEnd()}\n\n${text}`);
  ctx.log(`wrote the Scale section of ${file}`);
}
for (const s of sections) for (const v of s.verdicts) ctx.log(`${s.title}: ${verdictLine(v)}`);
