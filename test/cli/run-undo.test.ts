// run, undo and redo end to end (issue 10): the real CLI around real commands, exit statuses and
// streams passed through, the before/after pair, byte-exact round trips, a kill mid-undo finished
// by recover.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { treeState, sorted } from '../helpers/fixture.js';
import { CLI, TEST_ENV, tempRepo, type TestRepo } from '../helpers/repo.js';
import { runUntil } from '../helpers/pause.js';

interface Rec {
  id: string;
  labels: string[];
  message: string;
}
interface PutBack {
  done: boolean;
  target: string;
  written: number;
  removed: number;
  undo_point: string | null;
  changes: { path: string; status: string }[];
}

const state = (repo: TestRepo) => sorted(treeState(repo.dir, (p) => p === '.git' || p.startsWith('.git/')));

function project(): TestRepo {
  const repo = tempRepo();
  repo.write('keep.txt', 'keep\n');
  repo.write('edit.txt', 'original\n');
  repo.write('gone.txt', 'will be deleted\n');
  repo.write('bin/tool.sh', '#!/bin/sh\n', 0o755);
  repo.commitAll('base');
  repo.write('edit.txt', 'uncommitted work\n');
  repo.write('notes.txt', 'untracked notes\n');
  return repo;
}

/** What the wrapped command does: edits, deletes, adds, changes a mode. */
const SCRIPT = 'echo to-stdout; echo to-stderr >&2; echo agent-edit > edit.txt; rm gone.txt notes.txt; mkdir -p new/dir; echo new > new/dir/file.txt; chmod -x bin/tool.sh; exit 3';

test('run: streams and exit status pass through; a before/after pair; undo and redo are byte-exact', () => {
  const repo = project();
  const before = state(repo);
  const r = repo.cli(['run', '-m', 'codemod', '--', 'sh', '-c', SCRIPT]);
  assert.is(r.code, 3, 'the command\'s own exit status');
  assert.is(r.stdout, 'to-stdout\n', 'stdout is the command\'s alone');
  assert.is(r.stderr, 'to-stderr\n', 'stderr too, when it is not a terminal');
  const after = state(repo);
  const list = repo.json<Rec[]>(['list']);
  assert.is(list.length, 2);
  const [post, pre] = list as [Rec, Rec];
  const session = pre.labels.find((l) => l.startsWith('run:') && l !== 'run:before');
  assert.ok(session && post.labels.includes(session), 'the pair shares its run:<session> label');
  assert.ok(pre.labels.includes('run:before') && post.labels.includes('run:after'));
  assert.match(post.message, /^after: codemod \(exit 3\)$/);
  const diff = repo.json<{ files: { path: string; status: string }[] }>(['diff', pre.id, post.id]);
  assert.equal(diff.files.map((f) => `${f.status} ${f.path}`).sort(), ['D gone.txt', 'D notes.txt', 'M bin/tool.sh', 'M edit.txt', 'A new/dir/file.txt'].sort());

  const undo = repo.json<PutBack>(['undo']);
  assert.ok(undo.done);
  assert.is(undo.target, pre.id);
  assert.is(state(repo), before, 'undo: every file as before the run (content, mode, deletions, additions)');
  assert.not.ok(existsSync(join(repo.dir, 'new')), 'directories the command made are gone when empty');
  const redo = repo.json<PutBack>(['redo']);
  assert.ok(redo.done);
  assert.is(state(repo), after, 'redo: every file as the command left it');
  repo.json(['undo']);
  assert.is(state(repo), before, 'undo of the redo');
  const none = repo.cli(['undo']);
  assert.is(none.code, 4, 'nothing further back');
  assert.match(none.stderr, /nothing to undo/);
  repo.json(['redo']);
  assert.is(state(repo), after);
});

test('run: nothing changed makes no after backup; not found is 127; the undo point is taken even on a clean tree', () => {
  const repo = tempRepo();
  const same = repo.cli(['run', '--', 'true']);
  assert.is(same.code, 0);
  assert.is(repo.json<Rec[]>(['list']).length, 1, 'only the undo point');
  const missing = repo.cli(['run', '--', 'no-such-command-here']);
  assert.is(missing.code, 127);
  assert.match(missing.stderr, /no-such-command-here: command not found/);
  const usage = repo.cli(['run']);
  assert.is(usage.code, 2);
  // A clean tree, a command that adds a file: undo removes it.
  repo.cli(['run', '--', 'sh', '-c', 'echo x > added.txt']);
  assert.ok(existsSync(join(repo.dir, 'added.txt')));
  repo.json(['undo']);
  assert.not.ok(existsSync(join(repo.dir, 'added.txt')));
});

