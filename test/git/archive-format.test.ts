// The tar reader against real `git archive` output (ustar, pax long paths and link targets, the
// global commit header), its refusals, and the sensitive-glob matcher.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { readTar, TarError } from '../../src/git/tar.js';
import { blobId } from '../../src/git/archive.js';
import { matchesAnyGlob } from '../../src/core/glob.js';
import { tempRepo, TEST_ENV } from '../helpers/repo.js';

const longDir = 'a'.repeat(150);
const longName = `${longDir}/${'b'.repeat(120)}.txt`;

function gitArchive(): { tar: Buffer; ls: string } {
  const repo = tempRepo();
  repo.write(longName, 'long\n');
  repo.write('x.sh', '#!/bin/sh\n', 0o755);
  repo.write('bin', Buffer.from([0, 255, 0, 10]));
  symlinkSync(longName, join(repo.dir, 'link-to-long'));
  const commit = repo.commitAll('all');
  const tar = execFileSync('git', ['archive', '--format=tar', commit], { cwd: repo.dir, env: TEST_ENV, maxBuffer: 1 << 26 });
  return { tar, ls: repo.git(['ls-tree', '-r', commit]) };
}

test('readTar: every path, kind, exec bit and blob hash of git archive output (pax long names, global header)', () => {
  const { tar, ls } = gitArchive();
  const entries = readTar(tar).filter((e) => e.kind !== 'dir');
  const got = entries.map((e) => `${e.kind === 'symlink' ? '120000' : e.mode & 0o100 ? '100755' : '100644'} blob ${blobId(e.content, false)}\t${e.path}`).sort();
  assert.equal(got, ls.split('\n').sort());
  assert.ok(entries.some((e) => e.path === longName));
  assert.is(entries.find((e) => e.path === 'link-to-long')!.content.toString(), longName);
});

test('readTar refuses a flipped header byte and a truncated archive', () => {
  const { tar } = gitArchive();
  const bad = Buffer.from(tar);
  bad[1024 + 10]! ^= 1; // the first entry header (after the pax global header and its data block)
  assert.throws(() => readTar(bad), (e: unknown) => e instanceof TarError);
  assert.throws(() => readTar(tar.subarray(0, 1024)), (e: unknown) => e instanceof TarError);
});

test('matchesAnyGlob: names at any depth, anchored paths, ** and directories', () => {
  assert.ok(matchesAnyGlob('.env', ['.env']));
  assert.ok(matchesAnyGlob('config/prod/.env', ['.env']));
  assert.ok(matchesAnyGlob('keys/server.pem', ['*.pem']));
  assert.not.ok(matchesAnyGlob('keys/server.pem.txt', ['*.pem']));
  assert.ok(matchesAnyGlob('secrets/a/b.txt', ['secrets']));
  assert.ok(matchesAnyGlob('app/secrets/a.txt', ['app/secrets/']));
  assert.not.ok(matchesAnyGlob('other/app/secrets/a.txt', ['app/secrets']));
  assert.ok(matchesAnyGlob('other/app/secrets/a.txt', ['**/secrets']));
  assert.ok(matchesAnyGlob('a/b/c/id_rsa', ['a/**/id_rsa']));
  assert.not.ok(matchesAnyGlob('readme.md', ['*.pem', '']));
});

test.run();
