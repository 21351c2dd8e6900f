// Real husky 9 (this project's devDependency, copied into a scratch repository's node_modules):
// our guarded block goes first in the user's .husky/<hook> files, .husky/_ is never touched, and
// uninstall leaves the user's husky files byte-identical.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT, tempRepo, TEST_ENV, type TestRepo } from '../helpers/repo.js';
import { eventLines, install, readDb, withShim, withoutShim } from '../helpers/hooks.js';
import { parseEventLine } from '../../src/core/events.js';

const USER_HOOK = 'echo "user hook ran" >> husky-marker\n';

function huskyRepo(): TestRepo {
  const repo = tempRepo();
  repo.write('package.json', '{"name":"x","private":true,"scripts":{"prepare":"husky"}}\n');
  repo.write('.gitignore', 'node_modules\nhusky-marker\n');
  cpSync(join(PROJECT_ROOT, 'node_modules', 'husky'), join(repo.dir, 'node_modules', 'husky'), { recursive: true });
  execFileSync(process.execPath, [join(repo.dir, 'node_modules', 'husky', 'bin.js')], { cwd: repo.dir, env: TEST_ENV });
  assert.is(repo.git(['config', 'core.hooksPath']), '.husky/_');
  repo.write('.husky/post-commit', USER_HOOK);
  repo.commitAll('husky set up');
  rmSync(join(repo.dir, 'husky-marker'), { force: true }); // the set-up commit ran the user's hook already
  return repo;
}

const snapshotDir = (dir: string) => Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f), 'utf8')]));

test('husky: both hooks run on commit, .husky/_ untouched, uninstall restores the user files exactly', () => {
  const repo = huskyRepo();
  const underscore = snapshotDir(join(repo.dir, '.husky', '_'));
  const out = install(repo);
  assert.match(out, /hooks: husky/);
  const userFile = readFileSync(join(repo.dir, '.husky', 'post-commit'), 'utf8');
  assert.ok(userFile.startsWith('# >>> git-backup >>>\n'), 'our block comes first');
  assert.ok(userFile.includes('__gb_hook "$@" || true'), 'guarded for sh -e');
  assert.ok(userFile.endsWith(USER_HOOK));
  assert.equal(snapshotDir(join(repo.dir, '.husky', '_')), underscore, '.husky/_ untouched');

  repo.write('a.txt', 'a');
  repo.git(['add', 'a.txt']);
  const r = spawnSync('git', ['commit', '-q', '-m', 'a'], { cwd: repo.dir, env: withShim(), encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  assert.is(repo.read('husky-marker'), 'user hook ran\n');
  const events = eventLines(repo).map((l) => parseEventLine(l));
  assert.is(events.length, 1);
  assert.ok(events[0]!.ok && events[0]!.event.hook === 'post-commit');
  assert.is(readDb(repo).events_applied, 1);
  const status = repo.json<{ hooks: { mode: string; installed: string[] } }>(['status']);
  assert.is(status.hooks.mode, 'husky');
  assert.is(status.hooks.installed.length, 5);

  // Without git-backup on PATH, husky's sh -e still gets through our block and runs the user's code.
  const r2 = spawnSync('git', ['commit', '-q', '--allow-empty', '-m', 'b'], { cwd: repo.dir, env: withoutShim(), encoding: 'utf8' });
  assert.is(r2.status, 0, r2.stderr);
  assert.ok(r2.stderr.split('\n').filter(Boolean).length <= 1, r2.stderr);
  assert.is(repo.read('husky-marker'), 'user hook ran\nuser hook ran\n');

  const un = repo.cli(['uninstall']);
  assert.is(un.code, 0, un.stderr);
  assert.is(readFileSync(join(repo.dir, '.husky', 'post-commit'), 'utf8'), USER_HOOK);
  for (const h of ['post-merge', 'post-rewrite', 'pre-push', 'pre-rebase']) assert.not.ok(existsSync(join(repo.dir, '.husky', h)), h);
  assert.equal(snapshotDir(join(repo.dir, '.husky', '_')), underscore);
  assert.is(repo.git(['status', '--porcelain']), '', 'the husky files are as committed');
});

test('husky present but not active in this clone: hooks go to .husky and install says so', () => {
  const repo = huskyRepo();
  repo.git(['config', '--unset', 'core.hooksPath']);
  const out = install(repo);
  assert.match(out, /husky is not active in this clone/);
  assert.ok(readFileSync(join(repo.dir, '.husky', 'post-commit'), 'utf8').startsWith('# >>> git-backup >>>\n'));
});

test.run();
