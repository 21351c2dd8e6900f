// Issue 8: a full disk. At 64 KiB free, `create` either takes the backup and says so (exit 0), or
// fails with one line naming the full disk and leaves no half-made backup behind (no ref). Needs a
// small tmpfs (root); elsewhere the test says it was skipped.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, openSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { TestRepo, scratchDir } from '../helpers/repo.js';
import { ok } from '../helpers/truth.js';

function mountSmall(dir: string): boolean {
  return spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=6m', 'tmpfs', dir]).status === 0;
}

/** Fill the filesystem, then give back `free` bytes. */
function fillLeaving(dir: string, free: number): void {
  const file = join(dir, 'filler');
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) writeSync(fd, chunk);
  } catch {
    // ENOSPC: full
  }
  ftruncateSync(fd, Math.max(0, statSync(file).size - free));
  closeSync(fd);
}

for (const freeKiB of [8, 24, 40, 64]) test(`create at ${freeKiB} KiB free: exit 0 with the backup recorded, or one line about the full disk and no ref left`, () => {
  const mnt = scratchDir();
  if (!mountSmall(mnt)) {
    console.log('skipped: cannot mount a tmpfs here (needs root)');
    return;
  }
  try {
    const repo = new TestRepo(join(mnt, 'repo'));
    execFileSync('git', ['init', '-q', '-b', 'main', repo.dir]);
    repo.write('README.md', 'x\n');
    repo.commitAll('init');
    repo.write('one.txt', 'first\n');
    ok(repo, ['create', '--allow-empty', '-m', 'first']);
    repo.write('two.txt', 'second\n'.repeat(100));
    fillLeaving(mnt, freeKiB * 1024);
    const r = repo.cli(['create', '--allow-empty', '-m', 'on a full disk']);
    execFileSync('rm', ['-f', join(mnt, 'filler')]);
    const refs = repo.git(['for-each-ref', 'refs/backups/']).split('\n').filter(Boolean).length;
    if (r.code === 0) {
      assert.is(refs, 2, 'exit 0 means the backup exists');
      assert.ok(repo.json<unknown[]>(['list']).length === 2);
    } else {
      assert.is(r.code, 1);
      assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, /no space left on device|No space left/i, r.stderr);
      assert.is(refs, 1, 'a failed create leaves no ref behind');
    }
    ok(repo, ['ci']);
  } finally {
    spawnSync('umount', ['-l', mnt]);
  }
});

test.run();
