// The `git config` answer kept between processes (src/config/cache.ts): used only while every config
// file is exactly as it was, never kept where the set of files is not certain.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { scratchDir, tempRepo, TEST_ENV, type TestRepo } from '../helpers/repo.js';
import { cachedConfigOutput, configFiles } from '../../src/config/cache.js';
import { readView } from '../../src/config/load.js';
import { findRepo, git, type RepoPaths } from '../../src/git/exec.js';

// In-process calls read process.env the way the CLI does: give them the tests' HOME and config.
Object.assign(process.env, { HOME: TEST_ENV.HOME, XDG_CONFIG_HOME: TEST_ENV.XDG_CONFIG_HOME, GIT_CONFIG_NOSYSTEM: '1' });

async function setup(): Promise<{ repo: TestRepo; paths: RepoPaths; dir: string }> {
  const repo = tempRepo();
  const paths = await findRepo(repo.dir);
  const dir = join(repo.dir, '.git', 'backup', 'cache');
  mkdirSync(join(repo.dir, '.git', 'backup'));
  return { repo, paths, dir };
}

/** git's answer, counting how often git was asked. */
function asker(paths: RepoPaths) {
  const calls = { n: 0 };
  const ask = async () => {
    calls.n++;
    return (await git(['config', '-z', '--show-scope', '--show-origin', '--get-regexp', '^backup\\.'], { cwd: paths.worktree, okCodes: [1] })).stdout;
  };
  return { calls, ask };
}

const QUERY = '^backup\\.';

const settled = (ms: number) => (process.env.GIT_BACKUP_TEST_CONFIG_SETTLED_MS = String(ms));

test('kept once the files have settled, used while they are unchanged, asked again after any edit', async () => {
  const { repo, paths, dir } = await setup();
  repo.git(['config', 'backup.retention.confirmed', '2w']);
  const { calls, ask } = asker(paths);
  settled(0);
  const first = await cachedConfigOutput(paths, { dir, write: true }, QUERY, ask);
  assert.match(first, 'backup.retention.confirmed\n2w');
  assert.is(await cachedConfigOutput(paths, { dir, write: true }, QUERY, ask), first);
  assert.is(calls.n, 1, 'the second read is the kept answer');

  repo.git(['config', 'backup.retention.confirmed', '3w']); // same size, same second: a new ctime
  assert.match(await cachedConfigOutput(paths, { dir, write: true }, QUERY, ask), 'backup.retention.confirmed\n3w');
  assert.is(calls.n, 2);
  writeFileSync(join(TEST_ENV.HOME!, '.gitconfig'), '[backup "retention"]\n\tcreated = 5d\n[maintenance]\n\tauto = false\n');
  assert.match(await cachedConfigOutput(paths, { dir, write: true }, QUERY, ask), 'retention.created\n5d', 'a global edit is seen too');
  assert.is(calls.n, 3);
  writeFileSync(join(TEST_ENV.HOME!, '.gitconfig'), '[maintenance]\n\tauto = false\n');
});

test('an answer kept for one question is not the answer to another (a version that asks for more keys asks git)', async () => {
  const { repo, paths, dir } = await setup();
  repo.git(['config', 'backup.retention.confirmed', '2w']);
  const { calls, ask } = asker(paths);
  settled(0);
  await cachedConfigOutput(paths, { dir, write: true }, QUERY, ask);
  await cachedConfigOutput(paths, { dir, write: true }, '^(backup\\..*|user\\.name)$', ask);
  assert.is(calls.n, 2, 'the other question went to git');
  await cachedConfigOutput(paths, { dir, write: true }, '^(backup\\..*|user\\.name)$', ask);
  assert.is(calls.n, 2, 'and its answer is kept in turn');
});

test('not kept: files changed within the settling time, an include, a drain (write: false), git -c', async () => {
  const { repo, paths, dir } = await setup();
  const { calls, ask } = asker(paths);
  settled(60_000);
  await cachedConfigOutput(paths, { dir, write: true }, QUERY, ask);
  await cachedConfigOutput(paths, { dir, write: true }, QUERY, ask);
  assert.is(calls.n, 2, 'a config file written a moment ago: not trusted yet');

  settled(0);
  await cachedConfigOutput(paths, { dir, write: false }, QUERY, ask);
  await cachedConfigOutput(paths, { dir, write: false }, QUERY, ask);
  assert.is(calls.n, 4, 'write: false keeps nothing');

  repo.git(['config', 'include.path', '../extra.gitconfig']);
  await cachedConfigOutput(paths, { dir, write: true }, QUERY, ask);
  await cachedConfigOutput(paths, { dir, write: true }, QUERY, ask);
  assert.is(calls.n, 6, 'an include could change unseen: never kept');
  assert.not.ok(existsSync(dir) && readdirSync(dir).length > 0, 'and nothing written');

  assert.is(configFiles(paths, { ...TEST_ENV, GIT_CONFIG_PARAMETERS: "'backup.x'='1'" }), null, 'git -c');
  assert.is(configFiles(paths, { ...TEST_ENV, GIT_CONFIG_GLOBAL: '/elsewhere' }), null);
  assert.ok(configFiles(paths, TEST_ENV)?.includes(join(paths.commonDir, 'config')));
});

