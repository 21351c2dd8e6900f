// The V8 code cache of the bundles (bin/code-cache.cjs): the build's cache is used, one of another
// build, damaged or refused by V8 is never used and is written again, and a cache that cannot be written changes
// nothing a user sees. Runs a copy of the package (bin, dist/bundle, package.json) so the real
// dist/bundle is left alone.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT, TEST_ENV, scratchDir } from '../helpers/repo.js';

function packageCopy(): string {
  const dir = scratchDir('gb-codecache-');
  cpSync(join(PROJECT_ROOT, 'bin'), join(dir, 'bin'), { recursive: true });
  cpSync(join(PROJECT_ROOT, 'dist', 'bundle'), join(dir, 'dist', 'bundle'), { recursive: true });
  cpSync(join(PROJECT_ROOT, 'package.json'), join(dir, 'package.json'));
  return dir;
}

function help(pkg: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(pkg, 'bin', 'git-backup.cjs'), '--help'], { env: { ...TEST_ENV, GIT_BACKUP_DEBUG: '1' }, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const buildId = (pkg: string) => /^\/\/gb-build ([0-9a-f]{16})\n/.exec(readFileSync(join(pkg, 'dist', 'bundle', 'cli.cjs'), 'utf8'))![1]!;
const cacheOf = (pkg: string) => join(pkg, 'dist', 'bundle', 'cli.cjs.cache');
const expectedHelp = readFileSync(join(PROJECT_ROOT, 'dist', 'bundle', 'help.txt'), 'utf8');

test('the cache the build made is used, and left as it is', () => {
  const pkg = packageCopy();
  const before = readFileSync(cacheOf(pkg));
  assert.is(before.toString('latin1', 0, 16), buildId(pkg), 'the cache starts with the build id');
  const r = help(pkg);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, expectedHelp);
  assert.match(r.stderr, 'code cache of cli.cjs: used');
  assert.ok(readFileSync(cacheOf(pkg)).equals(before), 'not written again');
});

test('no cache: the command runs and writes one, which the next run uses', () => {
  const pkg = packageCopy();
  rmSync(cacheOf(pkg));
  const r = help(pkg);
  assert.is(r.stdout, expectedHelp);
  assert.match(r.stderr, 'code cache of cli.cjs: none');
  assert.is(readFileSync(cacheOf(pkg)).toString('latin1', 0, 16), buildId(pkg));
  assert.match(help(pkg).stderr, 'code cache of cli.cjs: used');
});

test('a damaged cache is never given to V8, one V8 refuses is written again, one of another build is never used', () => {
  const pkg = packageCopy();
  const good = readFileSync(cacheOf(pkg));
  // One flipped byte in the V8 data: V8 itself would use it (or crash); the CRC-32 catches it.
  const flipped = Buffer.from(good);
  flipped[flipped.length - 1000]! ^= 0xff;
  writeFileSync(cacheOf(pkg), flipped);
  let r = help(pkg);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, expectedHelp);
  assert.match(r.stderr, 'code cache of cli.cjs: none');
  assert.match(help(pkg).stderr, 'code cache of cli.cjs: used', 'the rewritten cache is good');
  // Whole and checksummed, but made for another script (the hook bundle's): V8 refuses it.
  const hookCache = readFileSync(join(pkg, 'dist', 'bundle', 'hook', 'main.cjs.cache'));
  writeFileSync(cacheOf(pkg), Buffer.concat([Buffer.from(buildId(pkg), 'latin1'), hookCache.subarray(16)]));
  r = help(pkg);
  assert.is(r.stdout, expectedHelp);
  assert.match(r.stderr, 'code cache of cli.cjs: rejected');
  assert.match(help(pkg).stderr, 'code cache of cli.cjs: used');
  // A valid cache of this bundle under another build id: treated as none.
  const again = readFileSync(cacheOf(pkg));
  writeFileSync(cacheOf(pkg), Buffer.concat([Buffer.from('0123456789abcdef', 'latin1'), again.subarray(16)]));
  r = help(pkg);
  assert.match(r.stderr, 'code cache of cli.cjs: none');
  assert.is(readFileSync(cacheOf(pkg)).toString('latin1', 0, 16), buildId(pkg));
});

test('a cache that cannot be written changes nothing the user sees and leaves no file behind', () => {
  const pkg = packageCopy();
  rmSync(cacheOf(pkg));
  mkdirSync(join(cacheOf(pkg), 'in-the-way'), { recursive: true });
  const r = help(pkg);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, expectedHelp);
  assert.equal(readdirSync(join(pkg, 'dist', 'bundle')).filter((f) => f.endsWith('.tmp')), []);
});

test.run();
