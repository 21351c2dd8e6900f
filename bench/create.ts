// Benchmark 1 (design.md §Performance): `git backup create` on 20,000 files with a few hundred changed, against
// native `git add -A` + `git write-tree` under a temporary index seeded from the real one, plus
// Node's own start-up.
import type { BenchContext } from './lib/context.js';
import type { BigRepo } from './fixtures/big-repo.js';
import type { Section } from './lib/report.js';
import { summarizeTrace, traceGit } from './lib/git-trace.js';
import { interleave, max, median, min, ms, ratio } from './lib/stats.js';

export const CREATE_TARGET = 2;

/** The baseline exactly as design.md §Performance states it, as one shell command. */
export const NATIVE_SNAPSHOT =
  'T=$(mktemp -d) && cp .git/index "$T/idx" && GIT_INDEX_FILE="$T/idx" git add -A && GIT_INDEX_FILE="$T/idx" git write-tree >/dev/null; s=$?; rm -rf "$T"; exit $s';

export async function benchCreate(ctx: BenchContext, repo: BigRepo): Promise<Section> {
  const rounds = ctx.rounds(11, 3);
  ctx.log(`create: ${rounds} interleaved rounds`);
  // One unmeasured round warms the page cache for all three.
  await ctx.time(['sh', '-c', NATIVE_SNAPSHOT], repo.dir);
  await ctx.time(ctx.cli(['create', '-m', 'warm-up']), repo.dir);
  const s = await interleave(
    [
      { name: 'create', run: () => ctx.time(ctx.cli(['create', '-m', 'bench']), repo.dir) },
      { name: 'native', run: () => ctx.time(['sh', '-c', NATIVE_SNAPSHOT], repo.dir) },
      { name: 'node', run: () => ctx.time([process.execPath, '-e', '0'], repo.dir) },
    ],
    rounds,
  );
  const create = s.get('create')!;
  const native = s.get('native')!;
  const node = s.get('node')!;
  const r = median(create) / (median(native) + median(node));
  const trace = await traceGit(ctx, ctx.cli(['create', '-m', 'traced']), repo.dir);
  const gitMs = trace.processes.reduce((a, p) => a + p.ms, 0);
  const row = (label: string, xs: number[]) => [label, ms(median(xs)), `${ms(min(xs))} – ${ms(max(xs))}`, String(xs.length)];
  return {
    title: 'create on a 20,000-file repository',
    method: [
      `${repo.files} committed files (${(repo.committedBytes / 1e6).toFixed(0)} MB), ${repo.changedPaths.length} of them modified and not staged`,
      '`git backup create -m bench` run as `node bin/git-backup.cjs create -m bench` in the repository (each run adds a backup)',
      `native baseline: \`sh -c '${NATIVE_SNAPSHOT}'\``,
      'Node start-up baseline: `node -e 0`',
      `${rounds} rounds, the three commands interleaved in rotating order, after one unmeasured warm-up round`,
    ],
    table: [
      ['command', 'median', 'range', 'runs'],
      row('git backup create', create),
      row('native add -A + write-tree (temp index)', native),
      row('node -e 0', node),
    ],
    verdicts: [
      { what: 'create / (native + node start-up)', value: ratio(r), target: `≤ ${CREATE_TARGET}×`, meets: r <= CREATE_TARGET },
    ],
    notes: [
      `for information, create / native alone = ${ratio(median(create) / median(native))}`,
      `where the time goes (one extra run under GIT_TRACE2_EVENT, ${ms(trace.wallMs)} wall): ${trace.processes.length} git processes, ` +
        `${ms(gitMs)} of git time summed (some run concurrently): ${summarizeTrace(trace)}; ` +
        'the rest is Node: start-up, loading the CLI (create takes the fast path without yargs), the store lock and write, and spawning each git process',
    ],
  };
}
