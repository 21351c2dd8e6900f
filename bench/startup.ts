// Start-up (issue 9): what a command costs before it does anything, against `node -e 0` measured in
// the same interleaved rounds, in a one-commit repository with one backup and the hooks installed.
// The same build is also run with its V8 code cache off (GIT_BACKUP_CODE_CACHE=0, bin/code-cache.cjs),
// so the cache's share is measured in the same run too.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchContext } from './lib/context.js';
import { time } from './lib/proc.js';
import type { Section } from './lib/report.js';
import { makeSmallRepo } from './fixtures/small-repo.js';
import { interleave, max, median, min, ms, ratio } from './lib/stats.js';

export async function benchStartup(ctx: BenchContext): Promise<Section> {
  const dir = await makeSmallRepo(ctx, 'startup');
  writeFileSync(join(dir, 'README.md'), '# scratch, changed\n');
  for (const args of [['install'], ['create', '-m', 'bench']]) await ctx.time(ctx.cli(args), dir);
  const rounds = ctx.rounds(31, 3);
  ctx.log(`start-up: ${rounds} interleaved rounds`);
  const noCache = { ...ctx.env, GIT_BACKUP_CODE_CACHE: '0' };
  const commands: [string, string[]][] = [
    ['--version', ['--version']],
    ['--help', ['--help']],
    ['status', ['status']],
    ['list', ['list']],
    ['hook drain (nothing to apply)', ['hook', 'drain', '--repo', dir]],
  ];
  const samples = await interleave(
    [
      { name: 'node -e 0', run: () => ctx.time([process.execPath, '-e', '0'], dir) },
      ...commands.map(([name, args]) => ({ name, run: () => ctx.time(ctx.cli(args), dir) })),
      ...commands.slice(1).map(([name, args]) => ({ name: `${name}, code cache off`, run: () => time(ctx.cli(args), { cwd: dir, env: noCache }) })),
    ],
    rounds,
  );
  const med = (name: string) => median(samples.get(name)!);
  const node = med('node -e 0');
  // Every sample in the order measured; "÷ cache off" only where the same command ran without it.
  const row = ([name, xs]: [string, number[]]) => {
    const off = samples.get(`${name}, code cache off`);
    return [name, ms(median(xs)), `${ms(min(xs))} – ${ms(max(xs))}`, ratio(median(xs) / node), off ? ratio(median(xs) / median(off)) : ''];
  };
  return {
    title: 'start-up',
    method: [
      `${rounds} rounds, every command interleaved in rotating order; the CLI as \`node bin/git-backup.cjs …\` (as the npm bin link runs it) in a one-commit repository with one backup and the hooks installed`,
      '"÷ cache off": the same build with `GIT_BACKUP_CODE_CACHE=0`, which neither reads nor writes V8\'s code cache (bin/code-cache.cjs), in the same rounds',
      'no NODE_EXTRA_CA_CERTS and no NODE_OPTIONS in the environment (bench/lib/scratch.ts): a plain Node start',
    ],
    table: [
      ['command', 'median', 'range', '÷ node -e 0', '÷ cache off'],
      ...[...samples.entries()].map(row),
    ],
    verdicts: [
      { what: '`--version` ÷ node -e 0', value: ratio(med('--version') / node), target: '≤ 1.3× (issue 9)', meets: med('--version') / node <= 1.3 },
      { what: '`status` on a small store ÷ node -e 0', value: ratio(med('status') / node), target: '≤ 1.8× (issue 9)', meets: med('status') / node <= 1.8 },
    ],
    notes: [],
  };
}