test('hooks: where git runs them comes from the same read; a core.hooksPath is left to git', async () => {
  const { repo, paths } = await setup();
  assert.is((await readView(paths, null)).hooksDir, join(paths.commonDir, 'hooks'));
  const linked = join(scratchDir('gb-linked-'), 'wt');
  repo.git(['worktree', 'add', '-q', linked]);
  const gitSaysHooks = repo.git(['-C', linked, 'rev-parse', '--path-format=absolute', '--git-path', 'hooks']);
  assert.is((await readView(await findRepo(linked), null)).hooksDir, gitSaysHooks, 'a linked worktree: the common hooks, as git says');
  repo.git(['config', 'core.hooksPath', '.githooks']);
  assert.is((await readView(paths, null)).hooksDir, null);
});

test('the CLI: once the answer is kept, status and list start no git process at all, and see an edit at once', () => {
  const repo = tempRepo();
  const env = { GIT_BACKUP_TEST_CONFIG_SETTLED_MS: '0' };
  repo.write('a.txt', 'a\n');
  assert.is(repo.cli(['create', '-m', 'one'], { env }).code, 0);
  const withGit = repo.cli(['status'], { env });
  assert.is(withGit.code, 0, withGit.stderr);
  // No git on PATH: every git process would fail. Node runs by its full path.
  const noGit = { ...env, PATH: '/nonexistent' };
  const status = repo.cli(['status'], { env: noGit });
  assert.is(status.code, 0, status.stderr);
  assert.is(status.stdout, withGit.stdout);
  assert.is(repo.cli(['list'], { env: noGit }).code, 0);

  repo.git(['config', 'backup.retention.confirmed', '3w']);
  assert.match(repo.cli(['status'], { env }).stdout, 'confirmed kept 3w');
  const again = repo.cli(['status'], { env: noGit });
  assert.is(again.code, 0, again.stderr);
  assert.match(again.stdout, 'confirmed kept 3w');
});

test('a relative HOME or XDG_CONFIG_HOME: git reads it from the top of the working tree, so nothing is kept', async () => {
  const { paths } = await setup();
  assert.is(configFiles(paths, { ...TEST_ENV, XDG_CONFIG_HOME: '../xdg' }), null);
  assert.is(configFiles(paths, { ...TEST_ENV, HOME: 'home' }), null);
  assert.ok(configFiles(paths, { ...TEST_ENV, XDG_CONFIG_HOME: '' }), 'empty: git uses ~/.config, certain');
});

test('a FIFO where the kept answer goes: git is asked, nothing hangs', async () => {
  const { paths, dir } = await setup();
  const { calls, ask } = asker(paths);
  settled(0);
  await cachedConfigOutput(paths, { dir, write: true }, QUERY, ask);
  const [kept] = readdirSync(dir);
  unlinkSync(join(dir, kept!));
  execFileSync('mkfifo', [join(dir, kept!)]);
  const t = setTimeout(() => { throw new Error('hung on the FIFO'); }, 5000);
  await cachedConfigOutput(paths, { dir, write: true }, QUERY, ask);
  clearTimeout(t);
  assert.is(calls.n, 2);
  unlinkSync(join(dir, kept!));
});

test('a git whose system config is elsewhere (another prefix): nothing kept, an edit there is seen at once', () => {
  const repo = tempRepo();
  const prefix = scratchDir('gb-prefix-');
  mkdirSync(join(prefix, 'etc'));
  writeFileSync(join(prefix, 'etc', 'gitconfig'), '');
  // A git built with another prefix, as Homebrew's is: reads <prefix>/etc/gitconfig, not /etc/gitconfig.
  const bin = join(prefix, 'bin');
  mkdirSync(bin);
  const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  writeFileSync(join(bin, 'git'), `#!/bin/sh\nGIT_CONFIG_SYSTEM=${prefix}/etc/gitconfig exec ${realGit} "$@"\n`, { mode: 0o755 });
  const env = { GIT_BACKUP_TEST_CONFIG_SETTLED_MS: '0', GIT_CONFIG_NOSYSTEM: undefined, PATH: `${bin}:${process.env.PATH}` };
  for (let i = 0; i < 2; i++) assert.is(repo.cli(['status'], { env }).code, 0);
  const cache = join(repo.dir, '.git', 'backup', 'cache');
  assert.not.ok(existsSync(cache) && readdirSync(cache).some((f) => f.endsWith('.json')), 'not kept');
  writeFileSync(join(prefix, 'etc', 'gitconfig'), '[backup "retention"]\n\tconfirmed = 4w\n');
  assert.match(repo.cli(['status'], { env }).stdout, 'confirmed kept 4w');
});

test.run();
