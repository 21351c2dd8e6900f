// Staged content, modes and submodules in what a backup protects, archives and reuses: content a
// hostile review found lost or left out (staged then deleted, an archive without the staged state,
// an exec bit read as held, a reused backup without the new staged content or mode, a dirty
// submodule left out in silence). Real git, hooks in sync mode, time moved with GIT_BACKUP_NOW.
// The supersession rules are in work-loss.test.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir, TestRepo } from '../helpers/repo.js';
import { withShim } from '../helpers/hooks.js';
import { clonedRepo, DAY, show, ticksDeleteNothing, type Rec } from '../helpers/proof.js';

const DAYS = [31, 39, 130, 400];

/** Made CLEANABLE after a reset, `archive` refuses it: exit 3, README named. */
function archiveRefused(repo: TestRepo, git: (args: string[]) => string, id: string): string {
  git(['reset', '-q', '--hard']);
  assert.is(repo.cli(['transition', id, 'CLEANABLE'], { env: withShim() }).code, 0);
  const r = repo.cli(['archive', id, '--yes'], { env: withShim() });
  assert.is(r.code, 3, r.stderr);
  assert.match(r.stderr, /staged content that its working tree does not \(README\)/, r.stderr);
  return r.stderr;
}

test('staged, then deleted from the working tree: the staged content is protected', () => {
  const { repo, git } = clonedRepo();
  // README is in the base: its staged edit is the only copy of that content once the file is deleted.
  repo.write('README', 'staged work, only copy\n');
  git(['add', 'README']);
  rmSync(join(repo.dir, 'README'));
  const { id } = repo.json<Rec>(['create'], { env: withShim() });
  git(['reset', '-q', '--hard']);
  const t0 = Date.now();
  ticksDeleteNothing(repo, id, t0, DAYS);
  const later = show(repo, id, t0 + 400 * DAY);
  assert.is.not(later.state, 'DELETED');
  assert.equal(later.content_now!.unique, ['README']);
  assert.is(repo.git(['cat-file', '-p', `refs/backups/${id}^2:README`]), 'staged work, only copy');
});

test('archive refuses a backup whose staged content its working tree lacks; nothing changes', () => {
  const { repo, git } = clonedRepo();
  repo.write('README', 'staged X\n');
  git(['add', 'README']);
  repo.write('README', 'worktree Y\n');
  const { id } = repo.json<Rec>(['create'], { env: withShim() });
  const stderr = archiveRefused(repo, git, id);
  assert.match(stderr, /^git backup: cannot archive /);
  assert.is(stderr.trim().split('\n').length, 1);
  assert.is(show(repo, id).state, 'CLEANABLE');
  assert.is(repo.git(['cat-file', '-p', `refs/backups/${id}^2:README`]), 'staged X');
});

test('staged X and worktree Y both committed and integrated: archive goes ahead (the staged version is in history)', () => {
  const { repo, git } = clonedRepo();
  repo.write('README', 'staged X\n');
  git(['add', 'README']);
  repo.write('README', 'worktree Y\n');
  const { id } = repo.json<Rec>(['create'], { env: withShim() });
  git(['commit', '-q', '-m', 'X']);
  git(['commit', '-q', '-am', 'Y']);
  git(['push', '-q', 'origin', 'main']);
  assert.is(repo.cli(['transition', id, 'CLEANABLE'], { env: withShim() }).code, 0);
  const r = repo.cli(['archive', id, '--yes'], { env: withShim() });
  assert.is(r.code, 0, r.stderr);
  assert.is(show(repo, id).state, 'ARCHIVED');
});

test('archive refuses a staged exec bit its working tree lacks', () => {
  const { repo, git } = clonedRepo();
  repo.git(['update-index', '--chmod=+x', 'README']);
  const { id } = repo.json<Rec>(['create'], { env: withShim() });
  archiveRefused(repo, git, id);
});

test('an exec bit set on a committed file is work: not held by the plain file, never deleted automatically', () => {
  const { repo, git } = clonedRepo();
  repo.write('run.sh', '#!/bin/sh\necho hi\n');
  git(['add', 'run.sh']);
  git(['commit', '-q', '-m', 'add run.sh']);
  git(['push', '-q', 'origin', 'main']);
  repo.git(['update-index', '--chmod=+x', 'run.sh']);
  const { id } = repo.json<Rec>(['create'], { env: withShim() });
  git(['reset', '-q', '--hard']);
  const t0 = Date.now();
  ticksDeleteNothing(repo, id, t0, DAYS);
  assert.equal(show(repo, id, t0 + 400 * DAY).content_now!.unique, ['run.sh']);
});

test('uncommitted changes inside a submodule are said to be outside the backup, not silently left out', () => {
  const { repo, git } = clonedRepo();
  const sub = new TestRepo(scratchDir('gb-sub-'));
  sub.git(['init', '-q', '-b', 'main']);
  sub.write('s', 's1\n');
  sub.git(['add', 's']);
  sub.git(['commit', '-q', '-m', 's1']);
  git(['-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', sub.dir, 'sub']);
  git(['commit', '-q', '-m', 'add sub']);
  repo.write('README', 'work\n');
  const clean = repo.cli(['create'], { env: withShim() });
  assert.is(clean.code, 0, clean.stderr);
  assert.not.match(clean.stderr, /submodule/);
  repo.write('sub/s', 'my uncommitted work in the submodule\n');
  const r = repo.cli(['create', '-m', 'with a dirty submodule'], { env: withShim() });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stderr, /uncommitted changes inside submodule sub are not in this backup/);
  assert.is(r.stderr.trim().split('\n').length, 1);
});

test('create reuses the newest backup only when staged content and modes are the same too', () => {
  const { repo, git } = clonedRepo();
  repo.write('README', 'W\n');
  const first = repo.json<Rec & { reused?: boolean }>(['create'], { env: withShim() });
  assert.is(repo.json<Rec & { reused?: boolean }>(['create'], { env: withShim() }).id, first.id, 'nothing changed: the same backup');
  repo.git(['update-index', '--chmod=+x', 'README']);
  const chmodded = repo.json<Rec & { reused?: boolean }>(['create'], { env: withShim() });
  assert.is.not(chmodded.id, first.id, 'a staged mode change is a new backup');
  repo.write('README', 'staged S\n');
  git(['add', 'README']);
  repo.write('README', 'W\n');
  const staged = repo.json<Rec & { reused?: boolean }>(['create'], { env: withShim() });
  assert.is.not(staged.id, chmodded.id, 'new staged content is a new backup');
});

test.run();
