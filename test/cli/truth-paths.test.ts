// Issue 8: archive paths are stored relative to the archive directory and resolved at use; recover
// reports what it cannot repair (a missing archive file, a journal file that is not one).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestRepo, scratchDir } from '../helpers/repo.js';
import { archivedAndLive, dbPath, ok, type Rec } from '../helpers/truth.js';

test('after mv repo repo2, and in a cp -a copy, restore and verify of an ARCHIVED backup read the archive that is there', () => {
  const { repo, archived } = archivedAndLive();
  const moved = new TestRepo(join(scratchDir(), 'repo2'));
  execFileSync('mv', [repo.dir, moved.dir]);
  ok(moved, ['verify']);
  const copy = new TestRepo(join(scratchDir(), 'copy'));
  execFileSync('cp', ['-a', moved.dir, copy.dir]);
  rmSync(moved.dir, { recursive: true, force: true }); // the copy must not have been reading the original's archives
  ok(copy, ['verify']);
  const out = scratchDir();
  ok(copy, ['restore', archived, '--to', out]);
  assert.equal(readdirSync(out).sort(), ['README.md', 'a.txt']);
});

test('recover reports an archive file that is gone, and a journal file that is not a journal entry (exit 7)', () => {
  const { repo, archived } = archivedAndLive();
  const archiveDir = join(repo.dir, '.git', 'backup', 'archive');
  const [year] = readdirSync(archiveDir);
  const [month] = readdirSync(join(archiveDir, year!));
  rmSync(join(archiveDir, year!, month!, `${archived}.tar.gz`));
  mkdirSync(join(repo.dir, '.git', 'backup', 'journal'), { recursive: true });
  writeFileSync(join(repo.dir, '.git', 'backup', 'journal', 'archive-x-0000.json'), 'not json');
  const r = repo.cli(['recover']);
  assert.is(r.code, 7, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`${archived} is ARCHIVED but its archive .* is missing`));
  assert.match(r.stdout, /archive-x-0000\.json is not a journal entry/);
  assert.ok(JSON.parse(execFileSync('cat', [dbPath(repo)], { encoding: 'utf8' })).backups.some((b: Rec) => b.id === archived), 'changes nothing');
});

test.run();
