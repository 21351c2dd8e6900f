import { test } from '../helpers/shard.js';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import { mutate, richRepo, sorted, treeState, userState, type Entry } from '../helpers/fixture.js';
import { scratchDir, tempRepo, type TestRepo } from '../helpers/repo.js';
import { findRepo, type RepoPaths } from '../../src/git/exec.js';
import { takeSnapshot, type Snapshot } from '../../src/git/snapshot.js';
import { applyRestore, compareWithTarget, planRestore, type RestorePlan } from '../../src/git/restore.js';

const differs = async (plan: RestorePlan, dir: string) => (await compareWithTarget(plan, dir)).differ;
import { BackupError } from '../../src/errors.js';

async function snap(repo: TestRepo, includeIgnored = false, paths: string[] = []): Promise<{ paths: RepoPaths; s: Snapshot }> {
  const p = await findRepo(repo.dir);
  const s = await takeSnapshot({ repo: p, message: '', includeIgnored, paths, createdAt: new Date(), tmpDir: join(p.commonDir, 'backup', 'tmp') });
  return { paths: p, s };
}

const isIgnored = (r: string) => r === 'debug.log' || r === 'build' || r.startsWith('build/');

async function expectError(p: Promise<unknown>, code: number, pattern: RegExp): Promise<void> {
  try {
    await p;
  } catch (e) {
    assert.instance(e, BackupError);
    assert.is((e as BackupError).exitCode, code, (e as Error).message);
    assert.match((e as Error).message, pattern);
    assert.not.match((e as Error).message, /\n/);
    return;
  }
  assert.unreachable('expected an error');
}

test('round trip in place: every file back byte for byte, new work kept, index untouched', async () => {
  const repo = richRepo();
  const expected = treeState(repo.dir, isIgnored);
  const { paths, s } = await snap(repo);
  mutate(repo);
  const indexBefore = repo.git(['ls-files', '-s']);
  const plan = await planRestore(paths, s.commit, { scope: [], paths: [] });
  const differ = await differs(plan, repo.dir);
  assert.equal(differ, ['a.txt', 'deep/x/y/z.txt', 'dir/ünïcødé.txt', 'link']);
  const { written } = await applyRestore(paths, plan, repo.dir);
  assert.is(written, plan.files.length);
  const after = treeState(repo.dir);
  for (const [path, entry] of expected) assert.equal(after.get(path), entry, path);
  assert.ok(after.has('brand new.txt'), 'files not in the backup are kept');
  assert.not.ok(after.has('debug.log'), 'ignored file not captured without the flag');
  assert.is(repo.git(['ls-files', '-s']), indexBefore);
  assert.equal(await differs(plan, repo.dir), []);
});

test('round trip with ignored files into another directory (--to) is exact', async () => {
  const repo = richRepo();
  const expected = treeState(repo.dir);
  const { paths, s } = await snap(repo, true);
  mutate(repo);
  const to = join(scratchDir(), 'restored', 'here');
  const plan = await planRestore(paths, s.commit, { scope: [], paths: [] });
  assert.equal(await differs(plan, scratchDir()), []);
  await applyRestore(paths, plan, to);
  assert.is(sorted(treeState(to)), sorted(expected));
  const bin = readFileSync(join(to, 'build/out.bin'));
  assert.equal([...bin], [0, 1, 2, 255, 10, 13, 0]);
});

test('unborn branch and explicit-paths backups restore too', async () => {
  const repo = tempRepo({ commit: false });
  repo.write('s.txt', 'staged\n');
  repo.git(['add', 's.txt']);
  repo.write('u.txt', 'untracked\n');
  const expected = treeState(repo.dir);
  const { paths, s } = await snap(repo);
  const to = scratchDir();
  await applyRestore(paths, await planRestore(paths, s.commit, { scope: [], paths: [] }), to);
  assert.is(sorted(treeState(to)), sorted(expected));

  const rich = richRepo();
  const { paths: rp, s: ps } = await snap(rich, false, ['deep', 'debug.log']);
  const plan = await planRestore(rp, ps.commit, { scope: [], paths: ['deep', 'debug.log'] });
  assert.equal(plan.files.map((f) => f.path), ['debug.log', 'deep/x/y/z.txt']);
  const to2 = scratchDir();
  await applyRestore(rp, plan, to2);
  assert.is(readFileSync(join(to2, 'deep/x/y/z.txt'), 'utf8'), 'deep edited\n');
  assert.is(readFileSync(join(to2, 'debug.log'), 'utf8'), 'ignored log\n');
});

test('path filter selects files and directories; unknown path is exit 4', async () => {
  const repo = richRepo();
  const { paths, s } = await snap(repo);
  const names = async (sel: string[]) => (await planRestore(paths, s.commit, { scope: [], paths: sel })).files.map((f) => f.path);
  assert.equal(await names(['dir']), ['dir/ünïcødé.txt']);
  assert.equal(await names(['deep/x/']), ['deep/x/y/z.txt']);
  assert.equal(await names(['-dash.txt', 'untracked file.txt']), ['-dash.txt', 'untracked file.txt']);
  await expectError(planRestore(paths, s.commit, { scope: [], paths: ['de'] }), 4, /^path not in backup: de$/);
  await expectError(planRestore(paths, s.commit, { scope: [], paths: ['../etc'] }), 3, /refusing/);
  await expectError(planRestore(paths, s.commit, { scope: [], paths: ['/etc/passwd'] }), 3, /refusing/);
});

