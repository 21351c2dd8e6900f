import { test } from '../helpers/shard.js';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { IGNORED, richRepo, sorted, treeState, userState } from '../helpers/fixture.js';
import { scratchDir, tempRepo, TestRepo } from '../helpers/repo.js';
import { readdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { findRepo, type RepoPaths } from '../../src/git/exec.js';
import { deleteBackupRef, readSnapshotTrailers, takeSnapshot, writeBackupRef, type Snapshot } from '../../src/git/snapshot.js';
import { backupTree, diffTrees, snapshotWorkingTree } from '../../src/git/diff.js';
import { BackupError } from '../../src/errors.js';

const when = new Date('2024-05-06T07:08:09.000Z');

async function snap(repo: TestRepo, opts: { includeIgnored?: boolean; paths?: string[]; message?: string } = {}): Promise<{ paths: RepoPaths; s: Snapshot }> {
  const paths = await findRepo(repo.dir);
  const s = await takeSnapshot({
    repo: paths,
    message: opts.message ?? '',
    includeIgnored: opts.includeIgnored ?? false,
    paths: opts.paths ?? [],
    createdAt: when,
    tmpDir: join(paths.commonDir, 'backup', 'tmp'),
  });
  return { paths, s };
}

const parentsOf = (repo: TestRepo, c: string) => repo.git(['log', '-1', '--format=%P', c]).split(' ').filter(Boolean);
const lsTree = (repo: TestRepo, t: string) => repo.git(['-c', 'core.quotePath=false', 'ls-tree', '-r', '--name-only', t]).split('\n').filter(Boolean);

test('snapshot is stash-shaped and leaves everything of the user untouched', async () => {
  const repo = richRepo();
  const head = repo.git(['rev-parse', 'HEAD']);
  const before = userState(repo);
  const { s } = await snap(repo, { message: 'before refactor' });
  assert.is(userState(repo), before);
  assert.is(s.base, head);
  assert.is(s.branch, 'main');
  assert.equal(parentsOf(repo, s.commit), [head, s.indexCommit, s.untrackedCommit]);
  assert.equal(parentsOf(repo, s.indexCommit), [head]);
  assert.equal(parentsOf(repo, s.untrackedCommit!), []);
  // tree = tracked files as in the working tree; index commit = staged state; untracked part apart
  assert.is(repo.git(['show', `${s.commit}:a.txt`]), 'alpha staged then edited');
  assert.is(repo.git(['show', `${s.indexCommit}:a.txt`]), 'alpha staged');
  assert.is(repo.git(['show', `${s.indexCommit}:deep/x/y/z.txt`]), 'deep');
  assert.ok(lsTree(repo, s.commit).includes('new staged.txt'));
  assert.not.ok(lsTree(repo, s.commit).includes('dir/with space.txt'));
  assert.equal(lsTree(repo, s.untrackedCommit!), ['-untracked-dash', 'untracked file.txt']);
  assert.is(repo.git(['log', '-1', '--format=%s', s.commit]), 'On main: before refactor');
  assert.match(repo.git(['log', '-1', '--format=%s', s.indexCommit]), /^index on main: [0-9a-f]+ initial|^index on main: [0-9a-f]+ fixture/);
  assert.is(repo.git(['ls-tree', s.commit, 'bin/run.sh']).slice(0, 6), '100755');
  assert.is(repo.git(['ls-tree', s.commit, 'link']).slice(0, 6), '120000');

  // a.txt twice: staged, then edited again (both versions are work only this backup holds).
  assert.equal(s.protects.map((e) => e.path), ['-untracked-dash', 'a.txt', 'a.txt', 'deep/x/y/z.txt', 'dir/with space.txt', 'new staged.txt', 'untracked file.txt']);
  assert.is(s.files, 6);
  const expectBytes = ['alpha staged then edited\n', 'alpha staged\n', 'deep edited\n', 'new\n', 'untracked\n', 'dash untracked\n'].reduce((n, t) => n + t.length, 0);
  assert.is(s.bytes, expectBytes);

  const t = await readSnapshotTrailers(await findRepo(repo.dir), s.commit);
  assert.equal({ ...t, nonce: t.nonce.length }, { created: when.toISOString(), branch: 'main', base: head, includeIgnored: false, paths: [], nonce: 16 });
});

test('two snapshots of the same tree are distinct commits sharing their content', async () => {
  const repo = richRepo();
  const { s: a } = await snap(repo);
  const { s: b } = await snap(repo);
  assert.is.not(a.commit, b.commit);
  assert.is(repo.git(['rev-parse', `${a.commit}^{tree}`]), repo.git(['rev-parse', `${b.commit}^{tree}`]));
  assert.is(repo.git(['log', '-1', '--format=%s', a.commit]).startsWith('WIP on main: '), true);
});

test('include ignored captures ignored files in the untracked part', async () => {
  const repo = richRepo();
  const { s } = await snap(repo, { includeIgnored: true });
  const untracked = lsTree(repo, s.untrackedCommit!);
  for (const f of IGNORED) assert.ok(untracked.includes(f), f);
  assert.ok(s.protects.map((e) => e.path).includes('build/out.bin'));
  const plain = ['alpha staged then edited\n', 'alpha staged\n', 'deep edited\n', 'new\n', 'untracked\n', 'dash untracked\n', 'ignored log\n'];
  assert.is(s.bytes, plain.reduce((n, t) => n + t.length, 0) + 7);
  assert.is((await readSnapshotTrailers(await findRepo(repo.dir), s.commit)).includeIgnored, true);
});

test('stash apply --index on a clean checkout at base reproduces files and staged state', async () => {
  const repo = richRepo();
  const stagedBefore = repo.git(['diff', '--cached', '--binary']);
  const expected = treeState(repo.dir, (r) => r === 'debug.log' || r === 'build');
  const { s } = await snap(repo);
  const wt = join(scratchDir(), 'wt');
  repo.git(['worktree', 'add', '-q', '--detach', wt, s.base!]);
  repo.git(['-C', wt, 'stash', 'apply', '--index', s.commit]);
  assert.is(sorted(treeState(wt)), sorted(expected));
  assert.is(repo.git(['-C', wt, 'diff', '--cached', '--binary']), stagedBefore);
});

test('nothing untracked: no untracked parent', async () => {
  const repo = tempRepo();
  repo.write('README.md', 'changed\n');
  const { s } = await snap(repo);
  assert.is(s.untrackedCommit, null);
  assert.is(parentsOf(repo, s.commit).length, 2);
  assert.equal(s.protects.map((e) => e.path), ['README.md']);
});

test('unborn branch: empty-tree base commit, Backup-Base none', async () => {
  const repo = tempRepo({ commit: false, branch: 'trunk' });
  repo.write('staged.txt', 'staged\n');
  repo.git(['add', 'staged.txt']);
  repo.write('loose.txt', 'loose\n');
  const before = userState(repo);
  const { paths, s } = await snap(repo);
  assert.is(userState(repo), before);
  assert.is(s.base, null);
  assert.is(s.branch, 'trunk');
  const [base] = parentsOf(repo, s.commit);
  assert.equal(parentsOf(repo, base!), []);
  assert.is(lsTree(repo, base!).length, 0);
  assert.equal(lsTree(repo, s.commit), ['staged.txt']);
  assert.equal(lsTree(repo, s.untrackedCommit!), ['loose.txt']);
  assert.equal(s.protects.map((e) => e.path), ['loose.txt', 'staged.txt']);
  const t = await readSnapshotTrailers(paths, s.commit);
  assert.is(t.base, null);
  assert.is(t.branch, 'trunk');
});

test('unborn branch with nothing at all still snapshots', async () => {
  const repo = tempRepo({ commit: false });
  const { s } = await snap(repo);
  assert.is(s.files, 0);
  assert.is(s.untrackedCommit, null);
});

test('detached HEAD: branch null', async () => {
  const repo = tempRepo();
  repo.git(['checkout', '-q', '--detach']);
  repo.write('README.md', 'x\n');
  const { paths, s } = await snap(repo);
  assert.is(s.branch, null);
  assert.is((await readSnapshotTrailers(paths, s.commit)).branch, null);
  assert.match(repo.git(['log', '-1', '--format=%s', s.commit]), /^WIP on \(no branch\): /);
});

test('linked worktree: its own index and branch, main worktree untouched', async () => {
  const repo = richRepo();
  const wtDir = join(scratchDir(), 'linked');
  repo.git(['worktree', 'add', '-q', '-b', 'feature', wtDir]);
  const wt = new TestRepo(wtDir);
  wt.write('a.txt', 'feature work\n');
  wt.write('feature-new.txt', 'new\n');
  wt.git(['add', 'feature-new.txt']);
  const mainBefore = userState(repo);
  const wtBefore = userState(wt);
  const { paths, s } = await snap(wt);
  assert.ok(paths.gitDir.includes('worktrees'));
  assert.is(userState(repo), mainBefore);
  assert.is(userState(wt), wtBefore);
  assert.is(s.branch, 'feature');
  assert.is(wt.git(['show', `${s.commit}:a.txt`]), 'feature work');
  assert.is(wt.git(['show', `${s.indexCommit}:feature-new.txt`]), 'new');
  assert.equal(s.protects.map((e) => e.path), ['a.txt', 'feature-new.txt']);
});

test('no identity configured: falls back to git-backup identity', async () => {
  const repo = richRepo();
  repo.git(['config', 'user.useConfigOnly', 'true']);
  const saved = { ...process.env };
  for (const k of ['GIT_AUTHOR_NAME', 'GIT_AUTHOR_EMAIL', 'GIT_COMMITTER_NAME', 'GIT_COMMITTER_EMAIL', 'EMAIL']) delete process.env[k];
  process.env.HOME = scratchDir('gb-emptyhome-');
  process.env.XDG_CONFIG_HOME = join(process.env.HOME, '.config');
  process.env.GIT_CONFIG_NOSYSTEM = '1';
  try {
    const { s } = await snap(repo);
    assert.is(repo.git(['log', '-1', '--format=%an <%ae>', s.commit]), 'git-backup <git-backup@localhost>');
  } finally {
    process.env = saved;
  }
});

test('configured identity is used as is', async () => {
  const repo = tempRepo();
  repo.write('README.md', 'y\n');
  const { s } = await snap(repo);
  assert.is(repo.git(['log', '-1', '--format=%an|%cn|%at', s.commit]), `Test Author|Test Committer|${when.getTime() / 1000}`);
});

test('explicit paths: HEAD tree with only those paths from the working tree, named ignored file included', async () => {
  const repo = richRepo();
  const head = repo.git(['rev-parse', 'HEAD']);
  const { paths, s } = await snap(repo, { paths: ['deep', 'debug.log', 'new staged.txt'] });
  assert.is(repo.git(['show', `${s.commit}:a.txt`]), 'alpha', 'outside paths: HEAD version');
  assert.is(repo.git(['show', `${s.indexCommit}:a.txt`]), 'alpha', 'index commit limited to the paths too');
  assert.ok(lsTree(repo, s.commit).includes('dir/with space.txt'), 'deletion outside paths not taken');
  assert.is(repo.git(['show', `${s.commit}:deep/x/y/z.txt`]), 'deep edited');
  assert.is(repo.git(['show', `${s.indexCommit}:new staged.txt`]), 'new');
  assert.equal(lsTree(repo, s.untrackedCommit!), ['debug.log']);
  assert.equal(s.protects.map((e) => e.path), ['debug.log', 'deep/x/y/z.txt', 'new staged.txt']);
  assert.equal((await readSnapshotTrailers(paths, s.commit)).paths, ['deep', 'debug.log', 'new staged.txt']);
  assert.is(s.base, head);
});

test('conflicted index: snapshot keeps ours in the index commit and the marked file in the tree', async () => {
  const repo = tempRepo();
  repo.write('c.txt', 'base\n');
  repo.commitAll('c');
  repo.git(['checkout', '-q', '-b', 'other']);
  repo.write('c.txt', 'theirs\n');
  repo.commitAll('theirs');
  repo.git(['checkout', '-q', 'main']);
  repo.write('c.txt', 'ours\n');
  repo.commitAll('ours');
  try { repo.git(['merge', '-q', 'other']); } catch { /* conflict expected */ }
  const before = userState(repo);
  const { s } = await snap(repo);
  assert.is(userState(repo), before);
  assert.is(repo.git(['show', `${s.indexCommit}:c.txt`]), 'ours');
  assert.match(repo.git(['show', `${s.commit}:c.txt`]), /<<<<<<</);
});

test('backup refs are never moved to another commit and deleted only at the expected sha', async () => {
  const repo = tempRepo();
  repo.write('README.md', 'z\n');
  const { paths, s } = await snap(repo);
  await writeBackupRef(paths, '20240506-070809-abcd', s.commit);
  assert.is(repo.git(['rev-parse', 'refs/backups/20240506-070809-abcd']), s.commit);
  await writeBackupRef(paths, '20240506-070809-abcd', s.commit); // already there at that commit: a retry is fine
  await writeBackupRef(paths, '20240506-070809-abcd', s.base!).then(() => assert.unreachable(), (e) => assert.instance(e, BackupError));
  assert.is(repo.git(['rev-parse', 'refs/backups/20240506-070809-abcd']), s.commit, 'never moved to another commit');
  await writeBackupRef(paths, '../evil', s.commit).then(() => assert.unreachable(), (e) => assert.is((e as BackupError).exitCode, 2));
  await deleteBackupRef(paths, '20240506-070809-abcd', s.base!).then(() => assert.unreachable(), (e) => assert.instance(e, BackupError));
  await deleteBackupRef(paths, '20240506-070809-abcd', s.commit);
  assert.is(repo.git(['for-each-ref', 'refs/backups']), '');
});

test('diff: backup vs working tree, user state untouched', async () => {
  const repo = richRepo();
  const { paths, s } = await snap(repo);
  const tmpDir = join(paths.commonDir, 'backup', 'tmp');
  const backup = await backupTree(paths, s.commit);
  const same = await snapshotWorkingTree(paths, { includeIgnored: false, paths: [], tmpDir });
  assert.is(backup, same, 'nothing changed since the snapshot');
  repo.write('a.txt', 'later\n');
  repo.write('another new.txt', 'n\n');
  const before = userState(repo);
  const now = await snapshotWorkingTree(paths, { includeIgnored: false, paths: [], tmpDir });
  const stat = await diffTrees(paths, backup, now, { stat: true });
  const patch = await diffTrees(paths, backup, now);
  assert.is(userState(repo), before);
  assert.match(stat, /a\.txt/);
  assert.match(stat, /another new\.txt/);
  assert.match(patch, /-alpha staged then edited\n\+later/);
  assert.not.match(stat, /untracked file/);
});

test('names with spaces, unicode, newlines and leading dashes', async () => {
  const repo = tempRepo();
  const odd = ['--weird', 'sp ace/ä ö.txt', 'new\nline.txt', '*glob?.txt', ':(magic)x'];
  for (const n of odd) repo.write(n, `content of ${n}\n`);
  repo.git(['add', '--', odd[0]!, odd[1]!]);
  const { s } = await snap(repo);
  assert.equal(s.protects.map((e) => e.path), [...odd].sort());
  const { s: p } = await snap(repo, { paths: ['*glob?.txt', ':(magic)x'] });
  assert.equal(p.protects.map((e) => e.path), ['*glob?.txt', ':(magic)x']);
});

test('a same-size edit right after the index was written is still captured (racy-git)', async () => {
  const repo = tempRepo();
  for (let i = 0; i < 2; i++) {
    repo.write('r.txt', `v${i}-a\n`);
    repo.git(['add', 'r.txt']);
    repo.write('r.txt', `v${i}-b\n`); // same size, same second as the index write
    // A copy made a second later must still look racy to git (the copy keeps the index's mtime).
    if (i === 1) await new Promise((r) => setTimeout(r, 1100));
    const { s } = await snap(repo);
    assert.is(repo.git(['show', `${s.commit}:r.txt`]), `v${i}-b`);
    assert.is(repo.git(['show', `${s.indexCommit}:r.txt`]), `v${i}-a`);
  }
});

test('stash apply --index also brings back ignored files of an --include-ignored backup', async () => {
  const repo = richRepo();
  const expected = treeState(repo.dir);
  const { s } = await snap(repo, { includeIgnored: true });
  const wt = join(scratchDir(), 'wt');
  repo.git(['worktree', 'add', '-q', '--detach', wt, s.base!]);
  repo.git(['-C', wt, 'stash', 'apply', '--index', s.commit]);
  assert.is(sorted(treeState(wt)), sorted(expected));
});

test('an untracked file whose name is not UTF-8 is captured under its exact name', async () => {
  const repo = tempRepo();
  const name = Buffer.concat([Buffer.from('bad'), Buffer.from([0xff]), Buffer.from('name')]);
  writeFileSync(Buffer.concat([Buffer.from(repo.dir + '/'), name]), 'x\n');
  const { s } = await snap(repo);
  const listed = execFileSync('git', ['ls-tree', '-r', '-z', '--name-only', s.untrackedCommit!], { cwd: repo.dir });
  assert.ok(listed.equals(Buffer.concat([name, Buffer.from([0])])), listed.toString('latin1'));
});

test('the temporary directory is left empty', async () => {
  const repo = richRepo();
  const { paths } = await snap(repo, { includeIgnored: true });
  assert.equal(readdirSync(join(paths.commonDir, 'backup', 'tmp')), []);
});

test.run();
