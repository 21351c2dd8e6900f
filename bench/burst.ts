// Benchmark (issue 9, design.md §Performance "bursts count"): git operations that fire many hooks in a row, on a
// generated repository of 5,000 files, with no hooks, with ours (default detached mode) and with
// husky 9 running trivial hooks. Samples are interleaved and the benchmark does NOT wait for our
// drains between them: a burst's drains land on whatever git does next, which is the point.
// Then the CPU all drains of a 50-commit burst burn, against one drain, and how soon after the
// burst the backup is PENDING.
import { cpSync, mkdirSync, readFileSync, readdirSync, writeFileSync, chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT, type BenchContext } from './lib/context.js';
import type { Section } from './lib/report.js';
import { run, GNU_TIME } from './lib/proc.js';
import { assertCleanBackupLog, installHooks, storeDir, waitForDrains } from './lib/hooks.js';
import { makeBigRepo } from './fixtures/big-repo.js';
import { interleave, max, median, min, ms, ratio, signedMs } from './lib/stats.js';

const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

interface Targets {
  [scenario: string]: number;
}
const TARGETS: Targets = {
  'rebase of 20 commits': 1.3,
  '50 back-to-back commits': 1.3,
  'git am of 20 patches': 1.3,
  'single commit': 1.15,
  'merge --no-ff + push': 1.2,
};

const VARIANTS = ['no hooks', 'no-op sh hooks', 'git-backup hooks', 'husky 9, trivial hooks'] as const;
/** The hooks `git backup install` writes: the no-op variant has the same set, each `exit 0`. */
const OUR_HOOKS = ['post-commit', 'post-merge', 'post-rewrite', 'pre-push', 'pre-rebase'];
type VariantName = (typeof VARIANTS)[number];