test('restore refuses a symlinked parent pointing outside, and writes nothing', async () => {
  const repo = richRepo();
  const { paths, s } = await snap(repo);
  const target = scratchDir();
  const outside = scratchDir();
  symlinkSync(outside, join(target, 'deep'));
  const plan = await planRestore(paths, s.commit, { scope: [], paths: [] });
  await expectError(applyRestore(paths, plan, target), 3, /deep is a symbolic link/);
  await expectError(differs(plan, target), 3, /symbolic link/);
  assert.equal(readdirSync(outside), []);
  assert.equal(readdirSync(target), ['deep']);
});

test('a symlink at the destination of a file is replaced, not written through', async () => {
  const repo = richRepo();
  const { paths, s } = await snap(repo);
  const target = scratchDir();
  const outside = join(scratchDir(), 'victim.txt');
  writeFileSync(outside, 'do not touch\n');
  symlinkSync(outside, join(target, 'a.txt'));
  const plan = await planRestore(paths, s.commit, { scope: [], paths: ['a.txt'] });
  assert.equal(await differs(plan, target), ['a.txt']);
  await applyRestore(paths, plan, target);
  assert.is(readFileSync(outside, 'utf8'), 'do not touch\n');
  assert.ok(lstatSync(join(target, 'a.txt')).isFile());
  assert.is(readFileSync(join(target, 'a.txt'), 'utf8'), 'alpha staged then edited\n');
});

test('a directory where a file goes, or a file where a directory goes, is refused before writing', async () => {
  const repo = richRepo();
  const { paths, s } = await snap(repo);
  const target = scratchDir();
  mkdirSync(join(target, 'a.txt'));
  const plan = await planRestore(paths, s.commit, { scope: [], paths: [] });
  await expectError(applyRestore(paths, plan, target), 3, /a\.txt: a directory is in the way \(it is empty\)/);
  assert.equal(readdirSync(target), ['a.txt']);
  // What stays in it is named: usually an ignored file no backup holds.
  mkdirSync(join(target, 'a.txt', 'logs'));
  writeFileSync(join(target, 'a.txt', 'logs', 'run.log'), 'x\n');
  await expectError(applyRestore(paths, plan, target), 3, /a\.txt: a directory is in the way \(it holds a\.txt\/logs\/run\.log, which this restore would not put back/);
  const t2 = scratchDir();
  writeFileSync(join(t2, 'deep'), 'file\n');
  await expectError(applyRestore(paths, plan, t2), 3, /deep exists and is not a directory/);
  assert.equal(readdirSync(t2), ['deep']);
});

test('bad paths inside a plan are refused', async () => {
  const repo = tempRepo();
  const paths = await findRepo(repo.dir);
  const blob = repo.git(['hash-object', '-w', '--stdin'], { input: 'x' });
  for (const bad of ['../escape', '/abs', 'a/../../b', '.git/config', 'a//b']) {
    await expectError(applyRestore(paths, { files: [{ path: bad, mode: '100644', blob, size: 1 }] }, scratchDir()), 3, /refusing/);
  }
});

test('submodule pointers are kept in the plan and skipped when writing', async () => {
  const sub = tempRepo();
  const repo = tempRepo();
  repo.git(['-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', sub.dir, 'sub']);
  repo.commitAll('add sub');
  repo.write('README.md', 'changed\n');
  const before = userState(repo);
  const { paths, s } = await snap(repo);
  assert.is(userState(repo), before);
  const plan = await planRestore(paths, s.commit, { scope: [], paths: [] });
  assert.ok(plan.files.some((f) => f.path === 'sub' && f.mode === '160000'));
  const to = scratchDir();
  const { written } = await applyRestore(paths, plan, to);
  assert.is(written, plan.files.length - 1);
  assert.not.ok(existsSync(join(to, 'sub')));
});

test('large and many files stream through one reader', async () => {
  const repo = tempRepo();
  const big = Buffer.alloc(5 * 1024 * 1024 + 3, 0);
  for (let i = 0; i < big.length; i += 4096) big[i] = i % 251;
  repo.write('big.bin', big);
  for (let i = 0; i < 300; i++) repo.write(`many/f${i}.txt`, `file ${i}\n`.repeat(i % 7));
  const expected: Map<string, Entry> = treeState(repo.dir);
  const { paths, s } = await snap(repo);
  const to = scratchDir();
  await applyRestore(paths, await planRestore(paths, s.commit, { scope: [], paths: [] }), to);
  assert.is(sorted(treeState(to)), sorted(expected));
});

test('a blob missing from the repository (a damaged object store) fails the restore with the damage exit code, and no temp file is left', async () => {
  const repo = tempRepo();
  repo.write('a.txt', 'a\n');
  repo.commitAll('a');
  const paths = await findRepo(repo.dir);
  const to = scratchDir();
  const plan: RestorePlan = { files: [{ path: 'gone.txt', mode: '100644', blob: 'f2cd539e5d81751b195bd72a02a151ef40c09ef7', size: 5 }] };
  await expectError(applyRestore(paths, plan, to), 7, /^object f2cd539e5d81751b195bd72a02a151ef40c09ef7 is missing from the repository$/);
  assert.equal(readdirSync(to), []);
  // A tree where a file's content should be: refused the same way, not written as its bytes.
  const tree = repo.git(['rev-parse', 'HEAD^{tree}']);
  await expectError(applyRestore(paths, { files: [{ path: 'x.txt', mode: '100644', blob: tree, size: 5 }] }, to), 7, /is a tree, not a file's content/);
});

test.run();
