// The package a user installs: what `npm pack` puts in the tarball (everything the bin loads, and
// every file the README, --help, error messages, the hook blocks and the man page point to), and the
// tarball installed the way the README's quick start does it, into a scratch global prefix: a copy
// that needs no network, no dependencies and nothing of the clone, with the man page where man finds it.
// npm runs with --ignore-scripts: `prepare` would rebuild dist/ under the other test files' feet.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, readdirSync, realpathSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PROJECT_ROOT, TEST_ENV, TestRepo, scratchDir } from '../helpers/repo.js';

const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  bin: Record<string, string>;
  man: string[];
  dependencies?: Record<string, string>;
};

function npm(args: string[], cwd: string): string {
  return execFileSync('npm', [...args, '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd,
    env: { ...TEST_ENV, npm_config_update_notifier: 'false' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function walk(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => relative(PROJECT_ROOT, join(d.parentPath, d.name)));
}

const packed = JSON.parse(npm(['pack', '--dry-run', '--json'], PROJECT_ROOT)) as { files: { path: string }[] }[];
const shipped = new Set(packed[0]!.files.map((f) => f.path));

test('the tarball holds the bin, the whole bundle, the hook templates and the man page, and no sources or tests', () => {
  for (const bin of Object.values(pkg.bin)) assert.ok(shipped.has(bin), bin);
  for (const m of pkg.man) assert.ok(shipped.has(m), m);
  const bundle = walk(join(PROJECT_ROOT, 'dist', 'bundle'));
  const built = ['dist/bundle/cli.cjs', 'dist/bundle/cli-fast-run.cjs', 'dist/bundle/hook/main.cjs', 'dist/bundle/help.txt', 'dist/bundle/cli.cjs.cache', 'dist/bundle/cli-fast-run.cjs.cache', 'dist/bundle/hook/main.cjs.cache', 'dist/bundle/hook/agent-client.cjs', 'dist/bundle/hook/agent-client.cjs.cache'];
  for (const entry of built) assert.ok(bundle.includes(entry), `${entry} is built`);
  // The bundles name no directory of the machine that built them (a shipped file is the same wherever it was built).
  for (const f of bundle.filter((b) => b.endsWith('.cjs'))) assert.not.ok(readFileSync(join(PROJECT_ROOT, f), 'utf8').includes(PROJECT_ROOT), `${f} names ${PROJECT_ROOT}`);
  for (const f of bundle) assert.ok(shipped.has(f), `${f} ships`);
  // What the bin files require of ours, and the bundles code-cache.cjs loads.
  for (const file of ['git-backup.cjs', 'code-cache.cjs']) {
    for (const m of readFileSync(join(PROJECT_ROOT, 'bin', file), 'utf8').matchAll(/require\('(\.\.?\/[^']+)'\)/g)) {
      const path = relative(PROJECT_ROOT, join(PROJECT_ROOT, 'bin', m[1]!));
      assert.ok(shipped.has(path), `${path} (required by bin/${file}) ships`);
    }
  }
  for (const f of walk(join(PROJECT_ROOT, 'templates')).concat(walk(join(PROJECT_ROOT, 'hooks')))) assert.ok(shipped.has(f), `${f} ships`);
  for (const f of shipped) assert.not.match(f, /^(src|test|bench|dist\/(src|test|bench))\//, `${f} does not ship`);
});

test('every file the README, --help and error texts, the hook blocks and the man page point to ships', () => {
  const pointers = new Map<string, string>();
  const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
  for (const m of readme.matchAll(/\]\(([^)#:]+)\)/g)) pointers.set(m[1]!, 'README link');
  for (const m of readme.matchAll(/\b([A-Z][A-Z]+\.md)\b/g)) pointers.set(m[1]!, 'README');
  // The bundle is every text the tool can print (help, epilogues, errors).
  for (const f of walk(join(PROJECT_ROOT, 'dist', 'bundle')).filter((f) => !f.endsWith('.cache'))) {
    for (const m of readFileSync(join(PROJECT_ROOT, f), 'utf8').matchAll(/\b((?:docs\/[\w.-]+\.md)|README\.md)\b/g)) pointers.set(m[1]!, f);
  }
  for (const f of ['templates/hook-block.sh', 'man/git-backup.1', ...walk(join(PROJECT_ROOT, 'docs'))]) {
    for (const m of readFileSync(join(PROJECT_ROOT, f), 'utf8').matchAll(/\b(docs\/[\w.-]+\.md)\b/g)) pointers.set(m[1]!, f);
  }
  // Links between the docs, relative to docs/.
  for (const f of walk(join(PROJECT_ROOT, 'docs'))) {
    for (const m of readFileSync(join(PROJECT_ROOT, f), 'utf8').matchAll(/\]\(([\w.-]+\.md)(#[^)]*)?\)/g)) pointers.set(`docs/${m[1]}`, f);
  }
  assert.ok(pointers.has('docs/policies.md') && pointers.has('README.md'), [...pointers.keys()].join(' '));
  for (const [path, from] of pointers) {
    assert.ok(existsSync(join(PROJECT_ROOT, path)), `${from} points to ${path}, which does not exist`);
    assert.ok(shipped.has(path), `${from} points to ${path}, which is not in the package`);
  }
});

test('installed from the tarball into a global prefix: a copy that works without the clone, its dependencies or the network', () => {
  assert.equal(pkg.dependencies ?? {}, {}, 'every runtime dependency is inside dist/bundle, so the package has none');
  const dir = scratchDir('gb-pack-');
  const out = JSON.parse(npm(['pack', '--json', '--pack-destination', dir], PROJECT_ROOT)) as { filename: string }[];
  const tgz = join(dir, out[0]!.filename);
  assert.is(out[0]!.filename, `${pkg.name}-${pkg.version}.tgz`);
  const prefix = join(dir, 'prefix');
  npm(['install', '--global', '--prefix', prefix, '--offline', tgz], dir);

  const installed = join(prefix, 'lib', 'node_modules', pkg.name);
  assert.ok(lstatSync(installed).isDirectory() && !lstatSync(installed).isSymbolicLink(), 'a copy, not a link to the clone');
  assert.not.ok(existsSync(join(installed, 'node_modules')), 'no dependencies installed');
  const bin = join(prefix, 'bin', 'git-backup');
  assert.ok(realpathSync(bin).startsWith(realpathSync(installed) + '/'), realpathSync(bin));
  assert.ok(existsSync(join(prefix, 'share', 'man', 'man1', 'git-backup.1')), 'the man page is where man looks');
  assert.ok(existsSync(join(installed, 'docs', 'policies.md')));

  // Used the way the README says, from a repository elsewhere, with only the installed copy on PATH.
  const repo = new TestRepo(scratchDir('gb-repo-'));
  const env = { PATH: `${join(prefix, 'bin')}:${process.env.PATH}` };
  const run = (args: string[]) => repo.git(['backup', ...args], { env });
  repo.git(['init', '-q', '-b', 'main']);
  repo.write('a.txt', 'one\n');
  repo.commitAll('one');
  assert.is(run(['--version']), pkg.version);
  assert.match(run(['-h']), /git backup <command>/, 'help works from the bundle');
  assert.match(run(['install']), /post-commit/);
  repo.write('a.txt', 'two\n');
  const id = (JSON.parse(run(['create', '--allow-empty', '-m', 'installed', '--json'])) as { id: string }).id;
  repo.git(['commit', '-q', '-am', 'two'], { env }); // the hooks call the installed git-backup
  const shown = JSON.parse(run(['show', id, '--json'])) as { state: string };
  assert.is(shown.state, 'CONFIRMED', 'the hooks drained through the installed copy');
});

test.run();
