// install/uninstall against real git: existing hooks kept and still run, byte-identical uninstall,
// idempotence, core.hooksPath, linked worktrees, stdin kept for the user's code, no git-backup on PATH.
import { test } from '../helpers/shard.js';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync, existsSync, statSync, chmodSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { tempRepo, scratchDir, TestRepo } from '../helpers/repo.js';
import { install, installedRepo, withShim, withoutShim, readDb, eventLines, detachedEnv, settle } from '../helpers/hooks.js';
import { parseEventLine } from '../../src/core/events.js';

const CUSTOM = '#!/bin/sh\n# my own hook\necho "$(git rev-parse HEAD)" >> "$(git rev-parse --git-dir)/../custom-marker"\n';

function repoWithCustomHook(): { repo: TestRepo; hook: string } {
  const repo = tempRepo();
  const hook = join(repo.dir, '.git', 'hooks', 'post-commit');
  writeFileSync(hook, CUSTOM);
  chmodSync(hook, 0o755);
  return { repo, hook };
}

test('an existing post-commit hook keeps running next to ours; uninstall restores it byte for byte', () => {
  const { repo, hook } = repoWithCustomHook();
  const out = install(repo);
  assert.match(out, /post-commit\s+added our block to your hook/);
  const installed = readFileSync(hook, 'utf8');
  assert.ok(installed.startsWith('#!/bin/sh\n# >>> git-backup >>>\n'));
  assert.ok(installed.endsWith(CUSTOM.slice('#!/bin/sh\n'.length)));
  assert.is(statSync(hook).mode & 0o777, 0o755);

  repo.write('a.txt', 'a\n');
  repo.git(['add', 'a.txt']);
  repo.git(['commit', '-q', '-m', 'a'], { env: withShim() });
  const head = repo.git(['rev-parse', 'HEAD']);
  assert.is(repo.read('custom-marker').trim(), head, 'the user hook ran');
  const events = eventLines(repo).map((l) => parseEventLine(l));
  assert.is(events.length, 1);
  assert.ok(events[0]!.ok && events[0]!.event.hook === 'post-commit' && events[0]!.event.head === head && events[0]!.event.branch === 'main');
  const db = readDb(repo);
  assert.is(db.events_applied, 1, 'sync mode drained it');

  const un = repo.cli(['uninstall'], { env: withShim() });
  assert.is(un.code, 0, un.stderr);
  assert.is(readFileSync(hook, 'utf8'), CUSTOM);
  assert.is(statSync(hook).mode & 0o777, 0o755);
  for (const h of ['post-merge', 'post-rewrite', 'pre-push', 'pre-rebase']) assert.not.ok(existsSync(join(repo.dir, '.git', 'hooks', h)), `${h} we created is gone`);
});

test('install twice is idempotent; --force only replaces our own (outdated) block', () => {
  const { repo, hook } = repoWithCustomHook();
  install(repo);
  const first = readFileSync(hook, 'utf8');
  assert.match(install(repo), /post-commit\s+already installed/);
  assert.is(readFileSync(hook, 'utf8'), first);
  assert.is(repo.git(['config', '--get-all', 'notes.rewriteRef']), 'refs/notes/backups');
  assert.is(repo.git(['config', 'notes.backups.mergeStrategy']), 'cat_sort_uniq');

  writeFileSync(hook, first.replace('hook block v1', 'hook block v0'));
  assert.match(install(repo), /older block left in place/);
  assert.match(readFileSync(hook, 'utf8'), /hook block v0/);
  assert.match(install(repo, ['--force']), /post-commit\s+updated our block/);
  assert.is(readFileSync(hook, 'utf8'), first);
});

test('notes.rewriteRef is added to, never clobbered', () => {
  const repo = tempRepo();
  repo.git(['config', '--add', 'notes.rewriteRef', 'refs/notes/commits']);
  install(repo);
  assert.is(repo.git(['config', '--get-all', 'notes.rewriteRef']), 'refs/notes/commits\nrefs/notes/backups');
  // amend with the ref present prints nothing about notes
  repo.write('b', 'b');
  repo.git(['add', 'b']);
  const r = spawnSync('git', ['commit', '-q', '--amend', '-m', 'x'], { cwd: repo.dir, env: withShim(), encoding: 'utf8' });
  assert.is(r.status, 0);
  // (git still warns about the user's own refs/notes/commits, which does not exist: not ours to fix)
  assert.not.match(r.stderr, /backups/);
});

