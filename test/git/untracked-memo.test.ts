// The untracked part taken from the memo (src/git/untracked-memo.ts): only for the same files,
// unchanged and settled when the memo was made, whose objects are all still loose; in every other
// case git makes it again, and a backup never differs from one taken without the memo.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { unlinkSync, utimesSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir, tempRepo, type TestRepo } from '../helpers/repo.js';
import { findRepo } from '../../src/git/exec.js';
import { takeSnapshot, type Snapshot } from '../../src/git/snapshot.js';
import { certainConfigFiles } from '../../src/config/cache.js';

const when = new Date('2024-05-06T07:08:09.000Z');

async function snap(repo: TestRepo, memo = true): Promise<Snapshot> {
  const paths = await findRepo(repo.dir);
  const store = join(paths.commonDir, 'backup');
  return takeSnapshot({
    repo: paths, message: '', includeIgnored: false, paths: [], createdAt: when, tmpDir: join(store, 'tmp'),
    // The configuration files as app/create.ts names them.
    conversionInputs: certainConfigFiles(paths),
    ...(memo ? { indexCacheDir: join(store, 'worktree-index') } : {}),
  });
}

/** The untracked part as git makes it now, without any memo. */
const fresh = async (repo: TestRepo) => (await snap(repo, false)).trees.untracked;
const settled = (ms: number) => (process.env.GIT_BACKUP_TEST_SETTLED_MS = String(ms));

function repoWithNewFiles(): TestRepo {
  const repo = tempRepo();
  repo.write('notes/todo.md', 'a list\n');
  repo.write('scratch.txt', 'twelve bytes');
  return repo;
}

test('the same untracked files, settled and unchanged: the memo; then any change to them: git again', async () => {
  settled(0);
  const repo = repoWithNewFiles();
  const first = await snap(repo);
  assert.is(first.untrackedMemo, 'miss');
  const second = await snap(repo);
  assert.is(second.untrackedMemo, 'hit');
  assert.is(second.trees.untracked, first.trees.untracked);
  assert.is(second.trees.untracked, await fresh(repo));

  // The same size, the old mtime put back: the ctime (and inode data) still tell.
  const p = join(repo.dir, 'scratch.txt');
  const before = statSync(p);
  repo.write('scratch.txt', 'TWELVE BYTES');
  utimesSync(p, before.atime, before.mtime);
  const edited = await snap(repo);
  assert.is(edited.untrackedMemo, 'miss');
  assert.is(repo.git(['show', `${edited.untrackedCommit}:scratch.txt`]), 'TWELVE BYTES');

  repo.write('another.txt', 'new\n');
  const added = await snap(repo);
  assert.is(added.untrackedMemo, 'miss', 'a new file is a new set');
  assert.is(added.trees.untracked, await fresh(repo));
  unlinkSync(join(repo.dir, 'another.txt'));
  assert.is((await snap(repo)).trees.untracked, await fresh(repo), 'and one fewer too');
});

test('files written a moment ago are not remembered (racy-clean); a memo naming a missing object is not used', async () => {
  settled(60_000);
  const repo = repoWithNewFiles();
  await snap(repo);
  assert.is((await snap(repo)).untrackedMemo, 'miss', 'files younger than the settling time: no memo made');

  settled(0);
  const made = await snap(repo);
  assert.is((await snap(repo)).untrackedMemo, 'hit');
  // A blob of the untracked part gone (a gc pruned it): the memo would name it; git makes the part again.
  const blob = repo.git(['rev-parse', `${made.untrackedCommit}:notes/todo.md`]);
  unlinkSync(join(repo.dir, '.git', 'objects', blob.slice(0, 2), blob.slice(2)));
  const again = await snap(repo);
  assert.is(again.untrackedMemo, 'miss');
  assert.is(repo.git(['cat-file', '-t', blob]), 'blob', 'written again by git');
  assert.is((await snap(repo)).untrackedMemo, 'hit');
  // A subtree gone (a repack dropped it while the top tree stayed loose): not used either.
  const subtree = repo.git(['rev-parse', `${again.untrackedCommit}:notes`]);
  unlinkSync(join(repo.dir, '.git', 'objects', subtree.slice(0, 2), subtree.slice(2)));
  const third = await snap(repo);
  assert.is(third.untrackedMemo, 'miss');
  assert.is(repo.git(['cat-file', '-t', subtree]), 'tree', 'written again by git');
  assert.is((await snap(repo)).untrackedMemo, 'hit');
  repo.git(['update-ref', 'refs/test/keep', again.untrackedCommit!]);
  repo.git(['gc', '-q']); // reachable now, so packed: loose no more, so not trusted
  assert.is((await snap(repo)).untrackedMemo, 'miss');
});

