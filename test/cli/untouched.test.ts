// Acceptance: nothing of the user's changes when we create, list, show or diff.
import { test } from '../helpers/shard.js';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempRepo, type TestRepo } from '../helpers/repo.js';

function userState(repo: TestRepo) {
  const refs = repo
    .git(['for-each-ref', '--format=%(refname) %(objectname)'])
    .split('\n')
    .filter((l) => !l.startsWith('refs/backups/') && !l.startsWith('refs/notes/backups'));
  return {
    index: createHash('sha256').update(readFileSync(join(repo.dir, '.git', 'index'))).digest('hex'),
    status: repo.git(['status', '--porcelain=v2', '--branch', '--untracked-files=all']),
    stash: repo.git(['stash', 'list']),
    head: repo.git(['rev-parse', 'HEAD']),
    symbolic: repo.git(['symbolic-ref', 'HEAD']),
    refs,
    reflog: repo.git(['reflog', '--format=%H %gs']),
  };
}

test('create, list, show and diff leave index, status, stash, HEAD and refs identical', () => {
  const repo = tempRepo();
  repo.write('a.txt', 'one\n');
  repo.write('b.txt', 'two\n');
  repo.commitAll('base');
  repo.git(['stash', 'list']);
  repo.write('a.txt', 'one staged\n');
  repo.git(['add', 'a.txt']);
  repo.write('a.txt', 'one staged then edited\n');
  repo.write('b.txt', 'two edited\n');
  repo.write('new.txt', 'untracked\n');
  // Make the stat info in the index stale for one file, so a careless `git status` would rewrite it.
  repo.write('b.txt', 'two edited\n');
  repo.write('stash-me.txt', 'x');
  repo.git(['stash', 'push', '-u', '-m', 'pre-existing stash', '--', 'stash-me.txt']);

  const before = userState(repo);
  const created = repo.json<{ id: string }>(['create', '--allow-empty', '-m', 'wip']);
  assert.equal(userState(repo), before, 'after create');
  repo.json(['list']);
  assert.equal(userState(repo), before, 'after list');
  repo.json(['show', created.id]);
  repo.cli(['show', created.id]);
  assert.equal(userState(repo), before, 'after show');
  const d = repo.cli(['diff', created.id]);
  assert.is(d.code, 0, d.stderr);
  repo.cli(['diff', '--stat', created.id]);
  assert.equal(userState(repo), before, 'after diff');
  repo.json(['status']);
  repo.json(['log']);
  assert.equal(userState(repo), before, 'after status and log');
});

test('diff shows what changed since the backup', () => {
  const repo = tempRepo();
  repo.write('a.txt', 'one\n');
  repo.commitAll('base');
  repo.write('a.txt', 'backed up\n');
  repo.write('u.txt', 'untracked\n');
  const { id } = repo.json<{ id: string }>(['create', '--allow-empty']);
  assert.is(repo.cli(['diff', id]).stdout, '', 'no change, no diff');
  repo.write('a.txt', 'changed later\n');
  const d = repo.cli(['diff', id]);
  assert.is(d.code, 0, d.stderr);
  assert.match(d.stdout, /-backed up\n\+changed later/);
  const s = repo.cli(['diff', '--stat', id]);
  assert.match(s.stdout, /a\.txt/);
  assert.match(s.stdout, /1 file changed/);
  repo.write('new-after.txt', 'n\n');
  const j = repo.json<{ id: string; files: { path: string; status: string; added: number; deleted: number }[] }>(['diff', id]);
  assert.equal(j.files, [
    { path: 'a.txt', status: 'M', added: 1, deleted: 1 },
    { path: 'new-after.txt', status: 'A', added: 1, deleted: 0 },
  ]);
});

test.run();
