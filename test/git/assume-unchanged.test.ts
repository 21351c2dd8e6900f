// A file marked assume-unchanged (`git update-index --assume-unchanged`, a common way to keep local
// edits out of `git status`) is still work: `git add -u` takes it as the index has it, so a backup
// must clear the bit in its temporary index first (git/tree.ts), never in the user's.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { scratchDir, tempRepo, TestRepo } from '../helpers/repo.js';
import { findRepo } from '../../src/git/exec.js';
import { takeSnapshot } from '../../src/git/snapshot.js';
import { hasAssumeUnchanged } from '../../src/git/index-file.js';

async function snap(repo: TestRepo, paths: string[] = []) {
  const p = await findRepo(repo.dir);
  return takeSnapshot({ repo: p, message: '', includeIgnored: false, paths, createdAt: new Date(), tmpDir: join(p.commonDir, 'backup', 'tmp') });
}

function marked(): TestRepo {
  const repo = tempRepo();
  repo.write('local.cfg', 'base\n');
  repo.write('other.txt', 'o\n');
  repo.commitAll('files');
  repo.git(['update-index', '--assume-unchanged', 'local.cfg']);
  repo.write('local.cfg', 'precious local edit\n');
  return repo;
}

test('a whole-tree backup holds the edits of a file marked assume-unchanged, and the user keeps the mark', async () => {
  const repo = marked();
  repo.write('other.txt', 'o2\n');
  const s = await snap(repo);
  assert.is(repo.git(['show', `${s.commit}:local.cfg`]), 'precious local edit');
  assert.is(repo.git(['ls-files', '-v', 'local.cfg']), 'h local.cfg');
});

test('a path-limited backup of it holds its edits too', async () => {
  const repo = marked();
  const s = await snap(repo, ['local.cfg']);
  assert.is(repo.git(['show', `${s.commit}:local.cfg`]), 'precious local edit');
});

test('the index walk sees the bit in index versions 2, 3 and 4, and its absence', () => {
  const repo = marked();
  const index = () => readFileSync(join(repo.dir, '.git', 'index'));
  assert.is(hasAssumeUnchanged(index()), true);
  repo.write('new.txt', 'n\n');
  repo.git(['add', '-N', 'new.txt']); // intent-to-add: an extended entry, version 3
  assert.is(index().readUInt32BE(4), 3);
  assert.is(hasAssumeUnchanged(index()), true);
  repo.git(['update-index', '--index-version', '4']);
  assert.is(hasAssumeUnchanged(index()), true);
  repo.git(['update-index', '--no-assume-unchanged', 'local.cfg']);
  assert.is(hasAssumeUnchanged(index()), false);
  repo.git(['update-index', '--index-version', '2']);
  repo.git(['rm', '-q', '--cached', 'new.txt']);
  assert.is(index().readUInt32BE(4), 2);
  assert.is(hasAssumeUnchanged(index()), false);
  assert.is(hasAssumeUnchanged(Buffer.from('not an index')), null);
});

test('the index walk: a name of 4,095 bytes or more (its length is not in the flags), and a SHA-256 repository', () => {
  const repo = marked();
  const index = () => readFileSync(join(repo.dir, '.git', 'index'));
  const blob = repo.git(['hash-object', '-w', '--stdin'], { input: 'x\n' });
  // Longer than any path the file system takes: only in the index, where git allows it.
  const long = `${'d'.repeat(200)}/`.repeat(22) + 'f.txt';
  assert.ok(long.length > 0xfff);
  repo.git(['update-index', '--add', '--cacheinfo', `100644,${blob},${long}`]);
  repo.git(['update-index', '--index-version', '2']);
  assert.is(hasAssumeUnchanged(index()), true);
  repo.git(['update-index', '--no-assume-unchanged', 'local.cfg']);
  assert.is(hasAssumeUnchanged(index()), false);
  repo.git(['update-index', '--assume-unchanged', long]);
  assert.is(hasAssumeUnchanged(index()), true, 'the bit on the long name itself');
  repo.git(['update-index', '--index-version', '4']);
  assert.is(hasAssumeUnchanged(index()), true);

  const sha256 = new TestRepo(scratchDir('gb-sha256-'));
  sha256.git(['init', '-q', '--object-format=sha256']);
  sha256.write('a.txt', 'a\n');
  sha256.git(['add', 'a.txt']);
  const index256 = () => readFileSync(join(sha256.dir, '.git', 'index'));
  assert.is(hasAssumeUnchanged(index256()), false);
  sha256.git(['update-index', '--assume-unchanged', 'a.txt']);
  assert.is(hasAssumeUnchanged(index256()), true);
});

test('skip-worktree on a file present in the working tree: its edits are captured; an absent one stays as the index has it', async () => {
  const repo = tempRepo();
  repo.write('local.cfg', 'base\n');
  repo.write('gone.txt', 'g\n');
  repo.commitAll('files');
  repo.git(['update-index', '--skip-worktree', 'local.cfg', 'gone.txt']);
  repo.write('local.cfg', 'precious local edit\n');
  execFileSync('rm', [join(repo.dir, 'gone.txt')]);
  const s = await snap(repo);
  assert.is(repo.git(['show', `${s.commit}:local.cfg`]), 'precious local edit');
  assert.is(repo.git(['show', `${s.commit}:gone.txt`]), 'g');
  assert.is(repo.git(['ls-files', '-v', 'local.cfg']), 'S local.cfg');
});

test.run();
