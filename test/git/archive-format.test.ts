// The tar reader against real `git archive` output (ustar, pax long paths and link targets, the
// global commit header), fed whole and in odd chunk sizes, its refusals, and the sensitive-glob matcher.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { TarError, TarReader, type TarHeader, type TarKind } from '../../src/git/tar.js';
import { blobId } from '../../src/git/archive.js';
import { matchesAnyGlob } from '../../src/core/glob.js';
import { tempRepo, TEST_ENV } from '../helpers/repo.js';

/** A whole entry with its content. */
interface TarEntry {
  path: string;
  kind: TarKind;
  mode: number;
  /** File content; for a symlink, the link target as bytes (what git stores as the blob). */
  content: Buffer;
}

/** Every entry of a whole uncompressed tar in memory, in archive order, through the streaming reader. */
function readTar(tar: Buffer): TarEntry[] {
  const reader = new TarReader();
  const entries: TarEntry[] = [];
  let parts: Buffer[] = [];
  let current: TarHeader | null = null;
  for (const ev of reader.push(tar)) {
    if (ev.type === 'entry') {
      current = ev.header;
      parts = [];
    } else if (ev.type === 'data') parts.push(ev.chunk);
    else entries.push({ path: current!.path, kind: current!.kind, mode: current!.mode, content: Buffer.concat(parts) });
  }
  reader.finish();
  return entries;
}

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

/** Like gitArchive, plus files larger than every chunk size below (content spans many pushes). */
function gitArchiveWithLarge(): Buffer {
  const repo = tempRepo();
  repo.write(longName, 'long\n');
  repo.write('x.sh', '#!/bin/sh\n', 0o755);
  repo.write('empty', '');
  repo.write('exactly-512', 'e'.repeat(512));
  repo.write('big.bin', randomBytes(200_000 + 7));
  for (let i = 0; i < 50; i++) repo.write(`small/${i}.txt`, `${i}\n`.repeat(i));
  symlinkSync(longName, join(repo.dir, 'link-to-long'));
  const commit = repo.commitAll('all');
  return execFileSync('git', ['archive', '--format=tar', commit], { cwd: repo.dir, env: TEST_ENV, maxBuffer: 1 << 26 });
}

/** Feed `tar` to a TarReader `size` bytes at a time (each chunk a fresh copy, as a stream gives them). */
function readInChunks(tar: Buffer, size: number): TarEntry[] {
  const reader = new TarReader();
  const out: TarEntry[] = [];
  let parts: Buffer[] = [];
  let head: Omit<TarEntry, 'content'> | null = null;
  for (let at = 0; at < tar.length; at += size) {
    for (const ev of reader.push(Buffer.from(tar.subarray(at, at + size)))) {
      if (ev.type === 'entry') {
        head = { path: ev.header.path, kind: ev.header.kind, mode: ev.header.mode };
        parts = [];
      } else if (ev.type === 'data') parts.push(Buffer.from(ev.chunk));
      else out.push({ ...head!, content: Buffer.concat(parts) });
    }
  }
  reader.finish();
  return out;
}

test('TarReader fed 1, 511, 513 and 65536 bytes at a time gives the same entries as the whole buffer', () => {
  const tar = gitArchiveWithLarge();
  const whole = readTar(tar);
  assert.ok(whole.some((e) => e.path === 'big.bin' && e.content.length === 200_007));
  assert.ok(whole.some((e) => e.path === longName) && whole.some((e) => e.path === 'link-to-long' && e.kind === 'symlink'));
  for (const size of [1, 511, 513, 65536]) assert.equal(readInChunks(tar, size), whole, `chunks of ${size}`);
});

test('TarReader: truncation inside an entry or before the end blocks is refused at finish, whatever the chunking', () => {
  const tar = gitArchiveWithLarge();
  for (const size of [1, 513, 65536]) {
    // Cut in the middle of big.bin's content (its name is in its header, which the content follows).
    const at = tar.indexOf(Buffer.from('big.bin')) + 512 + 100_000;
    assert.throws(() => readInChunks(tar.subarray(0, at), size), /runs past the end of the archive/);
    // Half of the first entry's header (after git's global header and its data block).
    assert.throws(() => readInChunks(tar.subarray(0, 1024 + 256), size), /archive is truncated \(no end-of-archive blocks\)/);
  }
});

/** One ustar header block for `name` (type '0', `size` bytes), with a correct checksum. */
function ustarHeader(name: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 'utf8');
  h.write('0000644\0', 100);
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  h.write('00000000000\0', 136);
  h.write('0', 156);
  h.write('ustar\0' + '00', 257, 'latin1');
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

const tarOf = (name: string) => Buffer.concat([ustarHeader(name, 3), Buffer.from('abc'), Buffer.alloc(509), Buffer.alloc(1024)]);

test('TarReader refuses absolute and .. paths (git never writes them), accepts a plain hand-made entry', () => {
  assert.equal(readTar(tarOf('ok/name.txt')).map((e) => [e.path, e.content.toString()]), [['ok/name.txt', 'abc']]);
  for (const bad of ['/etc/passwd', '../outside', 'a/../../b']) {
    assert.throws(() => readTar(tarOf(bad)), (e: unknown) => e instanceof TarError && /unsafe path/.test(e.message), bad);
  }
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
