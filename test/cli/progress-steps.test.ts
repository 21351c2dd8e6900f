// Progress for create, archive, verify, gc and tick (issue 10): a step line with the elapsed time on
// a real terminal (a pty made by script(1)), erased before the command's own output; none in a
// pipe or with --json. GIT_BACKUP_PROGRESS_AFTER_MS=0 shows it at once (a real user sees it only
// for work that takes half a second).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { CLI, TEST_ENV, tempRepo } from '../helpers/repo.js';

const ERASE = '\r\x1b[K';

test('create, archive, verify, gc, tick: a progress line on a terminal only, never with --json', () => {
  const repo = tempRepo();
  repo.write('big.bin', randomBytes(4 * 1024 * 1024));
  const env = { ...TEST_ENV, GIT_BACKUP_PROGRESS_AFTER_MS: '0' };
  const cli = `${process.execPath} ${CLI}`;
  // One pseudo-terminal for the whole sequence; each command's output after a marker line.
  const onTty = (commands: string[]) => {
    const line = commands.map((c, i) => `echo "::${i}::"; ${cli} ${c}`).join('; ');
    const out = execFileSync('script', ['-qefc', line, '/dev/null'], { cwd: repo.dir, env, encoding: 'latin1' });
    return commands.map((_, i) => out.split(`::${i}::`)[1]!.split(`::${i + 1}::`)[0]!);
  };
  const [create, createJson] = onTty(['create -m big', 'create --allow-empty --json']);
  assert.match(create!, /creating backup: reading the working tree/, 'create: a step line');
  assert.ok(create!.includes(`${ERASE}created backup `), 'erased before the summary');
  assert.not.match(createJson!, /creating backup/, 'not with --json');
  const id = /created backup (\S+)/.exec(create!)![1]!;
  assert.is(repo.cli(['cleanup', id]).code, 0);
  const [archive, verify, gc, tick, verifyJson] = onTty([`archive ${id}`, 'verify', 'gc --now', 'tick', 'verify --json']);
  assert.match(archive!, new RegExp(`archiving: ${id}: (writing|reading it back)`), 'archive: a step line');
  assert.ok(archive!.includes(`${ERASE}moved ${id}: CLEANABLE -> ARCHIVED`), 'archive: erased before the summary');
  assert.match(verify!, new RegExp(`verifying: archive 1 of 1: ${id}`), 'verify: one step per archive');
  assert.match(gc!, /gc: (measuring objects|pruning)/, JSON.stringify(gc));
  assert.match(tick!, /tick: finding where each backup's content is/, 'tick: its steps');
  // The last thing written to the line is the erase, then the command's own output.
  for (const [out, own] of [[verify!, 'ok  '], [gc!, 'gc: freed'], [tick!, 'disk: ']] as const) assert.ok(out.slice(out.lastIndexOf(ERASE) + ERASE.length).startsWith(own), JSON.stringify(out));
  assert.not.match(verifyJson!, /verifying/, 'not with --json');
  // Without a terminal: nothing of it at all.
  for (const args of [['create', '--allow-empty'], ['verify'], ['gc', '--now'], ['tick']]) {
    const r = repo.cli(args, { env: { GIT_BACKUP_PROGRESS_AFTER_MS: '0' } });
    assert.is(r.code, 0, r.stderr);
    assert.not.ok(r.stderr.includes('\x1b[K') || r.stdout.includes('\x1b[K'), `${args[0]}: no progress in a pipe`);
  }
});

test.run();
