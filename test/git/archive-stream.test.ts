// checkArchive and importArchive on gzip'd `git archive` output written by hand, so that an archive
// whose recorded sha256 matches can still be damaged inside: the streaming blob hashes, gzip and tar
// errors must catch what the sha256 no longer does, and import must rebuild the same tree in a
// repository that has none of the blobs (every one through fast-import, the large one streamed).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ArchiveMismatch, checkArchive, importArchive, type Manifest } from '../../src/git/archive.js';
import { scratchDir, tempRepo, TEST_ENV } from '../helpers/repo.js';

const BIG = 3 * 1024 * 1024 + 11; // more than any stream chunk (64 KiB) and than fast-import's 1 MiB streaming threshold

function fixture(): { tar: Buffer; manifest: Manifest; big: Buffer } {
  const repo = tempRepo();
  const big = randomBytes(BIG);
  repo.write('data/big.bin', big);
  for (let i = 0; i < 200; i++) repo.write(`small/${i % 10}/${i}.txt`, `small ${i}\n`);
  repo.write('run.sh', '#!/bin/sh\n', 0o755);
  const commit = repo.commitAll('fixture');
  const tree = repo.git(['rev-parse', `${commit}^{tree}`]);
  const files = repo.git(['ls-tree', '-r', commit]).split('\n').map((l) => {
    const [meta, path] = l.split('\t');
    const [mode, , blob] = meta!.split(' ');
    return { path: path!, mode: mode!, blob: blob! };
  });
  const tar = execFileSync('git', ['-c', 'tar.umask=0022', 'archive', '--format=tar', commit], { cwd: repo.dir, env: TEST_ENV, maxBuffer: 1 << 26 });
  return { tar, manifest: { format: 'git-backup-archive-manifest/1', id: '20240101-000000-abcd', snapshot: commit, tree, files }, big };
}

/** Write bytes as an archive file; returns its path and sha256 (recorded as if it were intact). */
function archiveFile(bytes: Buffer): { path: string; sha: string } {
  const path = join(scratchDir('gb-arch-'), 'a.tar.gz');
  writeFileSync(path, bytes);
  return { path, sha: createHash('sha256').update(bytes).digest('hex') };
}

async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ArchiveMismatch, String(e));
    assert.is((e as Error).message.split('\n').length, 1);
    return (e as Error).message;
  }
  throw new Error('expected a failed verification');
}

test('an intact archive passes; a wrong sha256, a flipped content byte, a truncated tar or gzip each fail with their one line', async () => {
  const { tar, manifest } = fixture();
  const good = archiveFile(gzipSync(tar));
  await checkArchive(good.path, manifest, good.sha);
  assert.match(await rejection(checkArchive(good.path, manifest, '0'.repeat(64))), /failed verification: sha256 is [0-9a-f]{12}…, expected 000000000000…$/);

  // A byte in the middle of the large entry, re-gzipped, the new sha256 recorded: only the blob hash sees it.
  const flipped = Buffer.from(tar);
  flipped[tar.indexOf(Buffer.from('data/big.bin')) + 512 + (BIG >> 1)]! ^= 0x40;
  const bad = archiveFile(gzipSync(flipped));
  assert.match(await rejection(checkArchive(bad.path, manifest, bad.sha)), /1 difference\(s\): data\/big\.bin has different content$/);

  const cut = archiveFile(gzipSync(tar.subarray(0, tar.indexOf(Buffer.from('data/big.bin')) + 512 + 1000 * 1000)));
  assert.match(await rejection(checkArchive(cut.path, manifest, cut.sha)), /entry at byte \d+ runs past the end of the archive$/);

  const gz = gzipSync(tar);
  const half = archiveFile(gz.subarray(0, gz.length >> 1));
  assert.match(await rejection(checkArchive(half.path, manifest, half.sha)), /not a gzip file \(unexpected end of file\)$/);
  // Damaged and not re-recorded: the sha256 is what is reported, as when the file was read whole.
  assert.match(await rejection(checkArchive(half.path, manifest, good.sha)), /sha256 is/);
  assert.match(await rejection(checkArchive(join(good.path, 'nope'), manifest, good.sha)), /cannot read it \(ENOTDIR\)$/);
});

test('importArchive into a repository that lacks every blob: the same tree, the large blob byte-exact; a damaged archive imports nothing', async () => {
  const { tar, manifest, big } = fixture();
  const good = archiveFile(gzipSync(tar));
  const other = tempRepo({ commit: false });
  const repo = { worktree: other.dir, gitDir: join(other.dir, '.git'), commonDir: join(other.dir, '.git'), indexFile: join(other.dir, '.git', 'index') };
  const tmp = scratchDir('gb-tmp-');
  const damaged = gzipSync(tar);
  damaged[damaged.length >> 1]! ^= 0x01;
  const flipped = archiveFile(damaged);
  assert.match(await rejection(importArchive(repo, tmp, flipped.path, manifest, good.sha)), /sha256 is/);
  assert.is(other.git(['count-objects']), '0 objects, 0 kilobytes', 'refused before anything reached git');
  assert.is(await importArchive(repo, tmp, good.path, manifest, good.sha), manifest.tree);
  const bigBlob = manifest.files.find((f) => f.path === 'data/big.bin')!.blob;
  const back = execFileSync('git', ['cat-file', 'blob', bigBlob], { cwd: other.dir, env: TEST_ENV, maxBuffer: 1 << 26 });
  assert.ok(back.equals(big));
  other.git(['fsck', '--no-progress', '--no-dangling']);
  // A second import finds every blob present and writes none.
  assert.is(await importArchive(repo, tmp, good.path, manifest, good.sha), manifest.tree);
});

test.run();