/** A shim directory whose `git-backup` execs the CLI; with `cpuLog`, each drain runs under GNU time, its CPU appended there; with `noDrains`, no drain. */
function shim(ctx: BenchContext, cpuLog?: string, noDrains = false): string {
  const dir = ctx.scratch.dir('burst-shim');
  const script = join(dir, 'git-backup');
  const timed = cpuLog && existsSync(GNU_TIME)
    ? `case "$1 $2" in "hook drain") exec ${GNU_TIME} -a -o '${cpuLog}' -f '%U %S' "${process.execPath}" "${BIN}" "$@" ;; esac\n`
    : '';
  // noDrains (diagnostic, `--no-drains`): the hooks record their events but no drain ever runs.
  const off = noDrains ? 'case "$1 $2" in "hook drain") exit 0 ;; esac\n' : '';
  writeFileSync(script, `#!/bin/sh\n${off}${timed}exec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(script, 0o755);
  return dir;
}

async function setUpHusky(dir: string, env: NodeJS.ProcessEnv): Promise<void> {
  const husky = join(dir, 'node_modules', 'husky');
  mkdirSync(husky, { recursive: true });
  cpSync(join(ROOT, 'node_modules', 'husky'), husky, { recursive: true });
  await run([process.execPath, join(husky, 'bin.js')], { cwd: dir, env });
  // Trivial hooks for what a rebase, a commit, am and a push run.
  for (const h of ['pre-commit', 'post-commit', 'post-rewrite', 'pre-push', 'post-merge', 'commit-msg']) writeFileSync(join(dir, '.husky', h), 'true\n');
}

interface Repo {
  dir: string;
  git: (args: string[]) => Promise<string>;
  sh: (script: string) => Promise<number>;
}

/**
 * One clone of the base repository per variant: `topic` (20 commits, one file each) off `base`,
 * `main` one commit ahead of `base`, patches of topic for `git am`, a bare `origin`.
 */
async function makeVariant(ctx: BenchContext, base: string, name: VariantName, env: NodeJS.ProcessEnv, patches: string): Promise<Repo> {
  const dir = join(ctx.scratch.dir('burst'), 'repo');
  await run(['git', 'clone', '-q', base, dir], { cwd: base, env });
  const remote = join(ctx.scratch.dir('burst-remote'), 'origin.git');
  await run(['git', 'clone', '-q', '--bare', base, remote], { cwd: base, env });
  const git = async (args: string[]) => (await run(['git', ...args], { cwd: dir, env })).stdout.trim();
  await git(['remote', 'set-url', 'origin', remote]);
  await git(['fetch', '-q', 'origin']);
  await git(['remote', 'set-head', 'origin', 'main']);
  if (name === 'git-backup hooks') await installHooks(ctx, dir, env);
  if (name === 'husky 9, trivial hooks') await setUpHusky(dir, env);
  if (name === 'no-op sh hooks') {
    // The floor of any hook: git starting one process per hook, which does nothing.
    for (const h of OUR_HOOKS) {
      writeFileSync(join(dir, '.git', 'hooks', h), '#!/bin/sh\nexit 0\n');
      chmodSync(join(dir, '.git', 'hooks', h), 0o755);
    }
  }
  const sh = async (script: string) => (await run(['sh', '-c', script], { cwd: dir, env })).ms;
  const repo = { dir, git, sh };
  if (!existsSync(join(patches, 'done'))) {
    // The topic and the patches, made once in the first variant and shared.
    await git(['checkout', '-q', '-b', 'topic']);
    await sh('i=0; while [ $i -lt 20 ]; do i=$((i+1)); echo "topic $i" >> pkg000/mod00$((i % 10)).ts; git commit -q -am "topic $i" || exit 1; done');
    await git(['format-patch', '-q', '-o', patches, 'main']);
    writeFileSync(join(patches, 'done'), '');
    await git(['bundle', 'create', join(patches, 'topic.bundle'), 'topic']);
  } else {
    await git(['fetch', '-q', join(patches, 'topic.bundle'), 'topic:topic']);
  }
  await git(['checkout', '-q', 'main']);
  await sh('echo "main moves" >> pkg001/mod000.ts && git commit -q -am "main moves"');
  await git(['branch', '-q', 'base', 'HEAD~1']);
  // A backup in progress on `work`, so every drain has a backup to move (a real reconcile).
  await git(['checkout', '-q', '-b', 'work']);
  if (name === 'git-backup hooks') {
    writeFileSync(join(dir, 'pkg002', 'mod000.ts'), 'work in progress\n');
    await run(ctx.cli(['create', '-m', 'bench']), { cwd: dir, env });
    await git(['checkout', '-q', '--', 'pkg002/mod000.ts']);
  }
  return repo;
}

/** Which part to run: both, the timed git operations only, or the drain CPU only (`--only=`). */
export type BurstPart = 'all' | 'ops' | 'cpu';

export async function benchBurst(ctx: BenchContext, files = 5_000, part: BurstPart = 'all', husky = true, diagnostic: { settle?: boolean; noDrains?: boolean } = {}): Promise<Section[]> {
  // Without husky (`--no-husky`): its trivial hooks cost minutes per round; a quick comparison skips them.
  const variantNames = VARIANTS.filter((v) => husky || v !== 'husky 9, trivial hooks');
  ctx.log(`bursts: building the ${files}-file repository`);
  const big = await makeBigRepo(ctx, { dirs: files / 100, filesPerDir: 100, changed: 0 });
  const env: NodeJS.ProcessEnv = { ...ctx.env, PATH: `${shim(ctx, undefined, diagnostic.noDrains)}:${ctx.env.PATH ?? ''}` };
  delete env.GIT_BACKUP_HOOK_MODE;
  const patches = ctx.scratch.dir('burst-patches');
  if (part === 'cpu') return [await drainCpu(ctx, big.dir, patches, files)];
  const repos = new Map<VariantName, Repo>();
  for (const v of variantNames) repos.set(v, await makeVariant(ctx, big.dir, v, env, patches));
  const patchFiles = readdirSync(patches).filter((f) => f.endsWith('.patch')).sort().map((f) => join(patches, f));

  let n = 0;
  // Each scenario: untimed preparation, then the timed git operation(s) in one shell.
  const scenarios: Record<string, (r: Repo) => Promise<number>> = {
    'rebase of 20 commits': async (r) => {
      await r.sh('git checkout -q -B rebasing topic');
      return r.sh('git rebase -q main');
    },
    '50 back-to-back commits': async (r) => {
      await r.sh('git checkout -q work');
      return r.sh('i=0; while [ $i -lt 50 ]; do i=$((i+1)); echo "$i" >> pkg003/mod000.ts; git commit -q -am "burst $i" || exit 1; done');
    },
    'git am of 20 patches': async (r) => {
      await r.sh('git checkout -q -B applying base');
      return r.sh(`git am -q ${patchFiles.map((p) => `'${p}'`).join(' ')}`);
    },
    'single commit': async (r) => {
      await r.sh('git checkout -q work');
      return r.sh(`echo ${++n} >> pkg004/mod000.ts && git commit -q -am single`);
    },
    'merge --no-ff + push': async (r) => {
      const b = `side${++n}`;
      await r.sh(`git checkout -q -B ${b} main && echo ${n} >> pkg005/mod000.ts && git commit -q -am ${b} && git checkout -q main`);
      return r.sh(`git merge -q --no-ff -m "merge ${b}" ${b} && git push -q origin main`);
    },
  };

  const rounds = ctx.rounds(9, 2);
  const results = new Map<string, Map<string, number[]>>();
  for (const [scenario, fn] of Object.entries(scenarios)) {
    ctx.log(`bursts: ${scenario}, ${rounds} interleaved rounds (drains not waited for)`);
    // settle (diagnostic, `--settle`): every drain finished before each sample, which shows what
    // the drains running beside the next git command cost (the real benchmark never waits).
    const oursRepo = repos.get('git-backup hooks')!;
    const variants = variantNames.map((v) => ({
      name: v,
      run: async () => {
        if (diagnostic.settle) await waitForDrains(oursRepo.dir, 60_000);
        return fn(repos.get(v)!);
      },
    }));
    await interleave(variants, 1); // warm-up
    results.set(scenario, await interleave(variants, rounds));
  }
  const ours = repos.get('git-backup hooks')!;
  if (!diagnostic.noDrains) await waitForDrains(ours.dir, 120_000);
  assertCleanBackupLog(ours.dir, 'bursts with our hooks');

  const table: string[][] = [['operation', 'no hooks', 'no-op sh hooks', '÷ no hooks', 'git-backup hooks', '÷ no hooks', '÷ no-op hooks', 'husky 9 trivial', '÷ no hooks']];
  const verdicts: Section['verdicts'] = [];
  for (const [scenario, s] of results) {
    const base = median(s.get('no hooks')!);
    const o = median(s.get('git-backup hooks')!);
    const hs = s.get('husky 9, trivial hooks');
    const h = hs ? median(hs) : NaN;
    const noop = median(s.get('no-op sh hooks')!);
    table.push([scenario, ms(base), ms(noop), ratio(noop / base), `${ms(o)} (${ms(min(s.get('git-backup hooks')!))} – ${ms(max(s.get('git-backup hooks')!))})`, ratio(o / base), ratio(o / noop), hs ? ms(h) : 'not run', hs ? ratio(h / base) : '–']);
    verdicts.push({ what: `${scenario}: ours / no hooks`, value: ratio(o / base), target: `≤ ${TARGETS[scenario]}×`, meets: o / base <= TARGETS[scenario]! });
  }

  const cpu: Section[] = part === 'ops' ? [] : [await drainCpu(ctx, big.dir, patches, files)];
  return [
    {
      title: `bursts on a ${files.toLocaleString('en')}-file repository`,
      method: [
        `a generated repository of ${files} committed files (1–4 KB of source-like text each), cloned four times: no hooks; no-op hooks (\`#!/bin/sh\` and \`exit 0\` for each hook we install, ${OUR_HOOKS.join(', ')}: what any hook costs, git starting a process); \`git backup install\` (default detached mode, \`git-backup\` on PATH as a shim that execs \`node bin/git-backup.cjs\`, one backup in progress); husky 9 from node_modules with trivial (\`true\`) pre-commit, commit-msg, post-commit, post-merge, post-rewrite and pre-push`,
        'rebase: `git rebase -q main` of a 20-commit topic (checked out again untimed before each sample); 50 commits: one `sh` loop of `git commit -q -am`; am: `git am -q` of the 20 topic patches onto the base; single commit: `git commit -q -am`; merge + push: `git merge -q --no-ff` of a one-commit side branch, then `git push -q` to a local bare origin',
        `wall time of the timed shell, from spawn to exit; ${rounds} rounds per operation, the set-ups interleaved in rotating order after one warm-up round; medians`,
        '**drains are not waited for between samples**: a burst\'s drain runs while the next samples run, on the same 2 cores',
      ],
      table,
      verdicts,
      notes: [
        'the no-op column is the floor of any hook manager: git forks and execs each hook, which on this machine costs about as much as git replaying one small commit; the "÷ no-op hooks" column is what our hook block and drains add to that floor',
        'git am runs none of our hooks (git runs post-applypatch, not post-commit, for each patch), so its ratio is the cost of nothing but noise; git rebase runs post-commit per replayed commit and post-rewrite at the end',
      ],
    },
    ...cpu,
  ];
}

