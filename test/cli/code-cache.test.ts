// The V8 code cache of the bundles (bin/code-cache.cjs): the build's cache is used; one of another
// source, damaged or refused by V8 is never used and is written again; a cache that cannot be read
// or written changes nothing a user sees; the build's training run leaves the caller's repository
// alone; the everyday commands load the fast path's bundle and the rest the full CLI's. Runs a copy
// of the package so the real dist/bundle is left alone. `--help` and `status` are the probes: both
// go through the fast path's bundle, cli-fast-run.cjs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync, rmSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { PROJECT_ROOT, TEST_ENV, scratchDir } from '../helpers/repo.js';
import { packageCopy } from '../helpers/package-copy.js';


/** The package copy's CLI, run in a fresh scratch repository with the code cache's verdict on stderr. */
function cliIn(pkg: string): (...argv: string[]) => SpawnSyncReturns<string> {
  const repo = scratchDir('gb-codecache-repo-');
  spawnSync('git', ['init', '-q', repo]);
  return (...argv) => spawnSync(process.execPath, [join(pkg, 'bin', 'git-backup.cjs'), ...argv], { cwd: repo, env: { ...TEST_ENV, GIT_BACKUP_DEBUG: '1' }, encoding: 'utf8' });
}

function help(pkg: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(pkg, 'bin', 'git-backup.cjs'), '--help'], { env: { ...TEST_ENV, GIT_BACKUP_DEBUG: '1' }, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** What a cache of this source starts with: the CRC-32 of the bundle (bin/code-cache.cjs). */
const sourceKey = (pkg: string) => {
  const key = Buffer.alloc(4);
  key.writeUInt32BE(crc32(readFileSync(join(pkg, 'dist', 'bundle', FAST))) >>> 0);
  return key;
};
const keyOf = (pkg: string) => readFileSync(cacheOf(pkg)).subarray(0, 4);
const FAST = 'cli-fast-run.cjs';
const cacheOf = (pkg: string) => join(pkg, 'dist', 'bundle', `${FAST}.cache`);
const expectedHelp = readFileSync(join(PROJECT_ROOT, 'dist', 'bundle', 'help.txt'), 'utf8');

test('the cache the build made is used, and left as it is', () => {
  const pkg = packageCopy();
  const before = readFileSync(cacheOf(pkg));
  assert.ok(before.subarray(0, 4).equals(sourceKey(pkg)), 'the cache starts with the CRC-32 of the source');
  const r = help(pkg);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, expectedHelp);
  assert.match(r.stderr, 'code cache of cli-fast-run.cjs: used');
  assert.ok(readFileSync(cacheOf(pkg)).equals(before), 'not written again');
});

test('checking the cache never prints a deprecation warning, even with --pending-deprecation', () => {
  const pkg = packageCopy();
  const spellings = ['--pending-deprecation', '--pending_deprecation --throw-deprecation', '--pending-deprecation=true --throw-deprecation'];
  for (const env of [...spellings.map((o) => ({ NODE_OPTIONS: o })), { NODE_PENDING_DEPRECATION: '1' }, {}]) {
    const r = spawnSync(process.execPath, [join(pkg, 'bin', 'git-backup.cjs'), '--help'], { env: { ...TEST_ENV, ...env, GIT_BACKUP_DEBUG: '1' }, encoding: 'utf8' });
    assert.is(r.status, 0, JSON.stringify(env));
    assert.is(r.stdout, expectedHelp);
    assert.not.match(r.stderr, 'Deprecation', JSON.stringify(env));
    assert.match(r.stderr, `code cache of ${FAST}: used`);
  }
});

test('no cache: the command runs and writes one, which the next run uses', () => {
  const pkg = packageCopy();
  rmSync(cacheOf(pkg));
  const r = help(pkg);
  assert.is(r.stdout, expectedHelp);
  assert.match(r.stderr, 'code cache of cli-fast-run.cjs: none');
  assert.ok(keyOf(pkg).equals(sourceKey(pkg)));
  assert.match(help(pkg).stderr, 'code cache of cli-fast-run.cjs: used');
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
  assert.match(r.stderr, 'code cache of cli-fast-run.cjs: none');
  assert.match(help(pkg).stderr, 'code cache of cli-fast-run.cjs: used', 'the rewritten cache is good');
  // Whole and checksummed, but made for another script (the hook bundle's): V8 refuses it.
  const hookCache = readFileSync(join(pkg, 'dist', 'bundle', 'hook', 'main.cjs.cache'));
  writeFileSync(cacheOf(pkg), Buffer.concat([sourceKey(pkg), hookCache.subarray(4)]));
  r = help(pkg);
  assert.is(r.stdout, expectedHelp);
  assert.match(r.stderr, 'code cache of cli-fast-run.cjs: rejected');
  assert.match(help(pkg).stderr, 'code cache of cli-fast-run.cjs: used');
});

