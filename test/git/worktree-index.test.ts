// The kept temporary index of whole-tree snapshots (src/git/worktree-index.ts), against real git: a
// snapshot through it must capture exactly what one seeded from the user's index captures.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempRepo, type TestRepo } from '../helpers/repo.js';
import { findRepo } from '../../src/git/exec.js';
import { takeSnapshot, type Snapshot } from '../../src/git/snapshot.js';

const when = new Date('2024-05-06T07:08:09.000Z');

async function snap(repo: TestRepo, cached = true): Promise<Snapshot> {
  const paths = await findRepo(repo.dir);
  const store = join(paths.commonDir, 'backup');
  return takeSnapshot({
    repo: paths,
    message: '',
    includeIgnored: false,
    paths: [],
    createdAt: when,
    tmpDir: join(store, 'tmp'),
    ...(cached ? { indexCacheDir: join(store, 'worktree-index') } : {}),
  });
}

const cacheDir = (repo: TestRepo) => join(repo.dir, '.git', 'backup', 'worktree-index');
/** The kept indexes (`<key>.<id>`), not the memos beside them (`head`, `staged`). */
const cacheFiles = (repo: TestRepo) => {
  try {
    return readdirSync(cacheDir(repo)).filter((n) => /^[0-9a-f]{16}\./.test(n));
  } catch {
    return [];
  }
};
const trees = (repo: TestRepo, s: Snapshot) => repo.git(['rev-parse', `${s.commit}^{tree}`, `${s.indexCommit}^{tree}`]);

/** Files written and committed in the same second: git marks them racily clean in its index. */
function racyRepo(): TestRepo {
  const repo = tempRepo();
  for (let i = 0; i < 40; i++) repo.write(`src/f${i}.txt`, `file ${i}\n`);
  repo.git(['add', '-A']);
  repo.git(['commit', '-qm', 'many files']);
  return repo;
}

/** The snapshot through the cache captures what one without it captures. */
async function sameAsUncached(repo: TestRepo, expect: Snapshot['indexCache']): Promise<Snapshot> {
  const s = await snap(repo);
  assert.is(s.indexCache, expect);
  assert.is(trees(repo, s), trees(repo, await snap(repo, false)));
  return s;
}

test('the second snapshot goes through the kept index and captures what the user index gives', async () => {
  const repo = racyRepo();
  repo.write('src/f1.txt', 'edited\n');
  await sameAsUncached(repo, 'miss');
  assert.is(cacheFiles(repo).length, 1);
  repo.write('src/f2.txt', 'edited too\n');
  repo.write('src/f1.txt', 'edited again\n');
  const s = await sameAsUncached(repo, 'hit');
  assert.is(repo.git(['show', `${s.commit}:src/f1.txt`]), 'edited again');
  assert.is(repo.git(['show', `${s.commit}:src/f2.txt`]), 'edited too');
});

test('a file deleted and then written again is in the backup (the kept index never lost it)', async () => {
  const repo = racyRepo();
  await sameAsUncached(repo, 'miss');
  unlinkSync(join(repo.dir, 'src/f3.txt'));
  const gone = await sameAsUncached(repo, 'hit');
  assert.not.ok(repo.git(['ls-tree', '-r', '--name-only', gone.commit]).split('\n').includes('src/f3.txt'));
  repo.write('src/f3.txt', 'back again\n');
  const back = await sameAsUncached(repo, 'hit');
  assert.is(repo.git(['show', `${back.commit}:src/f3.txt`]), 'back again');
});

test('a user index git wrote again (a git stash create refreshed it) is not stood in for: the ordinary way', async () => {
  const repo = racyRepo();
  repo.write('src/f8.txt', 'edited\n');
  await sameAsUncached(repo, 'miss');
  // Another mtime for a file git tracks, the same content: stash create's refresh must update that
  // entry and write the index, however many of its entries are still racily clean (under load the
  // repository's files and its index can land in different seconds, and then nothing would be written).
  const earlier = new Date(Date.now() - 60_000);
  utimesSync(join(repo.dir, 'src/f1.txt'), earlier, earlier);
  repo.git(['stash', 'create']); // refreshes the user's index and writes it
  repo.write('src/f8.txt', 'edited again\n');
  const s = await sameAsUncached(repo, 'miss');
  assert.is(repo.git(['show', `${s.commit}:src/f8.txt`]), 'edited again');
  await sameAsUncached(repo, 'hit');
});

test('staging changes the user index: a miss, the staged tree is the new one, one kept index per index file', async () => {
  const repo = racyRepo();
  await sameAsUncached(repo, 'miss');
  repo.write('src/f4.txt', 'staged\n');
  repo.git(['add', 'src/f4.txt']);
  repo.write('src/f4.txt', 'staged, then edited\n');
  const s = await sameAsUncached(repo, 'miss');
  assert.is(repo.git(['show', `${s.indexCommit}:src/f4.txt`]), 'staged');
  assert.is(repo.git(['show', `${s.commit}:src/f4.txt`]), 'staged, then edited');
  assert.is(cacheFiles(repo).length, 1);
  await sameAsUncached(repo, 'hit');
});

