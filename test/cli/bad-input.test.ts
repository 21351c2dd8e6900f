// Acceptance: bad input gets the right exit code, one line on stderr, and changes nothing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { CLI, TEST_ENV, scratchDir, tempRepo, TestRepo, type CliResult } from '../helpers/repo.js';

function fingerprint(repo: TestRepo): string {
  const db = join(repo.dir, '.git', 'backup', 'db.json');
  const dbHash = existsSync(db) ? createHash('sha256').update(readFileSync(db)).digest('hex') : 'none';
  return [dbHash, repo.git(['for-each-ref']), repo.git(['status', '--porcelain=v2'])].join('\n');
}

function expectError(r: CliResult, code: number, pattern?: RegExp): void {
  assert.is(r.code, code, `exit ${r.code}, stderr: ${r.stderr}`);
  assert.is(r.stdout, '', 'nothing on stdout');
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.is(lines.length, 1, `one line on stderr, got: ${r.stderr}`);
  if (pattern) assert.match(lines[0]!, pattern);
}

const repo = tempRepo();
repo.write('a.txt', 'x\n');
// A fixed clock (GIT_BACKUP_NOW, test-only) makes both ids share their time part.
const clock = { env: { GIT_BACKUP_NOW: '2026-11-21T10:30:00Z' } };
const first = repo.json<{ id: string }>(['create', '--allow-empty', '-m', 'first'], clock);
const second = repo.json<{ id: string }>(['create', '--allow-empty', '-m', 'second'], clock);
const sharedPrefix = '20261121-103000';

const cases: [string, string[], number, RegExp?][] = [
  ['unknown id', ['show', '20000101-000000-abcd'], 4, /no backup/],
  ['id with ..', ['show', '../x'], 2, /id/],
  ['id with a newline', ['show', '20261121\n-000000'], 2],
  ['too short a prefix', ['show', '2026'], 2],
  ['an empty id to log (printed the whole log, exit 0; adversarial campaign)', ['log', ''], 2, /too short/],
  ['unknown state', ['transition', first.id, 'BOGUS'], 2, /state/i],
  ['unknown state in list', ['list', '--state', 'nope'], 2, /state/i],
  ['invalid transition', ['transition', first.id, 'CONFIRMED'], 3],
  ['unknown command', ['frobnicate'], 2],
  ['unknown option', ['list', '--bogus'], 2],
  ['missing id', ['show'], 2],
  ['bad limit', ['list', '--limit', '0'], 2],
  ['a flag given a value', ['list', '--json=maybe'], 2, /--json is a flag/],
  ['a flag of create given a value', ['create', '--pin=yes'], 2, /--pin is a flag/],
  ['a negated flag given a value', ['gc', '--no-now=1'], 2, /--now is a flag/],
  ['path outside the tree', ['create', '--', '../outside'], 2, /outside/],
  ['path inside the git directory', ['create', '--', '.git/config'], 2, /inside the git directory/],
  ['the git directory itself', ['create', '-m', 'x', '--', 'a.txt', '.git'], 2, /inside the git directory/],
  ['restore of a path inside the git directory', ['restore', first.id, '--', '.git/HEAD'], 2, /inside the git directory/],
  ['path that does not exist', ['create', '--', 'no-such-file'], 4],
  ['delete without a terminal', ['delete', first.id], 9],
  ['delete un-integrated work without --force', ['delete', first.id, '--yes'], 9, /--force/],
  ['restore of a path not in the backup', ['restore', first.id, '--', 'nope.txt'], 4],
  // A text option needs its text (before: `create -m` took a backup with an empty message, and
  // `restore ID --to` restored into the working tree), and takes one (`-m a -m b` stored "a,b").
  ['-m without its text', ['create', '--allow-empty', '-m'], 2, /arguments following: m/],
  ['-m given twice', ['create', '--allow-empty', '-m', 'a', '-m', 'b'], 2, /--message is given more than once/],
  ['--message given twice', ['create', '--allow-empty', '--message=a', '--message', 'b'], 2, /--message is given more than once/],
  ['run -m without its text', ['run', '-m'], 2, /arguments following: m/],
  ['restore --to without its directory', ['restore', first.id, '--to'], 2, /arguments following: to/],
  ['list --grep given twice', ['list', '--grep', 'a', '--grep', 'b'], 2, /--grep is given more than once/],
  ['transition --reason without its text', ['transition', first.id, 'CLEANABLE', '--reason'], 2, /arguments following: reason/],
  // yargs reads --no-to as false and --to.x as an object: the directory "false" was made and written.
  ['restore --no-to', ['restore', first.id, '--no-to'], 2, /--to takes a text/],
  ['restore --to.x', ['restore', first.id, '--to.x', 'y'], 2, /--to takes a text/],
  ['restore --to ""', ['restore', first.id, '--to', ''], 2, /--to needs a non-empty text/],
  ['list --no-branch', ['list', '--no-branch'], 2, /--branch takes a text/],
  ['status --prometheus-file given twice', ['status', '--prometheus-file', 'a', '--prometheus-file', 'b'], 2, /--prometheus-file is given more than once/],
  ['status --no-prometheus-file', ['status', '--no-prometheus-file'], 2, /--prometheus-file takes a text/],
  ['list --limit given twice', ['list', '--limit', '1', '--limit', '2'], 2, /--limit is given more than once/],
  ['list --limit alone', ['list', '--limit'], 2, /--limit needs a whole number of 1 or more;/],
  ['list --sort given twice', ['list', '--sort', 'age', '--sort', 'size'], 2, /--sort is given more than once/],
  ['list --sort without its value', ['list', '--sort'], 2, /arguments following: sort/],
  // A repeatable option alone was taken as none (`--label` alone, `--state` alone), and `--label=`,
  // `--label ""`, `--no-label` and `--label.x y` stored the labels "", "", "false", "[object Object]".
  ['create --label alone', ['create', '--allow-empty', '--label'], 2, /--label needs a value/],
  ['create --label=', ['create', '--allow-empty', '--label='], 2, /--label (needs a value|takes a non-empty text)/],
  ['create --label ""', ['create', '--allow-empty', '--label', ''], 2, /--label takes a non-empty text/],
  ['create --no-label', ['create', '--allow-empty', '--no-label'], 2, /--label takes a non-empty text/],
  ['create --label.x y', ['create', '--allow-empty', '--label.x', 'y'], 2, /--label takes a non-empty text/],
  ['create --label - (the fast path and yargs agree)', ['create', '--allow-empty', '--label', '-'], 2, /--label needs a value|Unknown argument: -/],
  ['run --no-label', ['run', '--no-label', '--', 'true'], 2, /--label takes a non-empty text/],
  ['list --state alone', ['list', '--state'], 2, /--state needs a value/],
  ['list --label=', ['list', '--label='], 2, /--label (needs a value|takes a non-empty text)/],
  ['ci --max-age alone', ['ci', '--max-age'], 2, /--max-age needs a value/],
];

