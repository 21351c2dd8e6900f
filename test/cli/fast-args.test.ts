// The `create` fast path (no yargs) must mean exactly what yargs means for every argument list it
// takes, and must hand everything else to yargs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fastCommand, fastCreateArgs } from '../../src/cli-fast.js';
import { CLI, PROJECT_ROOT } from '../helpers/repo.js';
import { helpTexts } from '../helpers/help.js';
import { buildParser, createArgs } from '../../src/cli-parser.js';

const TAKEN: string[][] = [
  ['create'],
  ['create', '-m', 'before codemod'],
  ['create', '--message', 'hello world'],
  ['create', '--message=a=b'],
  ['create', '--message='],
  ['create', '-m', ''],
  ['create', '-m', '123'],
  ['create', '-m', 'true'],
  ['create', '-m', 'line one\nline two'],
  ['create', '--include-ignored', '--pin', '--json'],
  ['create', '--label', 'a', '--label', 'b b'],
  ['create', '--label=x', '--label', '7'],
  ['create', 'src/a.ts', 'b c'],
  ['create', '007', '1e3', '0x10', '.5', '0'],
  ['create', 'ünïcödé', 'a=b', '*.txt'],
  ['create', '-m', 'x', 'p1', '--pin', 'p2'],
  ['create', '--', '-dash', '--json', 'true'],
  ['create', '-m', 'x', '--', 'a', '--', 'b'],
  ['create', 'p0', '--', 'p1'],
];

const LEFT_TO_YARGS: string[][] = [
  [],
  ['list'],
  ['create', '--help'],
  ['create', '-h'],
  ['create', '--version'],
  ['create', '-mx'],
  ['create', '-m=x'],
  ['create', '-m'],
  ['create', '-m', '-x'],
  ['create', '-m', 'a', '-m', 'b'],
  ['create', '--no-pin'],
  ['create', '--pin', 'true'],
  ['create', '--json', 'false'],
  ['create', '--pin=true'],
  ['create', '--pin', '--pin'],
  ['create', '--bogus'],
  ['create', '--includeIgnored'],
  ['create', '--include_ignored'],
  ['create', '-'],
  ['create', '-pm', 'x'],
];

test('every argument list the fast path takes means the same to yargs', async () => {
  for (const argv of TAKEN) {
    const fast = fastCreateArgs(argv);
    assert.ok(fast, `fast path takes ${JSON.stringify(argv)}`);
    const viaYargs = createArgs(await buildParser(argv).parseAsync());
    assert.equal(fast, viaYargs, JSON.stringify(argv));
  }
});

test('everything else goes to yargs', () => {
  for (const argv of LEFT_TO_YARGS) assert.is(fastCreateArgs(argv), null, JSON.stringify(argv));
});

// status, list, show, --version, -h (issue 9): the same agreement.
const READ_TAKEN: string[][] = [
  ['status'],
  ['status', '--json'],
  ['status', '--prometheus'],
  ['status', '--prometheus-file', '/var/lib/node_exporter/git_backup.prom'],
  ['status', '--prometheus-file=m.prom', '--prometheus'],
  ['list'],
  ['list', '--json'],
  ['list', '--state', 'pending'],
  ['list', '--state=Confirmed', '--state', 'CREATED'],
  ['list', '--sort', 'size', '--limit', '3'],
  ['list', '--sort=confidence', '--limit=12', '--json'],
  ['list', '--label', 'run:1a2b', '--label=agent:claude-code', '--branch', 'main', '--grep', 'before', '--since', '2d'],
  ['show', '20261121-103000-ab12'],
  ['show', '20261121', '--json'],
  ['show', '--json', '0000000000'],
];

const READ_LEFT: string[][] = [
  ['status', 'x'],
  ['status', '--json', '--json'],
  ['status', '--json=true'],
  ['status', '--bogus'],
  ['list', '--state', 'nope'],
  ['list', '--state', 'pending', 'confirmed'],
  ['list', '--sort', 'AGE'],
  ['list', '--limit', '0'],
  ['list', '--limit', '1.5'],
  ['list', '--limit', '-1'],
  ['list', '--limit', '1', '--limit', '2'],
  ['list', '-h'],
  ['list', '--', 'x'],
  ['show'],
  ['show', 'a', 'b'],
  ['show', '--help'],
  ['show', '-x'],
  ['--version', 'x'],
  ['-h', 'list'],
  ['--help', '--json'],
];

