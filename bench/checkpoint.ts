// A simulated agent session (issue 10): TURNS turns on a generated repository of FILES files; each
// turn edits a few files (every fifth turn edits nothing), then a checkpoint is taken three ways,
// interleaved in the same turn: our agent hook (`git backup hook agent claude-code`, the command
// Claude Code runs, with its JSON on stdin; served by the worktree's checkpoint server after the
// first, and again with that server off on a third copy), `git stash create`, and a shadow repository (a separate
// GIT_DIR over the same worktree: `add -A` + `commit`, what Cline's checkpoints do). `node -e 0`
// gives the Node start-up every one-shot command of ours pays. And what a `run --watch` checkpoint
// costs: the create use case called in this process (as app/watch.ts does, no Node start), on a
// second copy of the repository given the same edits (so it does not just find the hook's
// checkpoint of the same tree). Also: what the store grows by.
//
//   npm run build && node dist/bench/checkpoint.js [--files N]... [--turns N] [--write]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, ROOT } from './lib/context.js';
import { treeBytes } from './lib/disk.js';
import { describeMachine } from './lib/machine.js';
import { writeSection } from './lib/report.js';
import { median } from './lib/stats.js';
import { openContext, resetClock, type Context } from '../src/app/context.js';
import { createBackup } from '../src/app/create.js';
import { launchThroughShells } from '../src/git/launcher.js';

