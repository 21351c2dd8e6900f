// Acceptance: create -> change everything -> restore gives back every file byte for byte, and
// restore's own safety backup brings back what it replaced.
import { test } from '../helpers/shard.js';
import * as assert from 'uvu/assert';
import { lstatSync, readFileSync, readlinkSync, rmSync, symlinkSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fromTemplate, TestRepo } from '../helpers/repo.js';

interface FileState { kind: 'file' | 'link'; content: string; exec: boolean }

function snapshotFiles(repo: TestRepo, paths: string[]): Map<string, FileState> {
  const m = new Map<string, FileState>();
  for (const p of paths) {
    const abs = join(repo.dir, p);
    const st = lstatSync(abs);
    if (st.isSymbolicLink()) m.set(p, { kind: 'link', content: readlinkSync(abs), exec: false });
    else m.set(p, { kind: 'file', content: readFileSync(abs).toString('base64'), exec: (st.mode & 0o100) !== 0 });
  }
  return m;
}

const PATHS = ['README.md', 'src/app.js', 'bin/run.sh', 'link-to-app', 'dir with space/naïve ünïcode.txt', '-leading-dash.txt', 'untracked.txt', 'build/out.bin'];

/** Every kind of work in progress (below); built once per process and copied (fromTemplate). */
function setup(): TestRepo {
  return fromTemplate('roundtrip', build);
}

/**
 * setup() with one backup of it (create --allow-empty through the CLI), made once per process and
 * copied (fromTemplate: the copy's store is the template's).
 */
let createdId: string | undefined;
function setupWithBackup(): { repo: TestRepo; created: { id: string } } {
  const repo = fromTemplate('roundtrip-backup', (t) => {
    build(t);
    createdId = t.json<{ id: string }>(['create', '--allow-empty']).id;
  }, { withStore: true });
  return { repo, created: { id: createdId! } };
}

function build(repo: TestRepo): void {
  repo.git(['init', '-q', '-b', 'main']);
  repo.write('README.md', '# test\n');
  repo.commitAll('initial');
  repo.write('.gitignore', 'build/\n');
  repo.write('src/app.js', 'console.log(1);\n');
  repo.write('bin/run.sh', '#!/bin/sh\necho run\n', 0o755);
  symlinkSync('src/app.js', join(repo.dir, 'link-to-app'));
  repo.write('dir with space/naïve ünïcode.txt', 'unicode\n');
  repo.write('-leading-dash.txt', 'dash\n');
  repo.write('gone-later.txt', 'will be deleted after the backup\n');
  repo.commitAll('base');
  // Work in progress: a staged change, an unstaged change, an exec-bit change, untracked and ignored files.
  repo.write('src/app.js', 'console.log(2); // staged\n');
  repo.git(['add', 'src/app.js']);
  repo.write('README.md', '# changed, not staged\n');
  repo.write('untracked.txt', 'new work\n');
  repo.write('build/out.bin', Buffer.from([0, 1, 2, 255, 254]));
}

test('restore brings back tracked, untracked, exec bits and symlinks byte for byte', () => {
  const repo = setup();
  const before = snapshotFiles(repo, PATHS.filter((p) => p !== 'build/out.bin'));
  const created = repo.json<{ id: string; files: number }>(['create', '--allow-empty', '-m', 'before edit']);
  assert.ok(created.files >= 2, `protects the changed and untracked files (${created.files})`);

  repo.write('README.md', 'clobbered\n');
  rmSync(join(repo.dir, 'src/app.js'));
  repo.write('bin/run.sh', 'broken\n', 0o644);
  rmSync(join(repo.dir, 'link-to-app'));
  repo.write('link-to-app', 'now a file\n');
  rmSync(join(repo.dir, 'untracked.txt'));
  rmSync(join(repo.dir, 'dir with space'), { recursive: true });
  repo.write('added-after.txt', 'new\n');

  const r = repo.cli(['restore', created.id]);
  assert.is(r.code, 0, r.stderr);
  const after = snapshotFiles(repo, PATHS.filter((p) => p !== 'build/out.bin'));
  assert.equal([...after], [...before]);
  assert.ok(existsSync(join(repo.dir, 'added-after.txt')), 'restore never removes files the backup did not have');
});

