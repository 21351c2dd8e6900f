// The hooks around a rebase, against real git: the opt-in automatic backup before it (pre-rebase,
// wherever git reads the setting), and the guard that skips a replayed commit's post-commit only
// when post-rewrite will follow (docs/hooks.md). Split from install.test.ts.
import { test } from '../helpers/shard.js';
import * as assert from 'uvu/assert';
import { existsSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { scratchDir, TestRepo } from '../helpers/repo.js';
import { installedRepo, withShim, readDb, detachedEnv, settle } from '../helpers/hooks.js';

/** An installed repository on `topic` (one commit), with `main` one commit ahead of their fork. */
function topicBehindMain(): TestRepo {
  const repo = installedRepo();
  repo.git(['checkout', '-q', '-b', 'topic']);
  repo.git(['commit', '-q', '--allow-empty', '-m', 't']);
  repo.git(['checkout', '-q', 'main']);
  repo.git(['commit', '-q', '--allow-empty', '-m', 'm']);
  repo.git(['checkout', '-q', 'topic']);
  return repo;
}

test('a rebase of committed backups: the pending commits it moves reach the notes in the same write, so recover finds nothing to repair (review)', () => {
  const repo = installedRepo();
  repo.git(['checkout', '-q', '-b', 'topic']);
  for (const i of [1, 2]) {
    repo.write(`f${i}.txt`, `work ${i}\n`);
    assert.is(repo.cli(['create', '-m', `b${i}`]).code, 0);
    repo.git(['add', `f${i}.txt`]);
    repo.git(['commit', '-q', '-m', `c${i}`], { env: withShim() });
  }
  repo.git(['checkout', '-q', 'main']);
  repo.git(['commit', '-q', '--allow-empty', '-m', 'm'], { env: withShim() });
  repo.git(['checkout', '-q', 'topic']);
  repo.git(['rebase', '-q', 'main'], { env: withShim() });
  const onTopic = new Set(repo.git(['rev-list', 'main..topic']).split('\n'));
  const list = repo.json<{ state: string; pending_commit: string }[]>(['list']);
  assert.equal(list.map((b) => b.state), ['PENDING', 'PENDING']);
  for (const b of list) assert.ok(onTopic.has(b.pending_commit), 'follows the rewritten commit');
  const r = repo.cli(['recover']);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.not.match(r.stdout, /repaired/);
});

test('pre-rebase: an automatic backup when backup.hooks.preRebase=true, none otherwise', () => {
  const repo = topicBehindMain();
  repo.write('untracked.txt', 'keep me');
  repo.git(['rebase', '-q', 'main'], { env: withShim() });
  assert.is(readDb(repo).backups.length, 0);
  repo.git(['config', 'backup.hooks.preRebase', 'true']);
  repo.git(['rebase', '-q', '--force-rebase', 'main'], { env: withShim() });
  const list = repo.json<{ labels: string[]; history: { trigger: string }[] }[]>(['list']);
  assert.is(list.length, 1);
  assert.equal(list[0]!.labels, ['auto:pre-rebase']);
  assert.is(list[0]!.history[0]!.trigger, 'GIT_HOOK');
});

test('pre-rebase: the opt-in is honoured wherever git reads it (global file, include), and off when false', () => {
  const repo = topicBehindMain();
  const home = scratchDir('home');
  const extra = join(scratchDir('cfg'), 'extra.cfg');
  writeFileSync(extra, '[backup "hooks"]\n\tPreRebase = yes\n');
  let n = 0;
  const rebase = (args: string[], env: NodeJS.ProcessEnv = {}) => {
    repo.write('untracked.txt', `keep me ${++n}`);
    repo.git([...args, 'rebase', '-q', '--force-rebase', 'main'], { env: withShim(env) });
    return repo.json<unknown[]>(['list']).length;
  };
  writeFileSync(join(home, '.gitconfig'), '[user]\n\tname = T\n\temail = t@example.com\n[backup "hooks"]\n\tprerebase = true\n');
  assert.is(rebase([], { HOME: home, XDG_CONFIG_HOME: join(home, '.config') }), 1, 'set in the global file');
  repo.git(['config', 'include.path', extra]);
  assert.is(rebase([]), 2, 'set in an included file');
  repo.git(['config', '--unset', 'include.path']);
  repo.git(['config', 'backup.hooks.preRebase', 'false']);
  assert.is(rebase([]), 2, 'named but false');
  repo.git(['config', '--unset', 'backup.hooks.preRebase']);
  assert.is(rebase([]), 2, 'named nowhere');
});

test('a rebase that rewrites nothing but gains a commit (exec, or one made at a break) still moves the backup to PENDING', async () => {
  // Such a rebase ends without post-rewrite (git runs it only when a commit was rewritten), so the
  // post-commit of the new commit is the only event there is: the guard must not skip it.
  for (const how of ['exec', 'break'] as const) {
    const repo = installedRepo();
    const git = (args: string[], env: NodeJS.ProcessEnv = {}) => repo.git(args, { env: detachedEnv(env) });
    git(['checkout', '-q', '-b', 'topic']);
    git(['commit', '-q', '--allow-empty', '-m', 't']);
    await settle(repo);
    repo.write('work.txt', 'my work\n'); // untracked: the rebase keeps it
    const { id } = repo.json<{ id: string }>(['create', '-m', 'work'], { env: detachedEnv() });
    const commit = 'git add work.txt && git commit -q -m work';
    if (how === 'exec') {
      git(['rebase', '-q', '-i', '--exec', commit, 'HEAD~1'], { GIT_SEQUENCE_EDITOR: ':' });
    } else {
      git(['rebase', '-q', '-i', 'HEAD~1'], { GIT_SEQUENCE_EDITOR: 'printf "break\\n" >>' });
      assert.ok(existsSync(join(repo.dir, '.git', 'rebase-merge')), 'stopped at the break');
      spawnSync('sh', ['-c', commit], { cwd: repo.dir, env: detachedEnv() });
      git(['rebase', '--continue'], { GIT_EDITOR: 'true' });
    }
    const head = git(['rev-parse', 'HEAD']);
    assert.is(git(['rev-parse', 'topic']), head, `${how}: the rebase finished on topic`);
    await settle(repo);
    const b = readDb(repo).backups.find((x) => x.id === id)!;
    assert.is(b.state, 'PENDING', `${how}: the work committed during the rebase`);
    assert.is(b.pending_commit, head, how);
  }
});

test.run();