test('a bundle edited by hand, even to the same length, is run as edited, and its cache made again', () => {
  const pkg = packageCopy();
  const bundle = join(pkg, 'dist', 'bundle', FAST);
  const text = readFileSync(bundle, 'utf8');
  assert.ok(text.includes(' protected content, '));
  // V8 compares only the length: without our own key the cached code of the old text would run.
  writeFileSync(bundle, text.replace(' protected content, ', ' PROTECTED CONTENT, '));
  const cli = cliIn(pkg);
  const run = () => cli('status');
  let r = run();
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, 'PROTECTED CONTENT');
  assert.match(r.stderr, 'code cache of cli-fast-run.cjs: none');
  r = run();
  assert.match(r.stdout, 'PROTECTED CONTENT');
  assert.match(r.stderr, 'code cache of cli-fast-run.cjs: used');
});

test('a form the fast path declines runs the full CLI, with its own cache; the fast path\'s answers match it', () => {
  const pkg = packageCopy();
  const run = cliIn(pkg);
  // A command the fast path never takes: the fast bundle is not even read.
  let r = run('config', 'list');
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stderr, 'code cache of cli.cjs: used');
  assert.not.match(r.stderr, FAST);
  // A first word it knows in a form it declines: tried, then yargs answers (help, a usage error).
  r = run('status', '--help');
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, 'git backup status');
  assert.match(r.stderr, `code cache of ${FAST}: used`);
  assert.match(r.stderr, 'code cache of cli.cjs: used');
  r = run('list', '--no-such-flag');
  assert.is(r.status, 2, r.stderr);
  assert.match(r.stderr, /Unknown argument/);
  assert.is(r.stdout, '');
});

test('the full CLI\'s bundle edited by hand is run as edited too; without the fast path\'s bundle the full CLI answers everything', () => {
  const pkg = packageCopy();
  const full = join(pkg, 'dist', 'bundle', 'cli.cjs');
  writeFileSync(full, readFileSync(full, 'utf8').replace(' protected content, ', ' PROTECTED CONTENT, '));
  const run = cliIn(pkg);
  // --no-json: a form the fast path declines, so yargs (in cli.cjs) runs the status.
  let r = run('status', '--no-json');
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, 'PROTECTED CONTENT');
  assert.match(r.stderr, 'code cache of cli.cjs: none');
  assert.match(run('status', '--no-json').stderr, 'code cache of cli.cjs: used');
  assert.not.match(run('status').stdout, 'PROTECTED CONTENT', 'the plain form still runs the fast bundle');
  for (const broken of ['missing', 'garbage']) {
    const fast = join(pkg, 'dist', 'bundle', FAST);
    if (broken === 'missing') rmSync(fast);
    else writeFileSync(fast, 'this is not javascript (');
    r = run('status');
    assert.is(r.status, 0, `${broken}: ${r.stderr}`);
    assert.match(r.stdout, 'PROTECTED CONTENT', broken);
    r = run('list', '--json');
    assert.is(r.status, 0, `${broken}: ${r.stderr}`);
    assert.equal(JSON.parse(r.stdout), []);
  }
});

test('a cache that cannot be read or written changes nothing the user sees and leaves no file behind', () => {
  const pkg = packageCopy();
  rmSync(cacheOf(pkg));
  mkdirSync(join(cacheOf(pkg), 'in-the-way'), { recursive: true });
  let r = help(pkg);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, expectedHelp);
  assert.equal(readdirSync(join(pkg, 'dist', 'bundle')).filter((f) => f.endsWith('.tmp')), []);
  // A FIFO where the cache goes: reading it would wait for a writer forever.
  rmSync(cacheOf(pkg), { recursive: true });
  spawnSync('mkfifo', [cacheOf(pkg)]);
  r = help(pkg);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, expectedHelp);
  // The temp file of a writer killed before its rename goes with the next write, once a minute old.
  rmSync(cacheOf(pkg));
  const leftover = `${cacheOf(pkg)}.999999.tmp`;
  writeFileSync(leftover, 'half');
  const old = new Date(Date.now() - 120_000);
  utimesSync(leftover, old, old);
  help(pkg);
  assert.not.ok(existsSync(leftover));
});

test('the build\'s training run makes a cache this Node takes, and never touches the caller\'s repository', () => {
  const pkg = packageCopy();
  cpSync(join(PROJECT_ROOT, 'scripts', 'train-code-cache.cjs'), join(pkg, 'scripts', 'train-code-cache.cjs'));
  // A cache this Node refuses (made for another script, as one made by another Node would be).
  const hookCache = readFileSync(join(pkg, 'dist', 'bundle', 'hook', 'main.cjs.cache'));
  writeFileSync(cacheOf(pkg), Buffer.concat([sourceKey(pkg), hookCache.subarray(4)]));
  // The caller's repository, as git passes it to a hook of a linked worktree (npm test from a hook).
  const mine = scratchDir('gb-codecache-mine-');
  spawnSync('git', ['init', '-q', mine]);
  const r = spawnSync(process.execPath, [join(pkg, 'scripts', 'train-code-cache.cjs')], {
    env: { ...TEST_ENV, GIT_DIR: join(mine, '.git'), GIT_INDEX_FILE: join(mine, '.git', 'index') },
    encoding: 'utf8',
  });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, '', 'the commands it runs print nothing');
  assert.match(help(pkg).stderr, 'code cache of cli-fast-run.cjs: used');
  assert.not.ok(existsSync(join(mine, '.git', 'backup')), 'nothing written into the caller\'s repository');
  assert.is(spawnSync('git', ['-C', mine, 'rev-parse', '-q', '--verify', 'HEAD']).status, 1, 'no commit made there');
});

test.run();
