// The `create` fast path (no yargs) must mean exactly what yargs means for every argument list it
// takes, and must hand everything else to yargs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fastCreateArgs } from '../../src/cli-fast.js';
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

test.run();