const arg = (name: string, fallback: number[]) => {
  const out: number[] = [];
  process.argv.forEach((a, i) => a === name && out.push(Number(process.argv[i + 1])));
  return out.length ? out : fallback;
};
const SIZES = arg('--files', [5_000, 40_000]);
const TURNS = arg('--turns', [100])[0]!;
// No NODE_EXTRA_CA_CERTS: it adds ~45 ms to every Node start, the baseline's too (bench/lib/scratch.ts).
// The agent hook's checkpoint server ends a few seconds after the session (its turns are under a second apart).
const ENV = { ...process.env, NODE_EXTRA_CA_CERTS: undefined, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b', GIT_BACKUP_HOOK_MODE: 'off', GIT_BACKUP_AGENT_IDLE_MS: '5000' };
const NO_SERVER = { ...ENV, GIT_BACKUP_AGENT_SERVER: 'off' };

function timed(cmd: string, args: string[], cwd: string, opts: { env?: NodeJS.ProcessEnv; input?: string } = {}): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd, env: opts.env ?? ENV, input: opts.input ?? '', stdio: ['pipe', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

/** FILES files in nested folders, committed; a little text each, like a source tree. */
function makeRepo(files: number): string {
  const dir = mkdtempSync(join(tmpdir(), `gb-ckpt-${files}-`));
  execFileSync('git', ['init', '-q', '-b', 'main', dir]);
  for (let i = 0; i < files; i++) {
    const d = join(dir, `src/m${i % 50}/p${Math.floor(i / 50) % 20}`);
    if (i < 1000) mkdirSync(d, { recursive: true });
    writeFileSync(join(d, `f${i}.ts`), `export const v${i} = ${i};\n// ${'x'.repeat(i % 300)}\n`);
  }
  execFileSync('git', ['add', '-A'], { cwd: dir, env: ENV });
  execFileSync('git', ['commit', '-qm', 'base'], { cwd: dir, env: ENV });
  return dir;
}

/** What one agent turn does to the tree: a few edits and sometimes a new file; every fifth turn nothing. */
function agentTurn(dir: string, files: number, turn: number): void {
  if (turn % 5 === 4) return;
  for (let k = 0; k < 3; k++) {
    const i = (turn * 7919 + k * 104729) % files;
    writeFileSync(join(dir, `src/m${i % 50}/p${Math.floor(i / 50) % 20}/f${i}.ts`), `export const v${i} = ${turn};\n`);
  }
  if (turn % 3 === 0) writeFileSync(join(dir, `src/m0/new-${turn}.ts`), `// turn ${turn}\n`);
}

interface Row {
  files: number;
  ours: number;
  /** The hook with its server turned off: every checkpoint in the hook's own process. */
  alone: number;
  /** An in-process checkpoint, as run --watch takes it. */
  watch: number;
  stash: number;
  shadow: number;
  node: number;
  ourGrowth: number;
  shadowGrowth: number;
  backups: number;
  changedTurns: number;
}

/** A checkpoint as app/watch.ts takes one, timed. */
async function inProcess(ctx: Context): Promise<number> {
  const t = process.hrtime.bigint();
  resetClock(ctx);
  await createBackup(ctx, {
    message: 'checkpoint',
    includeIgnored: false,
    paths: [],
    cwd: ctx.repo.worktree,
    pin: false,
    labels: ['run:bench', 'run:checkpoint'],
    trigger: 'USER',
    allowEmpty: true,
    reuse: true,
  });
  return Number(process.hrtime.bigint() - t) / 1e6;
}

const silent = { out: () => undefined, outParts: () => undefined, err: () => undefined, interactive: false, ask: async () => '' };

async function session(files: number): Promise<Row> {
  const dir = makeRepo(files);
  const twin = makeRepo(files); // the same files: the in-process checkpoints' own repository
  const solo = makeRepo(files); // ... and the hook's without its server
  execFileSync(process.execPath, [BIN, 'init'], { cwd: solo, env: ENV });
  const soloInput = JSON.stringify({ session_id: 'bench', hook_event_name: 'PreToolUse', tool_name: 'Edit', cwd: solo });
  execFileSync(process.execPath, [BIN, 'init'], { cwd: twin, env: ENV });
  const ctx = await openContext(silent, twin);
  const stopLaunching = launchThroughShells(ctx.tmpDir); // as app/watch.ts does for its session
  const shadow = join(dir, '..', `${dir.split('/').pop()}-shadow.git`);
  execFileSync('git', ['init', '-q', '--bare', shadow]);
  const shadowEnv = { ...ENV, GIT_DIR: shadow, GIT_WORK_TREE: dir };
  execFileSync('git', ['add', '-A'], { cwd: dir, env: shadowEnv });
  execFileSync('git', ['commit', '-qm', 'base', '--allow-empty'], { cwd: dir, env: shadowEnv });
  execFileSync(process.execPath, [BIN, 'init'], { cwd: dir, env: ENV });
  const ourStart = treeBytes(join(dir, '.git'));
  const shadowStart = treeBytes(shadow);
  const t = { ours: [] as number[], alone: [] as number[], watch: [] as number[], stash: [] as number[], shadow: [] as number[], node: [] as number[] };
  let changedTurns = 0;
  const hookInput = JSON.stringify({ session_id: 'bench', hook_event_name: 'PreToolUse', tool_name: 'Edit', cwd: dir });
  for (let turn = 0; turn < TURNS; turn++) {
    agentTurn(dir, files, turn);
    agentTurn(twin, files, turn);
    agentTurn(solo, files, turn);
    if (turn % 5 !== 4) changedTurns++;
    // Rotate the order so no variant always goes first (warm caches) or last.
    const steps = [
      () => t.ours.push(timed(process.execPath, [BIN, 'hook', 'agent', 'claude-code'], dir, { input: hookInput })),
      // Without the server, on a third copy given the same edits: each checkpoint in the hook's own process.
      () => t.alone.push(timed(process.execPath, [BIN, 'hook', 'agent', 'claude-code'], solo, { input: soloInput, env: NO_SERVER })),
      () => t.stash.push(timed('git', ['stash', 'create'], dir)),
      () => t.shadow.push(timed('sh', ['-c', 'git add -A && git commit -qm turn --allow-empty'], dir, { env: shadowEnv })),
      () => t.node.push(timed(process.execPath, ['-e', '0'], dir)),
    ];
    // The in-process one first or last, alternately (it is async, the others are not).
    if (turn % 2 === 0) t.watch.push(await inProcess(ctx));
    for (let k = 0; k < steps.length; k++) steps[(turn + k) % steps.length]!();
    if (turn % 2 === 1) t.watch.push(await inProcess(ctx));
  }
  const backups = (JSON.parse(execFileSync(process.execPath, [BIN, 'list', '--json'], { cwd: dir, env: ENV, encoding: 'utf8' })) as unknown[]).length;
  const row: Row = {
    files,
    ours: median(t.ours),
    alone: median(t.alone),
    watch: median(t.watch),
    stash: median(t.stash),
    shadow: median(t.shadow),
    node: median(t.node),
    ourGrowth: treeBytes(join(dir, '.git')) - ourStart,
    shadowGrowth: treeBytes(shadow) - shadowStart,
    backups,
    changedTurns,
  };
  stopLaunching();
  rmSync(dir, { recursive: true, force: true });
  rmSync(twin, { recursive: true, force: true });
  rmSync(solo, { recursive: true, force: true });
  rmSync(shadow, { recursive: true, force: true });
  return row;
}

const rows: Row[] = [];
for (const n of SIZES) {
  process.stderr.write(`checkpoint: ${n} files, ${TURNS} turns…\n`);
  rows.push(await session(n));
}
const m = describeMachine();
const kb = (b: number) => `${(b / 1024).toFixed(0)} KiB`;
const report = [
  `## Agent checkpoints: a ${TURNS}-turn session`,
  '',
  `- date: ${new Date().toISOString()}; machine: ${m.cpu}, ${m.cores} cores, ${m.memory}, ${m.os}; node ${m.node}, ${m.git}; load when done: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
  `- command: \`npm run build && node dist/bench/checkpoint.js${SIZES.map((s) => ` --files ${s}`).join('')} --turns ${TURNS} --write\``,
  '- a generated repository (small TypeScript-like files in 1,000 folders), committed; each turn edits 3 files, every third adds one, every fifth changes nothing; after each turn the four commands run in rotating order (the in-process checkpoint first or last, alternately); medians over the turns',
  '- ours: `git backup hook agent claude-code` with Claude Code\'s JSON on stdin (a whole-tree checkpoint that is an undo point; an unchanged turn returns the last one), as installed: the first hook starts the worktree\'s checkpoint server and takes its checkpoint itself, every later one is served by it; without server: the same hook with `GIT_BACKUP_AGENT_SERVER=off` on a third copy given the same edits (each checkpoint in the hook\'s own process); shadow: a bare GIT_DIR over the same worktree, `git add -A && git commit` (Cline\'s approach); stash: `git stash create`',
  '',
  '- run --watch: the create use case called in-process (what `run --watch` does when a burst settles), on a second copy of the repository given the same edits',
  '',
  '| files | ours | without server | `run --watch` in-process | `git stash create` | shadow repo | `node -e 0` | ours / (stash + node) | without server / (stash + node) | watch / shadow | backups / turns that changed something | store growth: ours / shadow |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ...rows.map(
    (r) =>
      `| ${r.files.toLocaleString('en')} | ${r.ours.toFixed(0)} ms | ${r.alone.toFixed(0)} ms | ${r.watch.toFixed(0)} ms | ${r.stash.toFixed(0)} ms | ${r.shadow.toFixed(0)} ms | ${r.node.toFixed(0)} ms | ${(r.ours / (r.stash + r.node)).toFixed(2)}× (target ≤ 1.5×) | ${(r.alone / (r.stash + r.node)).toFixed(2)}× | ${(r.watch / r.shadow).toFixed(2)}× (target ≤ 1.2×) | ${r.backups} / ${r.changedTurns} | ${kb(r.ourGrowth)} / ${kb(r.shadowGrowth)} |`,
  ),
  '',
].join('\n');
process.stdout.write(report);
if (process.argv.includes('--write')) writeSection(ROOT, 'checkpoint', 'bench/checkpoint.ts', report);
