// Issue 8, real kills: a create killed between its ref and its note, an archive killed with its
// whole process group (recover runs while the dead process is still a zombie), a restore killed
// between writing a file and renaming it into place.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, PROJECT_ROOT, TEST_ENV, scratchDir, tempRepo, TestRepo } from '../helpers/repo.js';
import { runUntil } from '../helpers/pause.js';
import { ok, type Rec } from '../helpers/truth.js';

test('create killed before its ref and note, which go in one transaction: nothing of it is left, recover and ci are clean', async () => {
  const repo = tempRepo();
  repo.write('v.txt', 'first\n');
  const first = repo.json<Rec>(['create', '--allow-empty', '-m', 'first']).id;
  const tip = repo.git(['rev-parse', 'refs/notes/backups']);
  repo.write('w.txt', 'work\n');
  const paused = await runUntil(repo, ['create', '--allow-empty', '-m', 'killed'], 'notes:before-transaction');
  await paused.kill();
  assert.equal(repo.git(['for-each-ref', '--format=%(refname:lstrip=2)', 'refs/backups/']).split('\n'), [first], 'no ref');
  assert.is(repo.git(['rev-parse', 'refs/notes/backups']), tip, 'the notes ref as it was');
  assert.match(ok(repo, ['recover']), /0 repair\(s\), 0 problem\(s\)/);
  ok(repo, ['ci']);
  assert.equal(repo.json<Rec[]>(['list']).map((b) => b.id), [first]);
});

test('create killed between its ref and its note (git writes the objects here: core.fsyncMethod set): recover adopts it with a note, ci passes', async () => {
  const repo = tempRepo();
  // Any object-store setting core/own-commits.ts leaves to git: the ref is written first, then the note.
  repo.git(['config', 'core.fsyncMethod', 'fsync']);
  repo.write('v.txt', 'first\n');
  const first = repo.json<Rec>(['create', '--allow-empty', '-m', 'first']).id;
  repo.write('w.txt', 'work\n');
  const paused = await runUntil(repo, ['create', '--allow-empty', '-m', 'killed'], 'notes:after-refs');
  await paused.kill();
  const refs = repo.git(['for-each-ref', '--format=%(refname:lstrip=2)', 'refs/backups/']).split('\n').filter((r) => r && r !== first);
  assert.is(refs.length, 1, 'the ref was written');
  const r = repo.cli(['recover']);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /had no record; added it from its snapshot \(and wrote its note\)/);
  assert.match(repo.git(['notes', '--ref=backups', 'show', `refs/backups/${refs[0]}`]), /"event":"created"/);
  assert.is(repo.json<Rec>(['show', refs[0]!]).state, 'CREATED');
  ok(repo, ['ci']);
  assert.match(ok(repo, ['recover']), /0 repair\(s\), 0 problem\(s\)/);
});

/** Start the CLI in its own process group, paused at `point`. */
function startGroup(repo: TestRepo, args: string[], point: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: repo.dir, detached: true, env: { ...TEST_ENV, GIT_BACKUP_TEST_PAUSE_AT: point } });
    let err = '';
    child.stdout.resume();
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes(`test pause at ${point}`)) resolve(child.pid!);
    });
    child.on('close', (code) => reject(new Error(`exited ${code} before ${point}: ${err}`)));
  });
}

test('archive killed with its process group: the first recover settles the journal (the owner is a zombie)', async () => {
  const repo = tempRepo();
  repo.write('w.txt', 'work\n');
  const id = repo.json<Rec>(['create', '--allow-empty', '-m', 'x']).id;
  ok(repo, ['transition', id, 'CLEANABLE']);
  const pid = await startGroup(repo, ['archive', id], 'archive:after-verify');
  process.kill(-pid, 'SIGKILL');
  // spawnSync blocks this event loop: the killed child is not reaped and stays a zombie meanwhile.
  const r = repo.cli(['recover']);
  assert.is(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /undid an interrupted archive/);
  assert.equal(readdirSync(join(repo.dir, '.git', 'backup', 'journal')), []);
  assert.is(repo.json<Rec>(['show', id]).state, 'CLEANABLE');
});

