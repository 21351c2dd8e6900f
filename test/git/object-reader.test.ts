// One `cat-file --batch` per repository for the process (src/git/object-reader.ts): answers in the
// order asked, bytes as stored, null for what is missing; the process waits for an answer it awaits
// and never waits for the reader otherwise.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT, scratchDir, tempRepo, TEST_ENV } from '../helpers/repo.js';
import { findRepo } from '../../src/git/exec.js';
import { readObjects } from '../../src/git/object-reader.js';

test('blobs (not UTF-8, large), trees, commits, rev:path names; missing is null; calls side by side keep their answers', async () => {
  const repo = tempRepo();
  const odd = Buffer.from([0xff, 0xfe, 0x00, 0x0a, 0x41]);
  const big = Buffer.alloc(3 * 1024 * 1024 + 7, 0x61);
  writeFileSync(join(repo.dir, 'odd.bin'), odd);
  writeFileSync(join(repo.dir, 'big.txt'), big);
  repo.commitAll('objects');
  const paths = await findRepo(repo.dir);
  const [a, b] = await Promise.all([
    readObjects(paths, ['HEAD:odd.bin', 'HEAD', 'HEAD:nope', '0123456789012345678901234567890123456789', 'HEAD^{tree}']),
    readObjects(paths, ['HEAD:big.txt', 'HEAD:README.md']),
  ]);
  assert.ok(a[0]!.body.equals(odd));
  assert.is(a[0]!.type, 'blob');
  assert.is(a[1]!.type, 'commit');
  assert.match(a[1]!.body.toString(), /^tree [0-9a-f]{40}\n/);
  assert.is(a[2], null);
  assert.is(a[3], null);
  assert.is(a[4]!.type, 'tree');
  assert.ok(b[0]!.body.equals(big), 'a large object whole, in its own buffer');
  assert.is(b[1]!.body.toString(), '# test\n');
  assert.equal(await readObjects(paths, []), []);
  assert.is((await readObjects(paths, ['HEAD:README.md']))[0]!.body.toString(), '# test\n', 'asked again: the same reader answers');
});

test('a process that reads many repositories keeps a few git children, and a repository let go is read again', async () => {
  const repos = await Promise.all(Array.from({ length: 6 }, async () => findRepo(tempRepo().dir)));
  for (const paths of repos) assert.is((await readObjects(paths, ['HEAD:README.md']))[0]!.body.toString(), '# test\n');
  await new Promise((r) => setTimeout(r, 300)); // the let-go ones see the end of their input
  const children = spawnSync('ps', ['--ppid', String(process.pid), '-o', 'args='], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.includes('cat-file'));
  assert.ok(children.length <= 4, `${children.length} cat-file children`);
  assert.is((await readObjects(repos[0]!, ['HEAD:README.md']))[0]!.body.toString(), '# test\n');
});

/** A script (in `dir`) that reads `names` through the reader in a process of its own and prints `then(answers)`. */
function readerScript(dir: string, names: string[], then: string): string {
  const script = join(dir, 'read.mjs');
  const reader = join(PROJECT_ROOT, 'dist', 'src', 'git', 'object-reader.js');
  const exec = join(PROJECT_ROOT, 'dist', 'src', 'git', 'exec.js');
  writeFileSync(script, `
    const { readObjects } = await import(${JSON.stringify(reader)});
    const { findRepo } = await import(${JSON.stringify(exec)});
    const paths = await findRepo(process.argv[2]);
    process.stdout.write(await readObjects(paths, ${JSON.stringify(names)}).then(${then}));
  `);
  return script;
}

test('a process awaiting an answer stays for it, and ends as soon as it is done (the reader holds nothing open)', () => {
  const repo = tempRepo();
  // An answer that takes git a while (inflating 40 MB) arrives after our request is written.
  writeFileSync(join(repo.dir, 'README.md'), Buffer.alloc(40 * 1024 * 1024, 0x62));
  repo.commitAll('big');
  const script = readerScript(scratchDir(), ['HEAD:README.md'], '([o]) => String(o.body.length)');
  const t = Date.now();
  const r = spawnSync(process.execPath, [script, repo.dir], { env: TEST_ENV, encoding: 'utf8', timeout: 20_000 });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, String(40 * 1024 * 1024), 'the whole answer, awaited');
  assert.ok(Date.now() - t < 10_000, 'ended by itself');
});

test('git dying in the middle of an answer fails the call: the process does not end with it unsettled', () => {
  const repo = tempRepo();
  const dir = scratchDir();
  // A git whose cat-file starts an answer, closes its stdout, and exits a second later (as a git
  // that dies reading a corrupt object can be seen to: its stdout ends before its exit is known).
  const realGit = spawnSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).stdout.trim();
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(
    join(bin, 'git'),
    `#!/bin/sh\nif [ "$1" = cat-file ]; then read line; printf '%s blob 10\\nabc' "$line"; exec 1>&-; sleep 1; echo 'fatal: gone' >&2; exit 128; fi\nexec ${realGit} "$@"\n`,
    { mode: 0o755 },
  );
  const script = readerScript(dir, ['HEAD'], "() => 'answered', (e) => 'failed: ' + e.message");
  const env = { ...TEST_ENV, PATH: `${bin}:${TEST_ENV.PATH ?? process.env.PATH}` };
  const r = spawnSync(process.execPath, [script, repo.dir], { env, encoding: 'utf8', timeout: 20_000 });
  assert.is(r.status, 0, `status ${r.status} (13: the call was left unsettled) ${r.stderr}`);
  assert.is(r.stdout, 'failed: git cat-file ended: fatal: gone');
});

test.run();