/** CPU of every drain of a 50-commit burst against one drain; and how long after the burst the backup is PENDING. */
async function drainCpu(ctx: BenchContext, base: string, patches: string, files: number): Promise<Section> {
  const cpuLog = join(ctx.scratch.dir('burst-cpu'), 'cpu');
  const env: NodeJS.ProcessEnv = { ...ctx.env, PATH: `${shim(ctx, cpuLog)}:${ctx.env.PATH ?? ''}` };
  delete env.GIT_BACKUP_HOOK_MODE;
  const r = await makeVariant(ctx, base, 'git-backup hooks', env, patches);
  // The backup's work committed (untimed): it is PENDING from here and follows the branch's tip at
  // every reconcile, which is what "PENDING after the burst" waits for.
  await r.sh("echo 'work in progress' > pkg002/mod000.ts && git commit -q -am 'the work'");
  await waitForDrains(r.dir, 60_000);
  const read = () => (existsSync(cpuLog) ? readFileSync(cpuLog, 'utf8').split('\n').filter((l) => /^\d/.test(l)).map((l) => l.split(' ').map(Number).reduce((a, b) => a + b, 0) * 1000) : []);
  const rounds = ctx.rounds(9, 2);
  const one: number[] = [];
  const burst: number[] = [];
  const drainsPerBurst: number[] = [];
  const pendingAfter: number[] = [];
  for (let i = 0; i < rounds; i++) {
    writeFileSync(cpuLog, '');
    await r.sh(`echo one${i} >> pkg006/mod000.ts && git commit -q -am one`);
    await waitForDrains(r.dir, 60_000);
    await drainsGone(r.dir);
    one.push(read().reduce((a, b) => a + b, 0));

    writeFileSync(cpuLog, '');
    await r.sh('i=0; while [ $i -lt 50 ]; do i=$((i+1)); echo "$i" >> pkg007/mod000.ts; git commit -q -am "burst $i" || exit 1; done');
    const ended = Date.now();
    const head = await r.git(['rev-parse', 'HEAD']);
    // The backup follows the branch: PENDING with pending_commit at the burst's last commit.
    for (;;) {
      const db = JSON.parse(readFileSync(join(storeDir(r.dir), 'db.json'), 'utf8')) as { backups: { state: string; pending_commit: string | null }[] };
      if (db.backups.some((b) => b.state === 'PENDING' && b.pending_commit === head)) break;
      if (Date.now() - ended > 60_000) throw new Error('the backup did not follow the burst within 60 s');
      await sleep(10);
    }
    pendingAfter.push(Date.now() - ended);
    await waitForDrains(r.dir, 60_000);
    await drainsGone(r.dir);
    const xs = read();
    burst.push(xs.reduce((a, b) => a + b, 0));
    drainsPerBurst.push(xs.length);
  }
  assertCleanBackupLog(r.dir, 'drain CPU');
  const ratioCpu = median(burst) / median(one);
  return {
    title: 'drain CPU of a 50-commit burst',
    method: [
      `the same ${files.toLocaleString('en')}-file repository with our hooks and a backup in progress; each drain the hooks start runs under GNU time (\`/usr/bin/time -f "%U %S"\`: user + system CPU of node and the git processes it waited for)`,
      `${rounds} rounds of: one commit, wait for its drain(s) (untimed) → "one drain"; then 50 commits in one \`sh\` loop, wait for every drain → "burst"`,
      'PENDING after the burst: from the end of the loop until db.json shows the backup PENDING at the last commit (read every 10 ms)',
    ],
    table: [
      ['measure', 'median', 'range'],
      ['CPU of the drain(s) of one commit', ms(median(one)), `${ms(min(one))} – ${ms(max(one))}`],
      ['CPU of all drains of 50 commits', ms(median(burst)), `${ms(min(burst))} – ${ms(max(burst))}`],
      ['drains started by 50 commits', String(median(drainsPerBurst)), `${min(drainsPerBurst)} – ${max(drainsPerBurst)}`],
      ['backup PENDING after the burst ended', ms(median(pendingAfter)), `${ms(min(pendingAfter))} – ${ms(max(pendingAfter))}`],
    ],
    verdicts: [
      { what: 'CPU of a 50-commit burst\'s drains / one drain', value: ratio(ratioCpu), target: '≤ 2×', meets: ratioCpu <= 2 },
      { what: 'backup PENDING after the burst ends', value: ms(median(pendingAfter)), target: '≤ 1 s', meets: median(pendingAfter) <= 1000 },
    ],
    notes: [`difference of the medians: ${signedMs(median(burst) - median(one))}`],
  };
}

/** Until no `hook drain` process of this repository is left (GNU time writes its line when it ends). */
async function drainsGone(dir: string): Promise<void> {
  for (let i = 0; i < 6000; i++) {
    let any = false;
    for (const p of readdirSync('/proc')) {
      if (!/^\d+$/.test(p)) continue;
      try {
        const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
        if (cmd.includes('hook\0drain') && cmd.includes(dir)) any = true;
      } catch {
        // gone
      }
    }
    if (!any) return;
    await sleep(20);
  }
}
