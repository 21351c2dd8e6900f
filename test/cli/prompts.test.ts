// Questions on a real terminal (util-linux script(1) gives the CLI a pseudo-terminal): Ctrl-C at a
// question ends the command with 130 and changes nothing; two answers typed at once answer two
// questions; the end of input is a no.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, TEST_ENV, tempRepo, type TestRepo } from '../helpers/repo.js';

const hasScript = spawnSync('script', ['--version']).status === 0;

/** The CLI on a pseudo-terminal, `typed` arriving on it at once; script -e passes the exit code on. */
function onTerminal(r: TestRepo, args: string[], typed: string) {
  const cmd = [process.execPath, CLI, ...args].map((a) => JSON.stringify(a)).join(' ');
  const res = spawnSync('script', ['-qec', cmd, '/dev/null'], { cwd: r.dir, env: { ...TEST_ENV, TERM: 'dumb' }, input: typed, encoding: 'utf8', timeout: 20_000 });
  return { code: res.status, out: res.stdout + res.stderr };
}

/**
 * The same, typing each step's keys only once its prompt is on the screen (a key typed earlier
 * reaches a terminal not yet in raw mode).
 */
function typeAtPrompts(r: TestRepo, args: string[], steps: [prompt: string, keys: string][]): Promise<{ code: number | null; out: string }> {
  const cmd = [process.execPath, CLI, ...args].map((a) => JSON.stringify(a)).join(' ');
  const child = spawn('script', ['-qec', cmd, '/dev/null'], { cwd: r.dir, env: { ...TEST_ENV, TERM: 'dumb' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let seen = 0; // where the next prompt is looked for
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  child.stdout.on('data', (d) => {
    out += d;
    const step = steps[0];
    const at = step ? out.indexOf(step[0], seen) : -1;
    if (step && at >= 0) {
      steps.shift();
      seen = at + step[0].length;
      // Raw mode comes with the prompt; a short wait lets readline switch before the keys arrive.
      setTimeout(() => child.stdin.write(step[1]), 100);
    }
  });
  child.stderr.on('data', (d) => (out += d));
  return new Promise((resolve) => child.on('close', (code) => (clearTimeout(timer), resolve({ code, out }))));
}

const stateOf = (r: TestRepo, id: string) => r.json<{ state: string }>(['show', id, '--json']).state;

/** A repository with one backup of uncommitted work, CREATED or (cleanable) already CLEANABLE. */
function repoWithBackup(cleanable: boolean): { r: TestRepo; id: string } {
  const r = tempRepo();
  r.write('a.txt', 'work\n');
  const id = r.json<{ id: string }>(['create', '-m', 'work', '--json']).id;
  if (cleanable) r.cli(['cleanup', id, '--yes']);
  assert.is(stateOf(r, id), cleanable ? 'CLEANABLE' : 'CREATED');
  return { r, id };
}

test('Ctrl-C at a question: exit 130, nothing changed, no "unexpected error"', async () => {
  if (!hasScript) return;
  const { r, id } = repoWithBackup(false);
  const res = await typeAtPrompts(r, ['delete', id, '--force'], [['[y/N]', '\x03']]);
  assert.is(res.code, 130, res.out);
  assert.not.match(res.out, /unexpected error/);
  assert.is(stateOf(r, id), 'CREATED');
});

test('two answers typed at once answer the two questions of emergency', () => {
  if (!hasScript) return;
  const { r, id } = repoWithBackup(true);
  const res = onTerminal(r, ['emergency'], 'y\narchive 1\n');
  assert.is(res.code, 0, res.out);
  assert.match(res.out, /Emergency cleanup: archive 1 \(holding work no commit has\), freeing/, 'says it archives, not deletes');
  assert.not.match(res.out, /cannot be undone/);
  assert.match(res.out, /Type "archive 1" to go ahead: archive 1/);
  // Archived rather than deleted: it holds content no commit has (design.md, emergency).
  assert.is(stateOf(r, id), 'ARCHIVED');
});

// Emergency's two answers typed at each prompt as it appears, split two ways.
const typings: [name: string, steps: [prompt: string, keys: string][]][] = [
  ['one question at a time: the second question gets the second answer', [['[y/N]', 'y\r'], ['to go ahead: ', 'archive 1\r']]],
  ['the start of the second answer typed with the first one is kept for the second question', [['[y/N]', 'y\rarch'], ['to go ahead: ', 'ive 1\r']]],
];
for (const [name, steps] of typings) {
  test(`emergency answered ${name}`, async () => {
    if (!hasScript) return;
    const { r, id } = repoWithBackup(true);
    const res = await typeAtPrompts(r, ['emergency'], steps);
    assert.is(res.code, 0, res.out);
    assert.is(stateOf(r, id), 'ARCHIVED');
  });
}

test('the end of input at a question is a no: nothing deleted', () => {
  if (!hasScript) return;
  const { r, id } = repoWithBackup(false);
  const res = onTerminal(r, ['delete', id, '--force'], '\x04');
  assert.is(res.code, 9, res.out);
  assert.match(res.out, /no answer \(end of input\); nothing was changed/);
  assert.is(stateOf(r, id), 'CREATED');
});

test('Ctrl-D at the config wizard\'s last question ([Y/n], where Enter is yes): nothing written, exit 9', async () => {
  if (!hasScript) return;
  const r = tempRepo();
  const before = readFileSync(join(r.dir, '.git', 'config'), 'utf8');
  const res = await typeAtPrompts(r, ['config'], [['[custom]: ', '\r'], [']: ', '3d\r'], [']: ', '\r'], [']: ', '\r'], [']: ', '\r'], ['[Y/n]: ', '\x04']]);
  assert.is(res.code, 9, res.out);
  assert.match(res.out, /no answer \(end of input\)/);
  assert.is(readFileSync(join(r.dir, '.git', 'config'), 'utf8'), before);
});

test('an undo waiting at its question holds nothing: a restore meanwhile goes on; the undo then refuses, as the tree changed since its preview', async () => {
  if (!hasScript) return;
  const r = tempRepo();
  r.write('a.txt', 'one\n');
  const older = r.json<{ id: string }>(['create', '-m', 'one']).id;
  assert.is(r.cli(['run', '--', 'sh', '-c', 'echo two > a.txt']).code, 0);
  const cmd = [process.execPath, CLI, 'undo'].map((a) => JSON.stringify(a)).join(' ');
  const child = spawn('script', ['-qec', cmd, '/dev/null'], { cwd: r.dir, env: { ...TEST_ENV, TERM: 'dumb' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stderr.on('data', (d) => (out += d));
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  await new Promise<void>((resolve) => child.stdout.on('data', (d) => ((out += d), out.includes('[y/N]') && resolve())));
  const started = Date.now();
  const restored = r.cli(['restore', older, '--json']);
  assert.is(restored.code, 0, restored.stderr);
  assert.ok(Date.now() - started < 10_000, 'the restore did not wait for the question');
  child.stdin.write('y\r');
  assert.is(await closed, 3, out);
  assert.match(out, /changed since the preview/);
  assert.is(r.read('a.txt'), 'one\n', 'the restore stands');
});

test.run();
