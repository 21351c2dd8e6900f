// Issue 7, item 5: a push confirms by itself. pre-push runs before anything is sent; the drain it
// starts waits for the remote-tracking ref the push updates, then reconciles. Proven against a real
// slow remote (its pre-receive sleeps 3 s), in the default detached mode and in sync mode, with no
// git command after `git push` returns: the test only reads db.json.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir, tempRepo, type TestRepo } from '../helpers/repo.js';
import { detachedEnv, install, readDb, settle, sleep, withShim } from '../helpers/hooks.js';

function slowRemote(repo: TestRepo): void {
  const bare = scratchDir('gb-slow-remote-');
  spawnSync('git', ['init', '-q', '--bare', '-b', 'main', bare]);
  repo.git(['remote', 'add', 'origin', bare]);
  repo.git(['push', '-q', 'origin', 'main']);
  repo.git(['remote', 'set-head', 'origin', 'main']);
  writeFileSync(join(bare, 'hooks', 'pre-receive'), '#!/bin/sh\nsleep 3\n', { mode: 0o755 });
}

async function stateWithin(repo: TestRepo, id: string, want: string, ms: number): Promise<string> {
  const deadline = Date.now() + ms;
  let state = '';
  while (Date.now() < deadline) {
    state = readDb(repo).backups.find((b) => b.id === id)?.state ?? '';
    if (state === want) return state;
    await sleep(100);
  }
  return state;
}

for (const mode of ['detached', 'sync'] as const) {
  test(`${mode} mode: after git push to a slow remote returns, the backup becomes CONFIRMED with no further git command`, async () => {
    const repo = tempRepo();
    slowRemote(repo);
    install(repo);
    const env = mode === 'sync' ? withShim({ GIT_BACKUP_HOOK_MODE: 'sync' }) : detachedEnv();
    repo.write('work.txt', 'work\n');
    const { id } = repo.json<{ id: string }>(['create', '--allow-empty', '-m', 'before'], { env });
    repo.git(['add', 'work.txt'], { env });
    repo.git(['commit', '-q', '-m', 'work'], { env });
    if (mode === 'detached') await settle(repo);
    assert.is(readDb(repo).backups.find((b) => b.id === id)?.state, 'PENDING', 'committed, not pushed yet');
    const push = spawnSync('git', ['push', '-q', 'origin', 'main'], { cwd: repo.dir, env, encoding: 'utf8' });
    assert.is(push.status, 0, push.stderr);
    // From here on: no git command, only reading the store.
    assert.is(await stateWithin(repo, id, 'CONFIRMED', 15_000), 'CONFIRMED');
  });
}

test.run();