test('what decides the blob besides the bytes (attributes, configuration) changed: git again, the content as git stores it now', async () => {
  settled(0);
  const repo = tempRepo();
  repo.write('.gitattributes', '*.txt text\n');
  repo.commitAll('attributes');
  repo.write('notes/crlf.txt', 'a\r\nb\r\n');
  const normalized = await snap(repo);
  assert.is(repo.git(['cat-file', 'blob', `${normalized.untrackedCommit}:notes/crlf.txt`]), 'a\nb', 'stored with LF while the attribute says text');
  assert.is((await snap(repo)).untrackedMemo, 'hit');

  // The attribute goes (a tracked file changes, not the untracked one): the bytes are stored as they are.
  repo.git(['rm', '-q', '.gitattributes']);
  repo.git(['commit', '-q', '-m', 'no attributes']);
  const raw = await snap(repo);
  assert.is(raw.untrackedMemo, 'miss');
  assert.is(raw.trees.untracked, await fresh(repo));
  const blob = repo.git(['rev-parse', `${raw.untrackedCommit}:notes/crlf.txt`]);
  assert.is(repo.git(['cat-file', '-s', blob]), '6', 'the CRLF kept, as on disk');
  assert.is((await snap(repo)).untrackedMemo, 'hit');

  // An attributes file in the file's directory, then the configuration: the same.
  repo.write('notes/.gitattributes', '*.txt text\n');
  repo.git(['add', 'notes/.gitattributes']);
  assert.is((await snap(repo)).trees.untracked, await fresh(repo));
  repo.git(['rm', '-q', '--cached', 'notes/.gitattributes']);
  unlinkSync(join(repo.dir, 'notes', '.gitattributes'));
  assert.is((await snap(repo)).trees.untracked, await fresh(repo));
  assert.is((await snap(repo)).untrackedMemo, 'hit');
  repo.git(['config', 'core.autocrlf', 'input']);
  const converted = await snap(repo);
  assert.is(converted.untrackedMemo, 'miss');
  assert.is(converted.trees.untracked, await fresh(repo));
});

test('a core.attributesFile of its own whose content changes alone: the CLI takes the part from git again', () => {
  const repo = tempRepo();
  const attrs = join(scratchDir(), 'attributes');
  writeFileSync(attrs, '# none yet\n');
  repo.git(['config', 'core.attributesFile', attrs]);
  repo.write('u.txt', 'a\r\nb\r\n');
  const env = { GIT_BACKUP_TEST_SETTLED_MS: '0' };
  const blobOf = (id: string) => repo.git(['rev-parse', `refs/backups/${id}^3:u.txt`]);
  const asGitStoresIt = () => repo.git(['hash-object', '--path=u.txt', 'u.txt']);
  const first = repo.json<{ id: string }>(['create', '--allow-empty', '-m', 'one'], { env });
  assert.is(blobOf(first.id), asGitStoresIt(), 'CRLF kept: no attribute yet');
  writeFileSync(attrs, '*.txt text\n'); // the configuration files are as they were
  const second = repo.json<{ id: string }>(['create', '--allow-empty', '-m', 'two'], { env });
  assert.is(blobOf(second.id), asGitStoresIt(), 'normalised now, as git stores it');
  assert.is.not(blobOf(second.id), blobOf(first.id));
});

test('a configuration with an include (its target could change unseen): no memo', async () => {
  settled(0);
  const repo = repoWithNewFiles();
  repo.git(['config', 'include.path', '../extra.gitconfig']);
  await snap(repo);
  assert.is((await snap(repo)).untrackedMemo, 'miss');
  assert.is((await snap(repo)).trees.untracked, await fresh(repo));
});

test('path-limited snapshots and a torn memo: no memo', async () => {
  settled(0);
  const repo = repoWithNewFiles();
  await snap(repo);
  const memo = join(repo.dir, '.git', 'backup', 'worktree-index', 'untracked');
  repo.write('.git/backup/worktree-index/untracked', 'deadbeef 1234');
  assert.is((await snap(repo)).untrackedMemo, 'miss');
  assert.ok(statSync(memo).size > 40, 'replaced by a whole one');
  const paths = await findRepo(repo.dir);
  const limited = await takeSnapshot({
    repo: paths, message: '', includeIgnored: false, paths: ['notes'], createdAt: when,
    tmpDir: join(paths.commonDir, 'backup', 'tmp'), indexCacheDir: join(paths.commonDir, 'backup', 'worktree-index'),
  });
  assert.is(limited.untrackedMemo, 'miss');
  assert.is(repo.git(['ls-tree', '-r', '--name-only', limited.untrackedCommit!]), 'notes/todo.md');
});

test.run();
