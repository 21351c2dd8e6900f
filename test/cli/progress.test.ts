// Progress (issue 10): a restore of a large file shows a progress line on a real terminal (a pty made
// by script(1)), erased at the end; nothing without a terminal or with --json.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { CLI, TEST_ENV, tempRepo } from '../helpers/repo.js';

test('restore: a progress line on a terminal, none in a pipe or with --json', () => {
  const repo = tempRepo();
  repo.write('big.bin', randomBytes(24 * 1024 * 1024));
  const { id } = repo.json<{ id: string }>(['create']);
  const env = { ...TEST_ENV, GIT_BACKUP_PROGRESS_AFTER_MS: '0' };
  const onTty = (args: string) => {
    repo.write('big.bin', 'changed\n');
    // script runs the command on a new pseudo-terminal and copies what it writes to our stdout.
    return execFileSync('script', ['-qefc', `${process.execPath} ${CLI} ${args}`, '/dev/null'], { cwd: repo.dir, env, encoding: 'latin1' });
  };
  const tty = onTty(`restore ${id}`);
  assert.match(tty, new RegExp(`restoring ${id}: \\d+% \\(`), 'a progress line');
  assert.match(tty, /\r\x1b\[K(restored|.*\n?restored)/, 'erased before the summary');
  const json = onTty(`restore ${id} --json`);
  assert.not.match(json, /restoring /);
  repo.write('big.bin', 'changed\n');
  const piped = repo.cli(['restore', id], { env: { GIT_BACKUP_PROGRESS_AFTER_MS: '0' } });
  assert.is(piped.code, 0);
  assert.not.match(piped.stderr + piped.stdout, /restoring /);
});

test.run();
