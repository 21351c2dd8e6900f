// Benchmark 4: start-up. `--version` and `status` on an empty store against `node -e 0`, and what each
// dependency's import costs, each measured in a fresh process.
import { ROOT, type BenchContext } from './lib/context.js';
import type { Section } from './lib/report.js';
import { makeSmallRepo } from './fixtures/small-repo.js';
import { interleave, max, median, min, ms, ratio, signedMs } from './lib/stats.js';

const esm = (code: string) => [process.execPath, '--input-type=module', '-e', code];

export async function benchStartup(ctx: BenchContext): Promise<Section> {
  const dir = await makeSmallRepo(ctx, 'startup');
  const rounds = ctx.rounds(21, 3);
  ctx.log(`start-up: ${rounds} interleaved rounds`);
  const cli = await interleave(
    [
      { name: 'git backup --version', run: () => ctx.time(ctx.cli(['--version']), dir) },
      { name: 'git backup status (empty store)', run: () => ctx.time(ctx.cli(['status']), dir) },
      { name: 'node -e 0', run: () => ctx.time([process.execPath, '-e', '0'], dir) },
    ],
    rounds,
  );

  // Bare specifiers resolve from the package root, where node_modules is.
  const imports: Record<string, string[]> = {
    'node --input-type=module -e 0': esm('0'),
    "import('yargs')": esm("await import('yargs')"),
    "import('lowdb')": esm("await import('lowdb')"),
    "import('./dist/src/cli.js') (entry and create's fast path)": esm("await import('./dist/src/cli.js')"),
    "import('./dist/src/cli-parser.js') (the yargs parser, every other command)": esm("await import('./dist/src/cli-parser.js')"),
  };
  ctx.log(`start-up: imports, ${rounds} interleaved rounds`);
  const imp = await interleave(
    Object.entries(imports).map(([name, cmd]) => ({ name, run: () => ctx.time(cmd, ROOT) })),
    rounds,
  );

  const node = median(cli.get('node -e 0')!);
  const esmBase = median(imp.get('node --input-type=module -e 0')!);
  const row = (name: string, xs: number[], base: number) => [
    name, ms(median(xs)), `${ms(min(xs))} – ${ms(max(xs))}`, ratio(median(xs) / base), signedMs(median(xs) - base),
  ];
  const version = median(cli.get('git backup --version')!);
  const status = median(cli.get('git backup status (empty store)')!);
  return {
    title: 'start-up',
    method: [
      `${rounds} rounds each, interleaved in rotating order; the CLI as \`node bin/git-backup.cjs …\` in a one-commit repository`,
      'imports: `node --input-type=module -e "await import(\'X\')"` with the package root as cwd, each in a fresh process; cost = median minus the median of the same command importing nothing',
    ],
    table: [
      ['command', 'median', 'range', '÷ baseline', 'over baseline'],
      ...[...cli.entries()].map(([name, xs]) => row(name, xs, node)),
      ...[...imp.entries()].map(([name, xs]) => row(name, xs, esmBase)),
    ],
    verdicts: [],
    notes: [
      'no SPEC target of its own (design.md §Performance bounds start-up only through the other benchmarks); for information:',
      `\`--version\` costs ${ratio(version / node)} of Node's start-up, \`status\` on an empty store ${ratio(status / node)}`,
    ],
  };
}