test('the staged memo: used only while it names a loose tree, which it freshens; anything else is no answer', async () => {
  const repo = racyRepo();
  repo.write('src/f4.txt', 'staged\n');
  repo.git(['add', 'src/f4.txt']);
  repo.write('src/f4.txt', 'staged, then edited\n');
  const first = await sameAsUncached(repo, 'miss');
  const staged = repo.git(['rev-parse', `${first.indexCommit}^{tree}`]);
  const memo = join(cacheDir(repo), 'staged');
  const [key, named] = readFileSync(memo, 'utf8').trim().split(' ');
  assert.is(named, staged);
  for (const m of [memo, join(cacheDir(repo), 'head')]) assert.is(statSync(m).mode & 0o777, 0o600, 'a store file: 0600');
  // An old tree (a prune with --expire would take it) is freshened as write-tree would have.
  const file = join(repo.dir, '.git', 'objects', staged.slice(0, 2), staged.slice(2));
  const old = new Date(Date.now() - 30 * 86_400_000);
  utimesSync(file, old, old);
  assert.is((await snap(repo)).indexCache, 'hit');
  assert.ok(statSync(file).mtimeMs > Date.now() - 60_000, 'freshened');
  // A memo naming a loose object of another type: our own commits must not name it as a tree.
  const paths = await findRepo(repo.dir);
  const blob = repo.git(['hash-object', '-w', '--stdin'], { input: 'not a tree\n' });
  for (const other of [blob, first.indexCommit]) {
    writeFileSync(memo, `${key} ${other}\n`);
    const s = await takeSnapshot({
      repo: paths, message: '', includeIgnored: false, paths: [], createdAt: when,
      tmpDir: join(paths.commonDir, 'backup', 'tmp'), indexCacheDir: cacheDir(repo),
      ownCommits: { author: { name: 'A', email: 'a@b' }, committer: { name: 'A', email: 'a@b' } },
    });
    assert.is(repo.git(['rev-parse', `${s.indexCommit}^{tree}`]), staged);
    repo.git(['fsck', '--strict', '--no-dangling']);
  }
});

test('a damaged or cut kept index is not trusted: the ordinary way, and a good one replaces it', async () => {
  const repo = racyRepo();
  await sameAsUncached(repo, 'miss');
  const [name] = cacheFiles(repo);
  const path = join(cacheDir(repo), name!);
  const good = readFileSync(path);
  const flipped = (at: number) => {
    const b = Buffer.from(good);
    b[at] = b[at]! ^ 1;
    return b;
  };
  // Garbage, a cut file, a changed byte in the first entry's object id (git would trust it), in the trailer.
  for (const bad of [Buffer.from('not an index at all'), good.subarray(0, 200), flipped(12 + 40 + 3), flipped(good.length - 1)]) {
    writeFileSync(path, bad);
    repo.write('src/f5.txt', `edit ${bad.length}\n`);
    await sameAsUncached(repo, 'miss');
    assert.is(readFileSync(path).subarray(0, 4).toString('latin1'), 'DIRC');
  }
});

test('a same-size edit in the second the kept index was written is still captured (racy-git)', async () => {
  const repo = racyRepo();
  for (let i = 0; i < 2; i++) {
    // Start at the beginning of a second, so the kept index and the edit after it share one.
    await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000)));
    repo.write('src/f6.txt', `v${i}-a\n`);
    await snap(repo);
    repo.write('src/f6.txt', `v${i}-b\n`);
    const s = await snap(repo);
    assert.is(s.indexCache, 'hit');
    assert.is(repo.git(['show', `${s.commit}:src/f6.txt`]), `v${i}-b`);
  }
});

test('a conflicted index (a merge stopped): never kept, and the same trees as without it', async () => {
  const repo = tempRepo();
  repo.write('c.txt', 'base\n');
  repo.write('d.txt', 'only on main at first\n');
  repo.commitAll('c');
  repo.git(['checkout', '-q', '-b', 'other']);
  repo.write('c.txt', 'theirs\n');
  repo.write('t.txt', 'added by theirs\n');
  repo.commitAll('theirs');
  repo.git(['checkout', '-q', 'main']);
  repo.write('c.txt', 'ours\n');
  repo.commitAll('ours');
  try { repo.git(['merge', '-q', 'other']); } catch { /* conflict expected */ }
  for (let i = 0; i < 2; i++) {
    const s = await sameAsUncached(repo, 'miss');
    assert.is(repo.git(['show', `${s.indexCommit}:c.txt`]), 'ours');
    assert.match(repo.git(['show', `${s.commit}:c.txt`]), /<<<<<<</);
    assert.is(repo.git(['show', `${s.commit}:t.txt`]), 'added by theirs');
  }
  assert.equal(cacheFiles(repo), []);
});

test('a path-limited snapshot neither reads nor keeps the index', async () => {
  const repo = racyRepo();
  repo.write('src/f7.txt', 'limited\n');
  const paths = await findRepo(repo.dir);
  const s = await takeSnapshot({
    repo: paths, message: '', includeIgnored: false, paths: ['src/f7.txt'], createdAt: when,
    tmpDir: join(paths.commonDir, 'backup', 'tmp'), indexCacheDir: cacheDir(repo),
  });
  assert.is(s.indexCache, 'none');
  assert.is(repo.git(['show', `${s.commit}:src/f7.txt`]), 'limited');
  assert.equal(cacheFiles(repo), []);
});

test.run();