test('run: the repository moved away under the command: its exit status stands, one line says no after backup, nothing comes back at the old path', () => {
  const repo = tempRepo();
  const r = repo.cli(['run', '--', 'sh', '-c', 'echo work >> README.md; mv "$PWD" "$PWD-moved"; exit 3']);
  assert.is(r.code, 3, r.stderr);
  assert.match(r.stderr, /^git backup run: no backup after the command \(.*\); before: \d{8}-\d{6}-[0-9a-f]+\n$/);
  assert.not.ok(existsSync(repo.dir), 'the old path stays gone');
  assert.ok(existsSync(join(`${repo.dir}-moved`, 'README.md')));
  rmSync(`${repo.dir}-moved`, { recursive: true, force: true });
});

test('run forwards SIGTERM to the command and exits 128+15', async () => {
  const repo = tempRepo();
  const child = spawn(process.execPath, [CLI, 'run', '--', 'sh', '-c', 'trap "echo got-term; exit 143" TERM; echo ready; while :; do sleep 0.1; done'], { cwd: repo.dir, env: TEST_ENV });
  let out = '';
  await new Promise<void>((resolve) => child.stdout.on('data', (d) => ((out += d), out.includes('ready') && resolve())));
  child.kill('SIGTERM');
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.match(out, /got-term/, 'the command saw the signal');
  assert.is(code, 143);
});

test('a command killed by any signal exits 128+N: a crash (SIGSEGV, SIGABRT) is not reported as SIGHUP', () => {
  const repo = tempRepo();
  for (const [sig, n] of [['SEGV', 11], ['ABRT', 6], ['KILL', 9]] as const) {
    const r = repo.cli(['run', '--', 'sh', '-c', `kill -${sig} $$`]);
    assert.is(r.code, 128 + n, `${sig}: ${r.stderr}`);
  }
});

test('undo ID: --dry-run changes nothing; a restore is undone exactly; an undo killed midway is finished by recover', async () => {
  const repo = project();
  const older = repo.json<Rec>(['create', '-m', 'older']);
  repo.write('edit.txt', 'newer work\n');
  repo.write('extra.txt', 'extra\n');
  const now = state(repo);
  const dry = repo.json<PutBack>(['undo', older.id, '--dry-run']);
  assert.not.ok(dry.done);
  assert.equal(dry.changes.map((c) => `${c.status} ${c.path}`).sort(), ['D extra.txt', 'M edit.txt']);
  assert.is(state(repo), now);
  // restore, then undo: back to exactly now (extra.txt was never touched by restore; edit.txt returns).
  repo.json(['restore', older.id]);
  assert.is(repo.read('edit.txt'), 'uncommitted work\n');
  repo.json(['undo']);
  assert.is(state(repo), now);
  // Kill an undo at its first file write; recover finishes it.
  const paused = await runUntil(repo, ['undo', older.id, '--yes'], 'restore:before-rename');
  await paused.kill();
  assert.ok(existsSync(join(repo.dir, '.git', 'backup', 'putback.json')), 'the intent is left for recover');
  const rec = repo.cli(['recover']);
  assert.match(rec.stdout, /finished the interrupted undo/, rec.stdout + rec.stderr);
  assert.not.ok(existsSync(join(repo.dir, '.git', 'backup', 'putback.json')));
  assert.is(repo.read('edit.txt'), 'uncommitted work\n');
  assert.not.ok(existsSync(join(repo.dir, 'extra.txt')));
  // What the killed undo was about to overwrite is in the undo point it took first: redo brings it back.
  repo.json(['redo']);
  assert.is(state(repo), now);
  const walk = [...repo.git(['status', '--porcelain']).split('\n')].filter((l) => l.includes('.tmp'));
  assert.equal(walk, [], 'no temp file left in the working tree');
});

test('two undos at once: the second waits for the first and plans from the tree it left; redo never brings back a half tree', async () => {
  const repo = project();
  const s0 = state(repo);
  assert.is(repo.cli(['run', '--', 'sh', '-c', 'echo one >> edit.txt; echo one >> notes.txt']).code, 0);
  const s1 = state(repo);
  assert.is(repo.cli(['run', '--', 'sh', '-c', 'echo two >> edit.txt; echo two >> notes.txt']).code, 0);
  // The first undo stops at its first file write, holding the working tree; the second starts meanwhile.
  const first = await runUntil(repo, ['undo', '--yes'], 'restore:before-rename');
  const second = repo.cliAsync(['undo', '--yes']);
  await new Promise((r) => setTimeout(r, 1500));
  const r1 = await first.resume();
  const r2 = await second;
  assert.is(r1.code, 0, r1.stderr);
  assert.is(r2.code, 0, r2.stderr);
  assert.is(state(repo), s0, 'two undos: two steps back');
  repo.json(['redo']);
  assert.is(state(repo), s1, 'one step forward, whole');
});

test.run();