test('a python hook is left alone and reported', () => {
  const repo = tempRepo();
  const hook = join(repo.dir, '.git', 'hooks', 'pre-push');
  writeFileSync(hook, '#!/usr/bin/env python3\nprint("hi")\n', { mode: 0o755 });
  assert.match(install(repo), /pre-push\s+skipped: .*not a shell script/);
  assert.is(readFileSync(hook, 'utf8'), '#!/usr/bin/env python3\nprint("hi")\n');
});

test('core.hooksPath is honoured', () => {
  const repo = tempRepo();
  repo.git(['config', 'core.hooksPath', 'my-hooks']);
  install(repo);
  assert.ok(existsSync(join(repo.dir, 'my-hooks', 'post-commit')));
  assert.not.ok(existsSync(join(repo.dir, '.git', 'hooks', 'post-commit')));
  repo.git(['commit', '-q', '--allow-empty', '-m', 'x'], { env: withShim() });
  assert.is(readDb(repo).events_applied, 1);
  const status = repo.json<{ hooks: { mode: string; location: string; installed: string[] } }>(['status']);
  assert.is(status.hooks.location, join(repo.dir, 'my-hooks'));
  assert.is(status.hooks.installed.length, 5);
  repo.cli(['uninstall']);
  assert.not.ok(existsSync(join(repo.dir, 'my-hooks', 'post-commit')));
});

test('a linked worktree shares the hooks and the store', () => {
  const repo = tempRepo();
  const wtDir = join(scratchDir('gb-wt-'), 'wt');
  repo.git(['worktree', 'add', '-q', '-b', 'side', wtDir]);
  const wt = new TestRepo(wtDir);
  install(wt);
  assert.ok(existsSync(join(repo.dir, '.git', 'hooks', 'post-commit')), 'installed into the common hooks dir');
  wt.write('w.txt', 'w');
  wt.git(['add', 'w.txt']);
  wt.git(['commit', '-q', '-m', 'in worktree'], { env: withShim() });
  repo.git(['commit', '-q', '--allow-empty', '-m', 'in main'], { env: withShim() });
  const events = eventLines(repo).map((l) => parseEventLine(l)).map((p) => (p.ok ? p.event.branch : null));
  assert.equal(events, ['side', 'main']);
  assert.is(readDb(repo).events_applied, 2);
});

test('pre-push and post-rewrite leave stdin intact for the user hook code after our block', () => {
  const repo = tempRepo();
  const bare = scratchDir('gb-bare-');
  spawnSync('git', ['init', '-q', '--bare', bare]);
  repo.git(['remote', 'add', 'origin', bare]);
  for (const h of ['pre-push', 'post-rewrite']) {
    writeFileSync(join(repo.dir, '.git', 'hooks', h), `#!/bin/sh\ncat > "$(git rev-parse --git-dir)/../${h}.stdin"\necho "$@" > "$(git rev-parse --git-dir)/../${h}.args"\n`, { mode: 0o755 });
  }
  install(repo);
  repo.write('c.txt', 'c');
  repo.git(['add', 'c.txt']);
  repo.git(['commit', '-q', '-m', 'c'], { env: withShim() });
  const before = repo.git(['rev-parse', 'HEAD']);
  repo.git(['commit', '-q', '--amend', '-m', 'c2'], { env: withShim() });
  const after = repo.git(['rev-parse', 'HEAD']);
  assert.is(repo.read('post-rewrite.stdin'), `${before} ${after}\n`);
  assert.is(repo.read('post-rewrite.args').trim(), 'amend');
  repo.git(['push', '-q', 'origin', 'main'], { env: withShim() });
  assert.is(repo.read('pre-push.stdin'), `refs/heads/main ${after} refs/heads/main ${'0'.repeat(40)}\n`);
  assert.is(repo.read('pre-push.args').trim(), `origin ${bare}`);
  const events = eventLines(repo).map((l) => parseEventLine(l));
  const push = events.find((e) => e.ok && e.event.hook === 'pre-push');
  assert.ok(push && push.ok && push.event.data.kind === 'inline' && push.event.data.text === `refs/heads/main ${after} refs/heads/main ${'0'.repeat(40)}`);
  assert.equal(push && push.ok && push.event.args, ['origin', bare]);
  // Pushing nothing new: empty stdin stays empty.
  repo.git(['push', '-q', 'origin', 'main'], { env: withShim() });
  assert.is(repo.read('pre-push.stdin'), '');
  assert.is(readDb(repo).events_applied, eventLines(repo).length);
});

