// A linked worktree removed (`git worktree remove`) right after a commit in it (one worktree per
// task, as agents and scripts do): the drain the commit's hook started found its worktree gone and
// left, and the event waited for the next git event in another worktree, the backup CREATED
// meanwhile (hostile campaign 47). The drain now hands over to one drain in the main worktree.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { CLI } from '../helpers/repo.js';
import { detachedEnv, eventLines, installedRepo, readDb, sleep, withoutShim } from '../helpers/hooks.js';

test('the drain of a commit whose linked worktree is already removed drains in the main worktree', async () => {
  const repo = installedRepo();
  const wt = `${repo.dir}-wt`;
  repo.git(['worktree', 'add', '-q', '-b', 'task', wt]);
  const inWt = (args: string[], env: NodeJS.ProcessEnv) => {
    const r = spawnSync('git', args, { cwd: wt, env, encoding: 'utf8' });
    assert.is(r.status, 0, r.stderr);
    return r.stdout;
  };
  spawnSync('sh', ['-c', 'echo task work > task.txt'], { cwd: wt });
  inWt(['add', 'task.txt'], withoutShim());
  const created = spawnSync(process.execPath, [CLI, 'create', '-m', 'task', '--json'], { cwd: wt, env: withoutShim(), encoding: 'utf8' });
  assert.is(created.status, 0, created.stderr);
  const id = (JSON.parse(created.stdout) as { id: string }).id;
  // The hook records the commit; without git-backup on PATH it starts no drain (the test starts
  // it below, as it would have run: after the removal).
  inWt(['commit', '-q', '-m', 'task done'], withoutShim({ GIT_BACKUP_HOOK_MODE: '' }));
  assert.is(eventLines(repo).length, 1);
  const adminDir = inWt(['rev-parse', '--absolute-git-dir'], withoutShim()).trim();
  repo.git(['worktree', 'remove', '--force', wt]);
  // What the hook started, with what git gave it (GIT_DIR: the worktree's git dir, gone now too).
  const drain = spawnSync(process.execPath, [CLI, 'hook', 'drain', '--detached', '--repo', wt], { cwd: repo.dir, env: detachedEnv({ GIT_DIR: adminDir }), encoding: 'utf8' });
  assert.is(drain.status, 0, drain.stderr);
  let state = '';
  for (let i = 0; i < 150 && state !== 'PENDING'; i++) {
    await sleep(100);
    state = readDb(repo).backups.find((b) => b.id === id)?.state ?? '';
  }
  assert.is(state, 'PENDING', 'the event waited for another git event');
  assert.is(readDb(repo).events_applied, 1);
});

test.run();
