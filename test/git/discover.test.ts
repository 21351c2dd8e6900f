// Finding the repository without git (src/git/discover.ts): every answer it gives is git's own
// (`git rev-parse` in the same directory), and where it cannot be sure it gives none.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { lchownSync, mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir, tempRepo, TEST_ENV, type TestRepo } from '../helpers/repo.js';
import { discoverRepo } from '../../src/git/discover.js';

function gitSays(cwd: string, env: NodeJS.ProcessEnv = {}) {
  const out = execFileSync('git', ['rev-parse', '--path-format=absolute', '--show-toplevel', '--git-dir', '--git-common-dir', '--git-path', 'index'], {
    cwd, env: { ...TEST_ENV, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'],
  });
  const [worktree, gitDir, commonDir, indexFile] = out.trim().split('\n');
  return { worktree, gitDir, commonDir, indexFile };
}

/** discoverRepo answers, and its answer is git's. */
function sameAsGit(cwd: string, what: string): void {
  const ours = discoverRepo(cwd, TEST_ENV);
  assert.ok(ours, `${what}: an answer without git`);
  assert.equal(ours, gitSays(cwd), what);
}

/** A main repository with a subdirectory, a linked worktree, a submodule and a symlink to it all. */
function layouts(): { top: string; repo: TestRepo } {
  const top = scratchDir('gb-discover-');
  const repo = tempRepo();
  const main = join(top, 'main');
  execFileSync('cp', ['-a', repo.dir, main]);
  const m = (args: string[], cwd = main) => execFileSync('git', args, { cwd, env: TEST_ENV, stdio: 'ignore' });
  m(['update-index', '--refresh']);
  mkdirSync(join(main, 'sub', 'deep'), { recursive: true });
  m(['worktree', 'add', '-q', join(top, 'linked')]);
  m(['-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', repo.dir, 'mod']);
  symlinkSync(main, join(top, 'via-link'));
  return { top, repo };
}

test('plain layouts: the same four paths as git rev-parse, without git', () => {
  const { top } = layouts();
  sameAsGit(join(top, 'main'), 'the top of a working tree');
  sameAsGit(join(top, 'main', 'sub', 'deep'), 'a subdirectory');
  sameAsGit(join(top, 'linked'), 'a linked worktree (.git file, commondir)');
  sameAsGit(join(top, 'main', 'mod'), 'a submodule (.git file into the superproject)');
  sameAsGit(join(top, 'via-link', 'sub'), 'through a symlink: real paths, as git prints them');
  const elsewhere = join(top, 'elsewhere');
  execFileSync('git', ['init', '-q', elsewhere], { env: TEST_ENV });
  execFileSync('mv', [join(elsewhere, '.git'), join(top, 'moved-git-dir')]);
  symlinkSync(join(top, 'moved-git-dir'), join(elsewhere, '.git'));
  sameAsGit(elsewhere, '.git a symlink to a directory elsewhere');
});

test('where git has rules of its own, no answer: git is asked', () => {
  const { top } = layouts();
  const main = join(top, 'main');
  assert.is(discoverRepo(join(main, '.git'), TEST_ENV), null, 'inside .git');
  assert.is(discoverRepo(join(main, '.git', 'refs'), TEST_ENV), null, 'below .git');
  for (const k of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_CEILING_DIRECTORIES', 'GIT_CONFIG_PARAMETERS']) {
    assert.is(discoverRepo(main, { ...TEST_ENV, [k]: '/somewhere' }), null, k);
    assert.is(discoverRepo(main, { ...TEST_ENV, [k]: '' }), null, `${k}, even empty`);
  }
  const bare = join(top, 'bare.git');
  execFileSync('git', ['init', '-q', '--bare', bare], { env: TEST_ENV });
  assert.is(discoverRepo(bare, TEST_ENV), null, 'a bare repository');
  assert.is(discoverRepo(scratchDir('gb-nothing-'), TEST_ENV), null, 'outside any repository');
  assert.is(discoverRepo(join(top, 'missing'), TEST_ENV), null, 'a directory that is not there');

  // core.worktree moves the working tree; git knows where to.
  const moved = join(top, 'moved');
  mkdirSync(moved);
  execFileSync('git', ['config', 'core.worktree', moved], { cwd: main, env: TEST_ENV });
  assert.is(discoverRepo(main, TEST_ENV), null, 'core.worktree');
  execFileSync('git', ['config', '--unset', 'core.worktree'], { cwd: main, env: TEST_ENV });
  sameAsGit(main, 'core.worktree gone again');
  execFileSync('git', ['config', 'core.repositoryformatversion', '1'], { cwd: main, env: TEST_ENV });
  execFileSync('git', ['config', 'extensions.worktreeConfig', 'true'], { cwd: main, env: TEST_ENV });
  sameAsGit(main, 'an extension git knows');
  execFileSync('git', ['config', 'extensions.refStorage', 'reftable'], { cwd: main, env: TEST_ENV });
  assert.is(discoverRepo(main, TEST_ENV), null, 'an extension git 2.39 does not know: git refuses, git says so');
  const config = ['config', '--file', join(main, '.git', 'config')];
  execFileSync('git', [...config, '--unset', 'extensions.refStorage'], { env: TEST_ENV });
  execFileSync('git', [...config, 'core.repositoryformatversion', '2'], { env: TEST_ENV });
  assert.is(discoverRepo(main, TEST_ENV), null, 'a format version git does not know');
  execFileSync('git', [...config, 'core.repositoryformatversion', '0'], { env: TEST_ENV });
  execFileSync('git', ['config', 'include.path', '../extra'], { cwd: main, env: TEST_ENV });
  assert.is(discoverRepo(main, TEST_ENV), null, 'an include (which could set core.worktree)');
});

test('a .git that is not a repository is passed over, as git does; a broken .git file is git\'s to report', () => {
  const { top } = layouts();
  const inner = join(top, 'main', 'sub', 'deep');
  mkdirSync(join(inner, '.git'));
  assert.is(discoverRepo(inner, TEST_ENV), null, 'an empty .git directory: not followed');
  const other = join(top, 'main', 'sub', 'file-git');
  mkdirSync(other);
  writeFileSync(join(other, '.git'), 'gitdir: /nowhere/at/all\n');
  assert.is(discoverRepo(other, TEST_ENV), null);
  writeFileSync(join(other, '.git'), 'not a gitfile\n');
  assert.is(discoverRepo(other, TEST_ENV), null);
});

test('a nested repository whose HEAD is not valid (empty after a crash, garbage) is passed over by git: git decides', () => {
  const { top } = layouts();
  const inner = join(top, 'main', 'sub', 'inner');
  execFileSync('git', ['init', '-q', inner], { env: TEST_ENV });
  sameAsGit(inner, 'a valid nested repository');
  for (const head of ['', 'garbage\n', 'ref: heads/master\n']) {
    writeFileSync(join(inner, '.git', 'HEAD'), head);
    // git answers the outer repository here: an answer of the inner one would put the store in
    // one repository and the snapshots (git run in the same directory) in the other.
    assert.is(discoverRepo(inner, TEST_ENV), null, JSON.stringify(head));
  }
  writeFileSync(join(inner, '.git', 'HEAD'), 'ref:refs/heads/master\n');
  sameAsGit(inner, '"ref:" without a space is valid to git');
});

test('`..` after a symlink goes up from its target, as git (and the kernel) resolve it, not lexically', () => {
  const { top } = layouts();
  // <top>/real.git and <top>/deep/real.git are two repositories; <top>/lnk -> deep/er.
  for (const d of ['a', 'deep/b']) execFileSync('git', ['init', '-q', join(top, d)], { env: TEST_ENV });
  renameSync(join(top, 'a', '.git'), join(top, 'real.git'));
  renameSync(join(top, 'deep', 'b', '.git'), join(top, 'deep', 'real.git'));
  mkdirSync(join(top, 'deep', 'er'));
  symlinkSync(join(top, 'deep', 'er'), join(top, 'lnk'));
  for (const [name, how] of [['gitfile', 'file'], ['abs-gitfile', 'abs'], ['dot-git-link', 'link']] as const) {
    const wt = join(top, name);
    mkdirSync(wt);
    if (how === 'file') writeFileSync(join(wt, '.git'), 'gitdir: ../lnk/../real.git\n');
    if (how === 'abs') writeFileSync(join(wt, '.git'), `gitdir: ${top}/lnk/../real.git\n`);
    if (how === 'link') symlinkSync('../lnk/../real.git', join(wt, '.git'));
    sameAsGit(wt, name);
  }
  // A linked worktree whose commondir goes through the symlink.
  const linked = join(top, 'linked');
  const wtGitDir = gitSays(linked).gitDir!;
  execFileSync('git', ['init', '-q', join(top, 'deep', 'main')], { env: TEST_ENV });
  execFileSync('cp', ['-a', join(top, 'main', '.git', 'refs'), join(top, 'main', '.git', 'objects'), join(top, 'deep', 'main', '.git')]);
  writeFileSync(join(wtGitDir, 'commondir'), `${top}/lnk/../main/.git\n`);
  sameAsGit(linked, 'commondir through a symlink');
});

test('core.bare and core.worktree in any form git accepts: git decides', () => {
  const { top } = layouts();
  const main = join(top, 'main');
  const config = join(main, '.git', 'config');
  const base = execFileSync('cat', [config], { encoding: 'utf8' });
  mkdirSync(join(top, 'elsewhere'));
  for (const extra of [
    `[core] worktree = ${top}/elsewhere\n`, `[core]worktree=${top}/elsewhere\n`, '[core] bare = true\n',
    '[core]\n\tbare = "true"\n', '[core]\n\tbare = 2\n', '[core]\n\tbare = 0x1\n', '[core]\n\tbare = tr\\\nue\n',
  ]) {
    writeFileSync(config, base + extra);
    assert.is(discoverRepo(main, TEST_ENV), null, JSON.stringify(extra));
  }
  writeFileSync(config, base + '[remote "o"]\n\turl = https://example.com/bare/worktree.git\n');
  sameAsGit(main, 'a value that mentions bare or worktree');
  writeFileSync(config, base);
});

test('a .git symlink another user owns: git refuses it (lstat), so no answer', () => {
  if (process.geteuid?.() !== 0) return; // needs root to give a file away
  const { top } = layouts();
  const w = join(top, 'w');
  mkdirSync(w);
  execFileSync('mv', [join(top, 'main', '.git'), join(top, 'main.git')]);
  symlinkSync(join(top, 'main.git'), join(w, '.git'));
  sameAsGit(w, 'a .git symlink we own');
  lchownSync(join(w, '.git'), 65534, 65534);
  assert.is(discoverRepo(w, TEST_ENV), null);
});

test.run();
