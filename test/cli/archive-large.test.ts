// An archive larger than every stream buffer, with real git and the real CLI: a 6 MB file of
// pseudo-random bytes (gzip cannot shrink it, so it spans about a hundred 64 KiB stream chunks, some
// four hundred 16 KiB zlib chunks, and more than execFile's default 1 MiB maxBuffer) among
// many small files → archive → gc --now (the blobs now exist only in the archive) → verify →
// restore --to DIR and in place, byte-exact; a flipped byte in the middle of the large entry and a
// truncated archive are caught by verify and restore, which write nothing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createCipheriv } from 'node:crypto';
import { existsSync, lstatSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir, tempRepo, type TestRepo } from '../helpers/repo.js';

interface Rec { id: string; state: string; archive: { path: string; bytes: number; files: number } | null }

const BIG = 6 * 1024 * 1024 + 3;

/** Deterministic pseudo-random bytes (AES-CTR over zeros): incompressible, the same every run. */
function pseudoRandom(n: number, seed: number): Buffer {
  const key = Buffer.alloc(16, seed);
  return createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(n));
}

// Built once, shared by both tests (the second damages the archive and puts the intact bytes back).
let built: { repo: TestRepo; files: Map<string, Buffer>; r: Rec } | undefined;
function setup(): { repo: TestRepo; files: Map<string, Buffer>; r: Rec } {
  built ??= build();
  return built;
}

function build(): { repo: TestRepo; files: Map<string, Buffer>; r: Rec } {
  const repo = tempRepo();
  for (let i = 0; i < 300; i++) repo.write(`src/${i % 17}/f${i}.txt`, `tracked ${i}\n`);
  repo.commitAll('base');
  const files = new Map<string, Buffer>();
  const put = (path: string, content: Buffer) => {
    repo.write(path, content);
    files.set(path, content);
  };
  put('assets/big.bin', pseudoRandom(BIG, 7)); // untracked: the snapshot's third parent
  for (let i = 0; i < 300; i += 7) put(`src/${i % 17}/f${i}.txt`, Buffer.from(`changed ${i}\n`));
  for (let i = 0; i < 400; i++) put(`new/${i % 13}/n${i}.dat`, pseudoRandom(1 + (i * 37) % 3000, i % 250));
  const id = repo.json<Rec>(['create', '--allow-empty', '-m', 'large']).id;
  repo.json(['cleanup', id]);
  const [r] = repo.json<Rec[]>(['archive', id]);
  assert.is(r!.state, 'ARCHIVED');
  assert.ok(r!.archive!.bytes > BIG, 'random content does not compress');
  repo.json(['gc', '--now']);
  return { repo, files, r: r! };
}

function sameFiles(dir: string, files: Map<string, Buffer>): void {
  for (const [path, content] of files) {
    const got = readFileSync(join(dir, path));
    assert.ok(got.equals(content), `${path} differs (${got.length} bytes, expected ${content.length})`);
  }
}

test('large archive: verify passes, restore --to DIR and in place are byte-exact after gc pruned the blobs', () => {
  const { repo, files, r } = setup();
  const big = repo.git(['hash-object', 'assets/big.bin']);
  assert.throws(() => repo.git(['cat-file', '-e', big]), undefined, 'gc --now removed the snapshot blobs: restore must import them');
  const v = repo.cli(['verify', r.id, '--json']);
  assert.is(v.code, 0, v.stderr);
  assert.is((JSON.parse(v.stdout) as { ok: boolean }).ok, true);
  const to = join(scratchDir('gb-to-'), 'out');
  const res = repo.cli(['restore', r.id, '--to', to]);
  assert.is(res.code, 0, res.stderr);
  sameFiles(to, files);
  assert.ok(lstatSync(join(to, 'src/0/f0.txt')).isFile(), 'tracked files come back too');
  // In place, with the large file gone from the working tree.
  rmSync(join(repo.dir, 'assets'), { recursive: true });
  rmSync(join(repo.dir, 'new'), { recursive: true });
  const back = repo.cli(['restore', r.id]);
  assert.is(back.code, 0, back.stderr);
  sameFiles(repo.dir, files);
  assert.equal(readdirSync(repo.dir).filter((n) => n.startsWith('fast_import_crash')), []);
  repo.git(['fsck', '--no-progress', '--no-dangling']);
});

test('large archive: a flipped byte in the middle of the large entry and a truncated archive fail verify and restore (exit 3, nothing written)', () => {
  const { repo, r } = setup();
  const path = r.archive!.path;
  const intact = readFileSync(path);
  const damaged = Buffer.from(intact);
  damaged[damaged.length >> 1]! ^= 0x10; // the large entry is nearly all of the archive
  const cases: [string, () => void][] = [
    ['flipped byte', () => writeFileSync(path, damaged)],
    ['truncated', () => truncateSync(path, Math.floor(intact.length * 0.6))],
  ];
  for (const [what, damage] of cases) {
    writeFileSync(path, intact);
    damage();
    const v = repo.cli(['verify', r.id]);
    assert.is(v.code, 3, what);
    assert.match(v.stdout, /FAIL/, what);
    assert.match(v.stdout, /failed verification: sha256 is/, what);
    const to = join(scratchDir('gb-to-'), 'out');
    const res = repo.cli(['restore', r.id, '--to', to]);
    assert.is(res.code, 3, what);
    assert.is(res.stderr.trim().split('\n').length, 1, res.stderr);
    assert.match(res.stderr, /failed verification.*refusing to restore.*nothing was written/, what);
    assert.not.ok(existsSync(to), `${what}: nothing written`);
    assert.is(repo.cli(['diff', r.id, '--stat']).code, 3, what);
  }
  writeFileSync(path, intact);
  assert.is(repo.cli(['verify', r.id]).code, 0, 'the intact bytes verify again');
});

test.run();