test('status, list and show: the fast path means what yargs means', async () => {
  for (const argv of READ_TAKEN) {
    const f = fastCommand(argv);
    assert.ok(f && f.kind === argv[0], `fast path takes ${JSON.stringify(argv)}`);
    const y = (await buildParser(argv).parseAsync()) as Record<string, unknown>;
    const fromYargs =
      argv[0] === 'status'
        ? { json: y.json, prometheus: y.prometheus, prometheusFile: y.prometheusFile ?? null }
        : argv[0] === 'show'
          ? { id: y.id, json: y.json }
          : {
              state: y.state ?? [],
              sort: y.sort,
              limit: y.limit ?? null,
              json: y.json,
              find: { label: y.label ?? [], branch: y.branch ?? null, grep: y.grep ?? null, since: y.since ?? null },
            };
    assert.equal((f as { args: unknown }).args, fromYargs, JSON.stringify(argv));
  }
  for (const argv of READ_LEFT) assert.is(fastCommand(argv), null, JSON.stringify(argv));
  assert.equal(fastCommand(['--version']), { kind: 'version' });
  assert.equal(fastCommand(['-h']), { kind: 'help' });
});

test('bin/git-backup.cjs sends exactly the first words the fast path takes to the fast bundle', () => {
  const bin = readFileSync(join(PROJECT_ROOT, 'bin', 'git-backup.cjs'), 'utf8');
  const m = /const FAST_FIRST_WORDS = new Set\(\[([^\]]*)\]\)/.exec(bin);
  assert.ok(m, 'FAST_FIRST_WORDS found in bin/git-backup.cjs');
  const routed = new Set([...m![1]!.matchAll(/'([^']+)'/g)].map((x) => x[1]!));
  // Every command the help lists, and the bare flags (--version is answered by bin itself).
  const help = readFileSync(join(PROJECT_ROOT, 'dist', 'bundle', 'help.txt'), 'utf8');
  const names = [...help.matchAll(/^ {2}git backup ([a-z-]+)/gm)].map((x) => x[1]!);
  assert.ok(names.length > 10, `commands read from help.txt: ${names.join(' ')}`);
  const taken = new Set<string>();
  for (const word of [...names, '-h', '--help']) {
    if (fastCommand([word]) || fastCommand([word, 'x'])) taken.add(word);
  }
  assert.equal([...routed].sort(), [...taken].sort());
});

test('--version and -h print what yargs prints, without loading it', () => {
  const viaYargs = (argv: string[]) =>
    spawnSync(process.execPath, ['--input-type=module', '-e', `const { buildParser } = await import(${JSON.stringify(join(PROJECT_ROOT, 'dist', 'src', 'cli-parser.js'))}); buildParser(${JSON.stringify(argv)}).exitProcess(false).parse(${JSON.stringify(argv)}, (e, a, out) => process.stdout.write(out + '\\n'));`], { encoding: 'utf8' }).stdout;
  for (const flag of ['-h', '--help', '--version']) {
    const fast = spawnSync(process.execPath, [CLI, flag], { encoding: 'utf8' });
    assert.is(fast.status, 0, fast.stderr);
    assert.is(fast.stdout, viaYargs([flag]), flag);
  }
  assert.ok(readFileSync(join(PROJECT_ROOT, 'dist', 'bundle', 'help.txt'), 'utf8').includes('git backup status'));
});

test('every command\'s --help from the bundle is what yargs prints unbundled (the bundle measures ASCII text without string-width)', () => {
  const help = readFileSync(join(PROJECT_ROOT, 'dist', 'bundle', 'help.txt'), 'utf8');
  // `hook --help` is the hook bundle's own text (src/hook/main.ts), not yargs'.
  const names = [...new Set([...help.matchAll(/^ {2}git backup ([a-z-]+)/gm)].map((x) => x[1]!))].filter((n) => n !== 'hook');
  const unbundled = helpTexts(names);
  for (const name of names) {
    const r = spawnSync(process.execPath, [CLI, name, '--help'], { encoding: 'utf8' });
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stdout, unbundled.get(name), name);
  }
});

test.run();