test('--include-ignored captures ignored files and restore brings them back', () => {
  const repo = setup();
  const created = repo.json<{ id: string }>(['create', '--allow-empty', '--include-ignored']);
  rmSync(join(repo.dir, 'build'), { recursive: true });
  assert.is(repo.cli(['restore', created.id]).code, 0);
  assert.equal([...readFileSync(join(repo.dir, 'build/out.bin'))], [0, 1, 2, 255, 254]);
});

test('ignored files are not captured without the flag', () => {
  const { repo, created } = setupWithBackup();
  rmSync(join(repo.dir, 'build'), { recursive: true });
  assert.is(repo.cli(['restore', created.id]).code, 0);
  assert.not.ok(existsSync(join(repo.dir, 'build/out.bin')));
});

test("restore's safety backup brings back the version it overwrote", () => {
  const { repo, created } = setupWithBackup();
  repo.write('README.md', 'edited after the backup\n');
  const r = repo.json<{ safety_backup: string; overwritten: string[] }>(['restore', created.id]);
  assert.ok(r.safety_backup, 'a safety backup was taken');
  assert.equal(r.overwritten, ['README.md']);
  assert.is(repo.read('README.md'), '# changed, not staged\n');
  const safety = repo.json<{ labels: string[]; paths: string[] }>(['show', r.safety_backup]);
  assert.ok(safety.labels.includes('auto:restore'));
  assert.is(repo.cli(['restore', r.safety_backup]).code, 0);
  assert.is(repo.read('README.md'), 'edited after the backup\n');
});

test('restore of some paths and into another directory', () => {
  const { repo, created } = setupWithBackup();
  repo.write('README.md', 'x\n');
  repo.write('untracked.txt', 'y\n');
  assert.is(repo.cli(['restore', created.id, '--', 'untracked.txt']).code, 0);
  assert.is(repo.read('untracked.txt'), 'new work\n');
  assert.is(repo.read('README.md'), 'x\n', 'paths not named are left alone');

  const other = join(repo.dir, '..', `${created.id}-copy`);
  const r = repo.cli(['restore', created.id, '--to', other]);
  assert.is(r.code, 0, r.stderr);
  assert.is(readFileSync(join(other, 'README.md'), 'utf8'), '# changed, not staged\n');
  assert.is(readlinkSync(join(other, 'link-to-app')), 'src/app.js');
  rmSync(other, { recursive: true });
});

test('restore refuses to write through a symlinked directory', () => {
  const { repo, created } = setupWithBackup();
  const outside = join(repo.dir, '..', 'outside-target');
  rmSync(join(repo.dir, 'src'), { recursive: true });
  symlinkSync(outside, join(repo.dir, 'src'));
  const r = repo.cli(['restore', created.id]);
  assert.is.not(r.code, 0);
  assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.not.ok(existsSync(outside), 'nothing written outside');
});

test('git stash apply --index refs/backups/<id> in a fresh clone at the base restores files and staged state', () => {
  const repo = setup();
  const staged = repo.git(['diff', '--cached']);
  const before = snapshotFiles(repo, PATHS.filter((p) => p !== 'build/out.bin'));
  const { id } = repo.json<{ id: string }>(['create', '--allow-empty']);
  const clone = join(repo.dir, '..', `${id}-clone`);
  repo.git(['clone', '-q', repo.dir, clone]);
  const other = new TestRepo(clone);
  other.git(['fetch', '-q', 'origin', `refs/backups/${id}:refs/backups/${id}`]);
  other.git(['stash', 'apply', '--index', `refs/backups/${id}`]);
  assert.equal([...snapshotFiles(other, PATHS.filter((p) => p !== 'build/out.bin'))], [...before]);
  assert.is(other.git(['diff', '--cached']), staged);
  rmSync(clone, { recursive: true, force: true });
});

test.run();