for (const [name, args, code, pattern] of cases) {
  test(`${name}: exit ${code}, one line, nothing changed`, () => {
    const before = fingerprint(repo);
    expectError(repo.cli(args), code, pattern);
    assert.is(fingerprint(repo), before);
  });
}

test('a git directory kept inside the working tree (--separate-git-dir): its files are refused too', () => {
  const dir = scratchDir('gb-sepdir-');
  const sep = new TestRepo(dir);
  sep.git(['init', '-q', '-b', 'main', '--separate-git-dir', join(dir, 'meta')]);
  sep.write('a.txt', 'a\n');
  sep.commitAll('initial');
  const before = sep.git(['for-each-ref']);
  expectError(sep.cli(['create', '--', 'meta/config']), 2, /inside the git directory/);
  assert.is(sep.git(['for-each-ref']), before);
});

test('ambiguous prefix: exit 2 naming the candidates', () => {
  const before = fingerprint(repo);
  expectError(repo.cli(['show', sharedPrefix]), 2, /ambiguous/);
  assert.is(fingerprint(repo), before);
});

test('outside a git repository: exit 2, one line', () => {
  const dir = scratchDir('gb-norepo-');
  const r = new TestRepo(dir).cli(['list']);
  expectError(r, 2, /git/);
  assert.not.ok(existsSync(join(dir, '.git')));
});

test('a unique prefix of 8+ characters works where an id does', () => {
  let len = 8;
  while (first.id.startsWith(second.id.slice(0, len))) len++;
  assert.ok(len < second.id.length, 'a proper prefix');
  const r = repo.cli(['show', second.id.slice(0, len), '--json']);
  assert.is(r.code, 0, r.stderr);
  assert.is(JSON.parse(r.stdout).id, second.id);
});

test('a reader that leaves early (list | head -c 0): exit 0, nothing on stderr, like git', async () => {
  const child = spawn(process.execPath, [CLI, 'status'], { cwd: repo.dir, env: TEST_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy(); // the read end is closed before the command writes a byte
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise((resolve) => child.on('close', resolve));
  assert.is(stderr, '');
  assert.is(code, 0);
});

test('a full standard output: one line that says so, exit 1, on both ways a command runs', () => {
  for (const argv of [['status'], ['show', first.id], ['list', '--json=true'], ['--version'], ['hook', '--help']]) {
    const r = spawnSync('sh', ['-c', '"$0" "$@" >/dev/full', process.execPath, CLI, ...argv], { cwd: repo.dir, env: TEST_ENV, encoding: 'utf8' });
    assert.is(r.status, 1, `${argv.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^git backup( hook --help)?: cannot write to standard output \(the device is full\)\n$/, argv.join(' '));
  }
});

test('a reader that pauses gets every byte, through the fast path and through yargs (which makes the pipe non-blocking)', () => {
  // One backup of 1,200 long-named files: its `show --json` is well past a pipe's 64 KiB.
  const big = tempRepo();
  for (let i = 0; i < 1200; i++) big.write(`dir/a-file-with-a-name-long-enough-to-fill-the-pipe-${String(i).padStart(4, '0')}.txt`, `${i}\n`);
  const id = big.json<{ id: string }>(['create', '-m', 'big']).id;
  // `show` records the access: after a first one, its time is the one field that differs from run to run.
  const stable = (text: string) => text.replace(/"accessed_at":"[^"]*"/g, '"accessed_at":"…"');
  big.cli(['show', '--json', id]);
  const all = stable(big.cli(['show', '--json', id]).stdout);
  assert.ok(all.length > 64 * 1024, `${all.length} bytes`);
  for (const json of ['--json', '--json=true']) {
    // The reader starts 0.3 s late, after the command has filled the pipe.
    const r = spawnSync('sh', ['-c', '"$0" "$@" | (sleep 0.3; cat)', process.execPath, CLI, 'show', json, id], { cwd: big.dir, env: TEST_ENV, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    assert.is(r.status, 0, r.stderr);
    assert.ok(stable(r.stdout) === all, `${json}: ${r.stdout.length} bytes of ${all.length}, the same: ${stable(r.stdout) === all}`);
  }
});

test.run();