test('temporary indexes a killed command left in the store are removed by recover once an hour old', () => {
  const repo = tempRepo();
  repo.write('a.txt', 'x\n');
  ok(repo, ['create', '-m', 'one']);
  const tmp = join(repo.dir, '.git', 'backup', 'tmp');
  // launch-: the input files of a run --watch session's or an agent server's kept shells (git/launcher.ts).
  for (const name of ['index-old1', 'restore-old2', 'launch-old3', 'index-fresh']) {
    mkdirSync(join(tmp, name));
    writeFileSync(join(tmp, name, 'index'), 'left behind');
  }
  const old = new Date(Date.now() - 2 * 3600_000);
  for (const name of ['index-old1', 'restore-old2', 'launch-old3']) utimesSync(join(tmp, name), old, old);
  const rec = repo.cli(['recover']);
  assert.is(rec.code, 0, rec.stdout + rec.stderr);
  assert.match(rec.stdout, /removed 3 temporary directories/);
  assert.equal(readdirSync(tmp).filter((n) => /^(index|restore|launch)-/.test(n)), ['index-fresh'], 'one a running command may still use stays');
});

test('restore killed between a file write and its rename leaves no temp file in the working tree', async () => {
  const repo = tempRepo();
  repo.write('src/one.txt', 'backed up\n');
  const id = repo.json<Rec>(['create', '--allow-empty', '-m', 'x']).id;
  repo.write('src/one.txt', 'changed since\n');
  const paused = await runUntil(repo, ['restore', id], 'restore:before-rename');
  await paused.kill();
  assert.is(repo.git(['status', '--porcelain', '--untracked-files=all']), '?? src/one.txt', 'nothing but the user file');
  assert.is(repo.read('src/one.txt'), 'changed since\n');
});

test("git dir on another filesystem: a killed restore's temp files in the tree are removed by recover, nobody else's", async () => {
  // The store's staging cannot be used across filesystems, so the temps go beside the targets.
  // The working tree goes to a filesystem other than the scratch directory's (which the runner may
  // have put in /dev/shm itself); a machine with one filesystem has nothing to test here, and says so.
  const gitParent = scratchDir();
  const other = ['/dev/shm', '/tmp', '/var/tmp', PROJECT_ROOT].find((d) => existsSync(d) && statSync(d).dev !== statSync(gitParent).dev);
  if (!other) {
    console.log('SKIPPED: no second filesystem to put the working tree on');
    return;
  }
  const dir = mkdtempSync(join(other, 'gb-otherfs-'));
  try {
    const repo = new TestRepo(dir);
    repo.git(['init', '-q', '-b', 'main', '--separate-git-dir', join(gitParent, 'sep.git')]);
    repo.write('src/one.txt', 'v1\n');
    repo.commitAll('initial');
    repo.write('src/one.txt', 'backed up\n');
    const id = repo.json<Rec>(['create', '-m', 'x']).id;
    repo.write('src/one.txt', 'changed since\n');
    repo.write('src/.one.txt.0123456789ab.tmp', 'the user\'s own file, named like a temp file\n');
    const paused = await runUntil(repo, ['restore', id], 'restore:before-rename');
    await paused.kill();
    const left = readdirSync(join(dir, 'src')).filter((n) => n.endsWith('.tmp') && !n.includes('0123456789ab'));
    assert.is(left.length, 1, 'the killed restore left its temp file beside the target');
    const r = repo.cli(['recover']);
    assert.is(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /removed the temp files of an interrupted restore/);
    assert.equal(readdirSync(join(dir, 'src')).sort(), ['.one.txt.0123456789ab.tmp', 'one.txt']);
    assert.is(repo.read('src/one.txt'), 'changed since\n');
    assert.equal(readdirSync(join(gitParent, 'sep.git', 'backup', 'journal')), []);
    // A restore that runs to the end leaves no journal entry and no temp file.
    ok(repo, ['restore', id]);
    assert.is(repo.read('src/one.txt'), 'backed up\n');
    assert.equal(readdirSync(join(dir, 'src')).sort(), ['.one.txt.0123456789ab.tmp', 'one.txt']);
    assert.equal(readdirSync(join(gitParent, 'sep.git', 'backup', 'journal')), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
