// A repository whose git directory is not in its worktree and no `.git` file points at it: the
// "bare repository for dotfiles" set-up (`git --git-dir=~/.cfg --work-tree=~ commit`), or
// GIT_DIR + GIT_WORK_TREE exported. git runs the hooks in the worktree with GIT_DIR set; the drain
// dropped GIT_DIR and looked for a repository from the worktree, found none, and failed at every
// event ("not inside a git working tree" in backup.log): the backups never left CREATED
// (hostile campaign 47).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, scratchDir } from '../helpers/repo.js';
import { withShim } from '../helpers/hooks.js';

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout.trim();
}

test('--git-dir/--work-tree: a commit drains and the backup whose work it holds leaves CREATED', () => {
  const root = scratchDir('gb-sepdir-');
  const gitDir = join(root, 'dotfiles.git');
  const home = join(root, 'home');
  mkdirSync(home);
  const env = withShim();
  run('git', ['init', '-q', '--bare', gitDir], root, env);
  const g = (args: string[], cwd = home) => run('git', [`--git-dir=${gitDir}`, `--work-tree=${home}`, ...args], cwd, env);
  g(['config', 'core.bare', 'false']);
  writeFileSync(join(home, 'rc'), 'one\n');
  g(['add', 'rc']);
  g(['commit', '-q', '-m', 'first']);
  const install = spawnSync(process.execPath, [CLI, 'install'], { cwd: home, env: { ...env, GIT_DIR: gitDir, GIT_WORK_TREE: home }, encoding: 'utf8' });
  assert.is(install.status, 0, install.stderr);
  writeFileSync(join(home, 'rc'), 'one\ntwo\n');
  const created = spawnSync(process.execPath, [CLI, 'create', '-m', 'rc edit', '--json'], { cwd: home, env: { ...env, GIT_DIR: gitDir, GIT_WORK_TREE: home }, encoding: 'utf8' });
  assert.is(created.status, 0, created.stderr);
  const id = (JSON.parse(created.stdout) as { id: string }).id;
  g(['commit', '-q', '-a', '-m', 'two'], root); // from outside the worktree, as a dotfiles alias does
  const log = join(gitDir, 'backup', 'backup.log');
  assert.not.ok(existsSync(log) && /not inside a git working tree/.test(readFileSync(log, 'utf8')), existsSync(log) ? readFileSync(log, 'utf8') : '');
  const list = JSON.parse(g(['backup', 'list', '--json'])) as { id: string; state: string }[];
  assert.is(list.find((b) => b.id === id)?.state, 'CONFIRMED', JSON.stringify(list));
  const db = JSON.parse(readFileSync(join(gitDir, 'backup', 'db.json'), 'utf8')) as { events_applied?: number };
  assert.is(db.events_applied, 1);
});

test.run();
