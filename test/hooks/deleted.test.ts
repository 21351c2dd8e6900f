// Issue 9: a repository deleted right after a commit stays deleted. The detached drain never creates
// the store or a parent directory, looks before every write, and leaves quietly when the repository
// is gone; `rm -rf` never fails because a drain wrote into the directory it was emptying.
import { test } from '../helpers/shard.js';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, scratchDir, tempRepo } from '../helpers/repo.js';
import { detachedEnv, drainsRunning, install, sleep } from '../helpers/hooks.js';

const ROUNDS = 50;

test(`${ROUNDS} rounds of "init with hooks, 3 commits, rm -rf": no rm fails, no repository comes back, clone into each path works`, async () => {
  // The hooks exactly as `git backup install` writes them, handed to `git init` as a template (an
  // install per round would spend the time limit starting node 50 times).
  const model = tempRepo();
  install(model);
  const template = scratchDir('gb-template-');
  cpSync(join(model.dir, '.git', 'hooks'), join(template, 'hooks'), { recursive: true });
  const root = scratchDir('gb-deleted-');
  const script = `
fails=0
i=0
while [ $i -lt ${ROUNDS} ]; do
  i=$((i + 1))
  d="$ROOT/r$i"
  git init -q --template="$TEMPLATE" "$d" || exit 1
  mkdir -m 700 "$d/.git/backup"
  cd "$d" || exit 1
  git commit -q --allow-empty -m c1 && git commit -q --allow-empty -m c2 && git commit -q --allow-empty -m c3 || exit 1
  cd "$ROOT" || exit 1
  rm -rf "$d" 2>>"$ROOT/rm.err" || fails=$((fails + 1))
done
echo "$fails"
`;
  const r = spawnSync('sh', ['-c', script], { cwd: root, env: detachedEnv({ ROOT: root, TEMPLATE: template }), encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout.trim(), '0', `rm -rf failed: ${existsSync(join(root, 'rm.err')) ? spawnSync('cat', [join(root, 'rm.err')], { encoding: 'utf8' }).stdout : ''}`);
  // Wait for every drain the hooks started before counting what is left.
  const deadline = Date.now() + 15_000;
  while (drainsRunning(root).length > 0 && Date.now() < deadline) await sleep(50);
  assert.equal(drainsRunning(root), [], 'every drain has ended');
  const back: string[] = [];
  for (let i = 1; i <= ROUNDS; i++) if (existsSync(join(root, `r${i}`))) back.push(`r${i}`);
  assert.equal(back, [], 'no deleted repository reappears');
  for (let i = 1; i <= ROUNDS; i++) {
    const c = spawnSync('git', ['clone', '-q', model.dir, join(root, `r${i}`)], { env: detachedEnv(), encoding: 'utf8' });
    assert.is(c.status, 0, `git clone into r${i}: ${c.stderr}`);
  }
});

test('a drain started for a repository that is gone exits 0, silently, and creates nothing', () => {
  const root = scratchDir('gb-gone-');
  const repoDir = join(root, 'repo');
  mkdirSync(repoDir);
  spawnSync('git', ['init', '-q', repoDir]);
  // The store was never made (or was deleted with .git/backup alone): the drain must not make it.
  const r = spawnSync(process.execPath, [CLI, 'hook', 'drain', '--detached', '--repo', repoDir], {
    cwd: repoDir,
    env: detachedEnv(),
    encoding: 'utf8',
  });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stderr, '');
  assert.not.ok(existsSync(join(repoDir, '.git', 'backup')), 'no store created');
  // The worktree without its .git inside another repository: git would find the outer one; the
  // drain sees that it is not the repository it was started for.
  spawnSync('git', ['init', '-q', root]);
  mkdirSync(join(root, '.git', 'backup'), { mode: 0o700 });
  // An event waits there: draining the outer repository would write its db.json.
  writeFileSync(join(root, '.git', 'backup', 'events.log'), `gb1\t\tpost-commit\t${'a'.repeat(40)}\tmain\t-\n`);
  spawnSync('rm', ['-rf', join(repoDir, '.git')]);
  const r2 = spawnSync(process.execPath, [CLI, 'hook', 'drain', '--detached', '--repo', repoDir], {
    cwd: repoDir,
    env: detachedEnv(),
    encoding: 'utf8',
  });
  assert.is(r2.status, 0, r2.stderr);
  assert.not.ok(existsSync(join(root, '.git', 'backup', 'db.json')), 'the outer repository is not drained');
  assert.not.ok(existsSync(join(repoDir, '.git')), 'nothing recreated');
});

test.run();
