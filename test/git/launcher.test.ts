// git started through kept shells (git/launcher.ts), against real git and real shells: every
// answer is the one git started the ordinary way gives (output as text and as bytes, stderr, exit
// codes, input with NULs, arguments and directories a shell would mangle, the environment set and
// unset per call), side by side beyond the shells kept, and after a shell is killed; the shells end
// when stopped and never keep a process alive.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PROJECT_ROOT, scratchDir, tempRepo } from '../helpers/repo.js';
import { git, gitBinary, GitError, type GitOptions } from '../../src/git/exec.js';
import { launchThroughShells } from '../../src/git/launcher.js';

/** The shells this process started (its `sh` children). */
function shells(): number[] {
  const out = spawnSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' }).stdout;
  return out.split('\n').filter((l) => /\bsh$/.test(l.trim())).map((l) => Number(l.trim().split(/\s+/)[0]));
}

/** The same call started here and through the shells. */
async function both(args: string[], opts: GitOptions, binary = false): Promise<[unknown, unknown]> {
  const call = () => (binary ? gitBinary(args, opts) : git(args, opts)).then((r) => r, (e: unknown) => (e instanceof GitError ? { failed: e.code, stderr: e.stderr } : e));
  const direct = await call();
  const stop = launchThroughShells(scratchDir());
  try {
    const launched = await call();
    assert.ok(shells().length > 0, 'started through a shell');
    return [direct, launched];
  } finally {
    stop();
  }
}

test('answers are the ones git started here gives: text, bytes, stderr, exit codes, input, odd arguments and directories', async () => {
  const repo = tempRepo();
  const odd = join(repo.dir, "it's a dir\nwith $HOME");
  mkdirSync(odd);
  const blob = Buffer.from([0, 1, 2, 10, 255, 0, 10]);
  writeFileSync(join(repo.dir, 'bin.dat'), blob);
  const cases: [string[], GitOptions, boolean?][] = [
    [['rev-parse', '--sq-quote', "a'b", 'c d', 'é\nx', '$(id)', '`id`', ''], { cwd: repo.dir }],
    [['rev-parse', '--show-prefix'], { cwd: odd }],
    [['hash-object', '-w', '--stdin'], { cwd: repo.dir, input: blob }],
    [['cat-file', 'blob', repo.git(['hash-object', '-w', 'bin.dat'])], { cwd: repo.dir }, true],
    [['rev-parse', '--verify', 'no-such-ref'], { cwd: repo.dir }],
    [['rev-parse', '--verify', '-q', 'no-such-ref'], { cwd: repo.dir, okCodes: [1] }],
    [['no-such-command'], { cwd: repo.dir }],
    [['var', 'GIT_AUTHOR_IDENT'], { cwd: repo.dir, env: { GIT_AUTHOR_NAME: "O'Brien $USER", GIT_AUTHOR_DATE: '1 +0000' } }],
    [['var', 'GIT_AUTHOR_IDENT'], { cwd: repo.dir, env: { GIT_AUTHOR_NAME: undefined, GIT_AUTHOR_DATE: '1 +0000' } }],
  ];
  for (const [args, opts, binary] of cases) {
    const [direct, launched] = await both(args, opts, binary);
    assert.equal(launched, direct, args.join(' '));
  }
});

test('many at once, more than the shells kept: each its own answer; killed shells are replaced; stopping ends them', async () => {
  const repo = tempRepo();
  const ids: string[] = [];
  for (let i = 0; i < 8; i++) ids.push(repo.git(['hash-object', '-w', '--stdin'], { input: `${i}\n`.repeat(20000) }));
  const stop = launchThroughShells(scratchDir());
  try {
    const bodies = await Promise.all(ids.map((id) => git(['cat-file', 'blob', id], { cwd: repo.dir })));
    bodies.forEach((b, i) => assert.is(b.stdout, `${i}\n`.repeat(20000)));
    const kept = shells();
    assert.ok(kept.length >= 1 && kept.length <= 3, `${kept.length} shells`);
    for (const pid of kept) process.kill(pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 100));
    assert.is((await git(['rev-parse', '--verify', ids[0]!], { cwd: repo.dir })).stdout.trim(), ids[0]);
  } finally {
    stop();
  }
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(shells(), [], 'no shell left');
});

/** A Node process that turns the shells on (and never off), then runs `body` (which has `git`). */
function withShells(body: string): string {
  return `
    const { launchThroughShells } = await import(${JSON.stringify(join(PROJECT_ROOT, 'dist/src/git/launcher.js'))});
    const { git } = await import(${JSON.stringify(join(PROJECT_ROOT, 'dist/src/git/exec.js'))});
    launchThroughShells(${JSON.stringify(scratchDir())});
    ${body}
  `;
}

test('a process that leaves the shells running still ends on its own', () => {
  const repo = tempRepo();
  const script = withShells(`process.stdout.write((await git(['rev-parse', 'HEAD'], { cwd: ${JSON.stringify(repo.dir)} })).stdout);`);
  const t = Date.now();
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 10_000 });
  assert.is(out.trim(), repo.git(['rev-parse', 'HEAD']));
  assert.ok(Date.now() - t < 5000, 'ended');
});

test("a variable of ours whose name a shell drops (a filter or hook git runs may read it): git still gets it", () => {
  const repo = tempRepo();
  const script = withShells(`
    const env = (await git(['-c', 'alias.e=!env', 'e'], { cwd: ${JSON.stringify(repo.dir)} })).stdout.split('\\n');
    process.stdout.write(JSON.stringify(env.filter((l) => /^(ODD[.-]NAME|PLAIN_NAME)=/.test(l)).sort()));
  `);
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 10_000, env: { ...process.env, 'ODD.NAME': 'dot', 'ODD-NAME': 'dash', PLAIN_NAME: 'plain' } });
  assert.equal(JSON.parse(out), ['ODD-NAME=dash', 'ODD.NAME=dot', 'PLAIN_NAME=plain']);
});

test.run();
