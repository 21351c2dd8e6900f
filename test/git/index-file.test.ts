// The index reader of the kept temporary index (src/git/index-file.ts) against indexes real git wrote.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { tempRepo, type TestRepo } from '../helpers/repo.js';
import { indexContent } from '../../src/git/index-file.js';

const content = (repo: TestRepo) => indexContent(readFileSync(join(repo.dir, '.git', 'index')));

function repoWithEntries(): TestRepo {
  const repo = tempRepo();
  for (let i = 0; i < 30; i++) repo.write(`dir${i % 4}/same-prefix-${i}.txt`, `file ${i}\n`);
  repo.write('a name with spaces and ü.txt', 'x\n');
  repo.write(`long/${'n'.repeat(250)}.txt`, 'long name\n');
  repo.write('exec.sh', '#!/bin/sh\n', 0o755);
  repo.git(['add', '-A']);
  repo.git(['commit', '-qm', 'entries']);
  return repo;
}

test('versions 2, 3 and 4 are read, whole; stat data does not count', () => {
  const repo = repoWithEntries();
  const tracked = repo.git(['ls-files']).split('\n').length;
  for (const v of [2, 3, 4]) {
    repo.git(['update-index', '--index-version', String(v)]);
    const before = content(repo);
    const raw = readFileSync(join(repo.dir, '.git', 'index'));
    assert.ok(before, `version ${v}`);
    assert.is(before!.count, tracked);
    const when = new Date(Date.now() - (v + 1) * 3600_000);
    utimesSync(join(repo.dir, 'dir1/same-prefix-1.txt'), when, when); // the same content, other stat data
    repo.git(['update-index', '--refresh']);
    assert.not.ok(readFileSync(join(repo.dir, '.git', 'index')).equals(raw), 'the index file was written again');
    assert.equal(content(repo), before, `version ${v} after a refresh`);
  }
});

test('what git would read differently changes it: content, mode, the flags, an intent to add', () => {
  const repo = repoWithEntries();
  const before = content(repo)!;
  const changed = (run: () => void) => {
    const was = content(repo)!;
    run();
    const now = content(repo)!;
    assert.is.not(now.digest, was.digest);
    return now;
  };
  changed(() => (repo.write('dir0/same-prefix-0.txt', 'edited\n'), repo.git(['add', 'dir0/same-prefix-0.txt'])));
  changed(() => repo.git(['update-index', '--chmod=+x', 'dir2/same-prefix-2.txt']));
  changed(() => repo.git(['update-index', '--skip-worktree', 'dir3/same-prefix-3.txt'])); // an extended flag (version 3)
  changed(() => repo.git(['update-index', '--assume-unchanged', 'exec.sh']));
  changed(() => (repo.write('new.txt', 'n\n'), repo.git(['add', '-N', 'new.txt']))); // intent to add
  assert.is(content(repo)!.count, before.count + 1);
});

test('not whole, not an index, or a split index: null', () => {
  const repo = repoWithEntries();
  const bytes = readFileSync(join(repo.dir, '.git', 'index'));
  assert.is(indexContent(bytes.subarray(0, bytes.length - 1)), null);
  const flipped = Buffer.from(bytes);
  flipped[60] = flipped[60]! ^ 1; // in the first entry's object id
  assert.is(indexContent(flipped), null);
  assert.is(indexContent(Buffer.from('DIRC')), null);
  assert.is(indexContent(Buffer.alloc(0)), null);
  repo.git(['update-index', '--split-index']);
  assert.is(indexContent(readFileSync(join(repo.dir, '.git', 'index'))), null);
});

test.run();
