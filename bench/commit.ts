// Benchmark (design.md §Performance): wall time of a small `git commit` (one changed file, 20-file repository) with
// our hooks installed, against the same commit without hooks and, for comparison, with husky 9 and a
// trivial post-commit. Three repositories, commits interleaved in rotating order.
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, type BenchContext } from './lib/context.js';
import type { Section } from './lib/report.js';
import { run } from './lib/proc.js';
import { assertCleanBackupLog, envWithShim, installHooks, waitForDrains } from './lib/hooks.js';
import { interleave, max, median, min, ms, ratio, signedMs } from './lib/stats.js';

export const COMMIT_TARGET = 1.3;
const FILES = 20;
const WARM_UP_ROUNDS = 3;

async function makeRepo(ctx: BenchContext, label: string, env: NodeJS.ProcessEnv): Promise<string> {
  const dir = ctx.scratch.dir(label);
  await run(['git', 'init', '-q', '-b', 'main'], { cwd: dir, env });
  for (let i = 0; i < FILES; i++) writeFileSync(join(dir, `f${i}.txt`), `file ${i}\n`);
  await run(['git', 'add', '-A'], { cwd: dir, env });
  await run(['git', 'commit', '-q', '-m', 'initial'], { cwd: dir, env });
  return dir;
}

/** husky 9 from this project's node_modules, set up as `npx husky` would, with a post-commit that does nothing. */
async function setUpHusky(dir: string, env: NodeJS.ProcessEnv): Promise<void> {
  const husky = join(dir, 'node_modules', 'husky');
  mkdirSync(husky, { recursive: true });
  cpSync(join(ROOT, 'node_modules', 'husky'), husky, { recursive: true });
  await run([process.execPath, join(husky, 'bin.js')], { cwd: dir, env });
  writeFileSync(join(dir, '.husky', 'post-commit'), 'true\n');
}

export async function benchCommit(ctx: BenchContext): Promise<Section> {
  // One environment for all three: the shim on PATH costs the others nothing.
  const env = envWithShim(ctx);
  const none = await makeRepo(ctx, 'commit-none', env);
  const ours = await makeRepo(ctx, 'commit-ours', env);
  await installHooks(ctx, ours, env);
  const husky = await makeRepo(ctx, 'commit-husky', env);
  await setUpHusky(husky, env);

  // A detached drain must not pile up behind later commits, nor steal the CPU of the next timed
  // commit: after each commit in `ours`, wait for its drain (untimed) and keep how long that took.
  const drainLag: number[] = [];
  let n = 0;
  const commit = (dir: string) => async (): Promise<number> => {
    writeFileSync(join(dir, 'f0.txt'), `change ${++n}\n`);
    const { ms: t } = await run(['git', 'commit', '-q', '-a', '-m', `change ${n}`], { cwd: dir, env });
    if (dir === ours) drainLag.push(await waitForDrains(ours));
    return t;
  };
  const variants = [
    { name: 'no hooks', run: commit(none) },
    { name: 'git-backup hooks (detached drain)', run: commit(ours) },
    { name: 'husky 9, trivial post-commit', run: commit(husky) },
  ];
  await interleave(variants, WARM_UP_ROUNDS);
  drainLag.length = 0;
  const rounds = ctx.rounds(45, 5);
  ctx.log(`commit: ${rounds} interleaved rounds`);
  const s = await interleave(variants, rounds);
  await waitForDrains(ours);
  assertCleanBackupLog(ours, 'commit with our hooks');

  const base = median(s.get('no hooks')!);
  const oursMs = median(s.get('git-backup hooks (detached drain)')!);
  const huskyMs = median(s.get('husky 9, trivial post-commit')!);
  const row = (name: string, xs: number[]) => [name, ms(median(xs)), `${ms(min(xs))} – ${ms(max(xs))}`, ratio(median(xs) / base), signedMs(median(xs) - base)];
  return {
    title: 'commit with the hooks installed',
    method: [
      `three ${FILES}-file repositories; each sample is \`git commit -q -a -m …\` after rewriting one file, wall time from spawn to exit`,
      'ours: `git backup install` (plain `.git/hooks`), default mode (`GIT_BACKUP_HOOK_MODE` unset: the hook records the event and starts a detached drain); `git-backup` on PATH is a shim script that execs `node bin/git-backup.cjs`',
      "husky: husky 9 from this project's node_modules, set up by its `bin.js`, `.husky/post-commit` is `true`",
      `${rounds} rounds, the three interleaved in rotating order, after ${WARM_UP_ROUNDS} unmeasured rounds; the same PATH (with the shim) for all three`,
      "after each commit with our hooks the benchmark waits, untimed, until that commit's detached drain has finished (drain lock released, every event applied), so drains never pile up nor overlap the next timed commit; backup.log may hold only recorded policy moves",
    ],
    table: [['setup', 'median', 'range', '÷ no hooks', 'over no hooks'], ...variants.map((v) => row(v.name, s.get(v.name)!))],
    verdicts: [
      { what: 'commit with our hooks / without hooks', value: ratio(oursMs / base), target: `≤ ${COMMIT_TARGET}×`, meets: oursMs / base <= COMMIT_TARGET },
    ],
    notes: [
      `for comparison, husky 9 with a trivial post-commit / no hooks = ${ratio(huskyMs / base)}`,
      `the detached drain finished a median ${ms(median(drainLag))} after its commit returned (range ${ms(min(drainLag))} – ${ms(max(drainLag))}): off the commit's path, but real CPU spent per commit`,
    ],
  };
}
