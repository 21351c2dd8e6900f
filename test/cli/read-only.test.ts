// A read-only store (a read-only mount, as a hostile test made one): the commands that only read
// work, and one that writes says in one line that it cannot, instead of "unexpected error". The
// tests run as root, which file modes do not stop: the store is bind-mounted read-only inside a
// private mount namespace (unshare -m), which disappears with the command.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CLI, TEST_ENV, tempRepo } from '../helpers/repo.js';

test('read-only store: list, show, verify and status work; create says it cannot write, in one line; nothing changes', () => {
  const repo = tempRepo();
  repo.write('README.md', 'work\n');
  const { id } = repo.json<{ id: string }>(['create', '-m', 'w']);
  const store = join(repo.dir, '.git', 'backup');
  const readOnly = (cmd: string) =>
    spawnSync('unshare', ['-m', 'sh', '-c', `mount --bind "${store}" "${store}" && mount -o remount,ro,bind "${store}" && ${cmd}`], { cwd: repo.dir, env: TEST_ENV, encoding: 'utf8' });
  const probe = readOnly(`touch "${store}/probe" 2>/dev/null; test $? -ne 0`);
  if (probe.status !== 0) {
    console.log(`SKIPPED: no private mount namespace here (${probe.stderr.trim().split('\n')[0]})`);
    return;
  }
  const cli = (args: string) => readOnly(`"${process.execPath}" "${CLI}" ${args}`);
  for (const args of ['list --json', `show ${id} --json`, `verify ${id}`, 'status --json']) {
    const r = cli(args);
    assert.is(r.status, 0, `${args}: ${r.stderr}`);
  }
  assert.match(cli('list').stdout, new RegExp(id));
  const before = repo.json<unknown[]>(['list']).length;
  repo.write('README.md', 'more work\n');
  const r = cli('create -m more');
  assert.is(r.status, 1, r.stderr);
  assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /^git backup: cannot write .*: the file system is read-only; make it writable and retry/);
  assert.is(repo.json<unknown[]>(['list']).length, before);
});

test.run();