test('a rewrite bigger than one atomic line goes through a side file, and stdin is still intact', async () => {
  const repo = tempRepo();
  writeFileSync(join(repo.dir, '.git', 'hooks', 'post-rewrite'), '#!/bin/sh\ncat > "$(git rev-parse --git-dir)/../rw.stdin"\n', { mode: 0o755 });
  install(repo);
  repo.git(['checkout', '-q', '-b', 'topic']);
  for (let i = 0; i < 60; i++) repo.git(['commit', '-q', '--allow-empty', '-m', `c${i}`]); // hooks not on PATH: events wait
  repo.git(['checkout', '-q', 'main']);
  repo.git(['commit', '-q', '--allow-empty', '-m', 'main moves']);
  repo.git(['checkout', '-q', 'topic']);
  // The default, detached mode: the replayed commits' post-commit events and the post-rewrite
  // event start one or two real drains (issue 9), not one per commit as sync mode would.
  repo.git(['rebase', '-q', 'main'], { env: detachedEnv() });
  await settle(repo, 60_000); // 120 events for drains at nice 10: generous when the machine is busy
  const stdin = repo.read('rw.stdin');
  assert.is(stdin.split('\n').filter(Boolean).length, 60);
  const rw = eventLines(repo).map((l) => parseEventLine(l)).find((e) => e.ok && e.event.hook === 'post-rewrite');
  assert.ok(rw && rw.ok && rw.event.data.kind === 'file');
  for (const l of eventLines(repo)) assert.ok(Buffer.byteLength(l) < 4096);
  assert.is(readDb(repo).events_applied, eventLines(repo).length);
  // the side file was removed once applied
  assert.not.ok(existsSync(join(repo.dir, '.git', 'backup', rw && rw.ok && rw.event.data.kind === 'file' ? rw.event.data.name : 'x')));
});

test('without git-backup on PATH, git commit succeeds, prints at most one line, and the event waits', () => {
  const repo = installedRepo();
  repo.write('d.txt', 'd');
  repo.git(['add', 'd.txt']);
  const r = spawnSync('git', ['commit', '-q', '-m', 'd'], { cwd: repo.dir, env: withoutShim(), encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, '');
  assert.ok(r.stderr.split('\n').filter(Boolean).length <= 1, r.stderr);
  assert.is(eventLines(repo).length, 1);
  assert.is(readDb(repo).events_applied ?? 0, 0);
  const waiting = repo.json<{ events_waiting: { lines: number } }>(['status']);
  assert.is(waiting.events_waiting.lines, 1);
  // The next drain applies it.
  repo.git(['commit', '-q', '--allow-empty', '-m', 'e'], { env: withShim() });
  assert.is(readDb(repo).events_applied, 2);
});

test('the detached drain starts when the code before our block empties IFS (as zsh, which never splits a variable into words)', async () => {
  const repo = installedRepo();
  const hook = join(repo.dir, '.git', 'hooks', 'post-commit');
  writeFileSync(hook, readFileSync(hook, 'utf8').replace('#!/bin/sh\n', '#!/bin/sh\nIFS=\n'));
  repo.write('z.txt', 'z');
  repo.git(['add', 'z.txt']);
  const r = spawnSync('git', ['commit', '-q', '-m', 'z'], { cwd: repo.dir, env: detachedEnv(), encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  await settle(repo);
  assert.is(readDb(repo).events_applied, 1, 'a drain applied the event');
  assert.not.match(existsSync(join(repo.dir, '.git', 'backup', 'backup.log')) ? readFileSync(join(repo.dir, '.git', 'backup', 'backup.log'), 'utf8') : '', /not found/);
});

test('hook block works under dash, bash and sh -eu, with odd arguments', () => {
  const repo = installedRepo();
  const block = readFileSync(join(repo.dir, '.git', 'hooks', 'pre-rebase'), 'utf8');
  const odd = ['tab\there', 'back\\slash', 'new\nline', "quote'\"", '', ' spaced '];
  for (const shell of [['dash'], ['bash'], ['bash', '--posix'], ['dash', '-eu']]) {
    const script = join(repo.dir, '.git', 'odd-hook');
    writeFileSync(script, block);
    const r = spawnSync(shell[0]!, [...shell.slice(1), script, ...odd], { cwd: repo.dir, env: withoutShim(), encoding: 'utf8' });
    assert.is(r.status, 0, `${shell.join(' ')}: ${r.stderr}`);
    const last = eventLines(repo).at(-1)!;
    const p = parseEventLine(last);
    assert.ok(p.ok, last);
    if (p.ok) assert.equal(p.event.args, odd, shell.join(' '));
  }
});

test.run();
