// Benchmark 3 (design.md §Performance): `status` and `list --json` with 10,000 backups in the index, wall time and
// peak memory, against Node's start-up and a bare read + JSON.parse of the same db.json.
import { join } from 'node:path';
import { RSS_PROBE, type BenchContext } from './lib/context.js';
import type { Section } from './lib/report.js';
import { makeSmallRepo } from './fixtures/small-repo.js';
import { writeManyBackups } from './fixtures/many-backups.js';
import { peakRss, peakRssMethod, run } from './lib/proc.js';
import { bytes, interleave, max, median, min, ms, ratio, signedMs } from './lib/stats.js';

export const BACKUPS = 10_000;
export const STATUS_TARGET_MS = 500;
export const LIST_TARGET_MS = 800;
export const MEMORY_TARGET = 200 * 1024 * 1024;

/** Sanity: the commands really saw the generated store (a benchmark of an empty answer is worthless). */
async function checkOutputs(ctx: BenchContext, dir: string): Promise<void> {
  const status = JSON.parse((await run(ctx.cli(['status', '--json']), { cwd: dir, env: ctx.env })).stdout) as { total: number };
  const list = JSON.parse((await run(ctx.cli(['list', '--json']), { cwd: dir, env: ctx.env })).stdout) as unknown[];
  const notDeleted = BACKUPS - Math.ceil((BACKUPS - 5) / 6);
  if (list.length !== notDeleted) throw new Error(`list --json printed ${list.length} backups, expected ${notDeleted}`);
  if (status.total < notDeleted) throw new Error(`status --json counted ${status.total} backups, expected at least ${notDeleted}`);
}

export async function benchManyBackups(ctx: BenchContext): Promise<Section> {
  const dir = await makeSmallRepo(ctx, 'many');
  const emptyDir = await makeSmallRepo(ctx, 'empty');
  const { db, size } = writeManyBackups(join(dir, '.git'), BACKUPS);
  await checkOutputs(ctx, dir);

  const rounds = ctx.rounds(15, 3);
  ctx.log(`${BACKUPS} backups: ${rounds} interleaved rounds`);
  const readParse = `JSON.parse(require('fs').readFileSync(${JSON.stringify(db)}, 'utf8'))`;
  const cmds: Record<string, { cmd: string[]; cwd: string }> = {
    'git backup status --json': { cmd: ctx.cli(['status', '--json']), cwd: dir },
    'git backup list --json': { cmd: ctx.cli(['list', '--json']), cwd: dir },
    'git backup status --json (empty store)': { cmd: ctx.cli(['status', '--json']), cwd: emptyDir },
    'node -e 0': { cmd: [process.execPath, '-e', '0'], cwd: dir },
    'node: read + JSON.parse db.json': { cmd: [process.execPath, '-e', readParse], cwd: dir },
  };
  const s = await interleave(
    Object.entries(cmds).map(([name, c]) => ({ name, run: () => ctx.time(c.cmd, c.cwd) })),
    rounds,
  );

  const memRuns = ctx.rounds(3, 1);
  ctx.log(`${BACKUPS} backups: peak memory, ${memRuns} runs each`);
  const rss = new Map<string, number>();
  for (const name of Object.keys(cmds)) {
    const c = cmds[name]!;
    const xs: number[] = [];
    for (let i = 0; i < memRuns; i++) xs.push(await peakRss(c.cmd, { cwd: c.cwd, env: ctx.env }, RSS_PROBE));
    rss.set(name, median(xs));
  }

  const med = (name: string) => median(s.get(name)!);
  const node = med('node -e 0');
  const parse = med('node: read + JSON.parse db.json');
  const status = med('git backup status --json');
  const list = med('git backup list --json');
  const peak = Math.max(rss.get('git backup status --json')!, rss.get('git backup list --json')!);
  const table = [
    ['command', 'median', 'range', '÷ node -e 0', '÷ read + parse', 'peak RSS (median)'],
    ...Object.keys(cmds).map((name) => {
      const xs = s.get(name)!;
      return [name, ms(median(xs)), `${ms(min(xs))} – ${ms(max(xs))}`, ratio(median(xs) / node), ratio(median(xs) / parse), bytes(rss.get(name)!)];
    }),
  ];
  return {
    title: `status and list --json with ${BACKUPS.toLocaleString('en')} backups`,
    method: [
      `db.json generated in the store's format (serializeStore): ${BACKUPS} records, states spread evenly over all six, 1–4 history entries, messages, labels, paths, tombstones for DELETED; ${bytes(size)}`,
      'each command run as `node bin/git-backup.cjs …` in a one-commit repository; stdout collected through a pipe',
      `${rounds} rounds, all five commands interleaved in rotating order; the empty-store status runs in a second repository`,
      `peak memory: ${peakRssMethod()}, ${memRuns} separate runs each (not the timed ones)`,
    ],
    table,
    verdicts: [
      { what: 'status --json, median wall time', value: ms(status), target: `< ${STATUS_TARGET_MS} ms`, meets: status < STATUS_TARGET_MS },
      { what: 'list --json, median wall time', value: ms(list), target: `< ${LIST_TARGET_MS} ms`, meets: list < LIST_TARGET_MS },
      { what: 'peak memory (larger of status, list)', value: bytes(peak), target: `< ${bytes(MEMORY_TARGET)}`, meets: peak < MEMORY_TARGET },
    ],
    notes: [
      `the SPEC's targets are absolute; on this machine Node's start-up alone is ${ms(node)}, so status costs ${ratio(status / node)} and list --json ${ratio(list / node)} of it`,
      `beyond a bare read + parse of the same file: status ${signedMs(status - parse)}, list --json ${signedMs(list - parse)}`,
    ],
  };
}
