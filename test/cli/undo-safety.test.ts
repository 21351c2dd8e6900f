// What restore and undo overwrite is always held by a backup first (SPEC §8), found by a hostile
// test: ignored files the put-back replaces, and work done between a killed undo and the recover
// that finishes it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, lstatSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempRepo, type TestRepo } from '../helpers/repo.js';
import { runUntil } from '../helpers/pause.js';

interface Rec {
  id: string;
}

function project(): TestRepo {
  const repo = tempRepo();
  repo.write('tracked.txt', 'v1\n');
  repo.write('.gitignore', '*.local\n');
  repo.commitAll('project');
  return repo;
}

test('restore of an ignored file: what it overwrote is in the undo point, and undo brings it back', () => {
  const repo = project();
  repo.write('my.local', 'cfg1\n');
  const older = repo.json<Rec>(['create', '-m', 'config', 'my.local']);
  repo.write('my.local', 'cfg2 precious\n');
  repo.json(['restore', older.id]);
  assert.is(repo.read('my.local'), 'cfg1\n');
  repo.json(['undo', '--yes']);
  assert.is(repo.read('my.local'), 'cfg2 precious\n');
});

test('a run that adds an ignore rule for a file it changes: undo and redo lose neither version', () => {
  const repo = project();
  repo.write('notes.txt', 'v1\n');
  const r = repo.cli(['run', '--', 'sh', '-c', 'echo v2 > notes.txt; echo notes.txt > .gitignore']);
  assert.is(r.code, 0, r.stderr);
  repo.json(['undo', '--yes']);
  assert.is(repo.read('notes.txt'), 'v1\n');
  assert.is(repo.read('.gitignore'), '*.local\n');
  repo.json(['redo', '--yes']);
  assert.is(repo.read('notes.txt'), 'v2\n');
  assert.is(repo.read('.gitignore'), 'notes.txt\n');
});

test('recover finishing a killed undo first backs up the work done since the kill', async () => {
  const repo = project();
  const r = repo.cli(['run', '--', 'sh', '-c', 'echo v2 > tracked.txt; echo new > added.txt']);
  assert.is(r.code, 0, r.stderr);
  const paused = await runUntil(repo, ['undo', '--yes'], 'restore:before-rename');
  await paused.kill();
  repo.write('tracked.txt', 'v3 precious\n'); // the user carries on
  repo.write('later.txt', 'new work\n');
  const rec = repo.cli(['recover']);
  assert.is(rec.code, 0, rec.stdout + rec.stderr);
  assert.match(rec.stdout, /finished the interrupted undo.*before this finish in \S+/, rec.stdout);
  assert.is(repo.read('tracked.txt'), 'v1\n');
  assert.not.ok(existsSync(join(repo.dir, 'later.txt')));
  // One step back (redo) is the tree as recover found it: the work done since the kill.
  repo.json(['redo', '--yes']);
  assert.is(repo.read('tracked.txt'), 'v3 precious\n');
  assert.is(repo.read('later.txt'), 'new work\n');
});

test('undo after a killed undo, with nothing left to undo, names the unfinished one and recover', async () => {
  const repo = project();
  const r = repo.cli(['run', '--', 'sh', '-c', 'echo v2 > tracked.txt']);
  assert.is(r.code, 0, r.stderr);
  const paused = await runUntil(repo, ['undo', '--yes'], 'restore:before-rename');
  await paused.kill();
  const again = repo.cli(['undo', '--yes']);
  assert.is(again.code, 4, again.stderr); // the killed undo's own point is no step to undo
  assert.match(again.stderr, /interrupted undo to \S+ was not finished: git backup recover finishes it/, again.stderr);
  // The error in one line (a stale-lock notice of the killed undo may come before it).
  assert.match(again.stderr.trim().split('\n').pop()!, /^git backup: nothing to undo: .*; an interrupted undo to \S+ was not finished: git backup recover finishes it/);
  const rec = repo.cli(['recover']);
  assert.is(rec.code, 0, rec.stdout + rec.stderr);
  assert.is(repo.read('tracked.txt'), 'v1\n');
  const after = repo.cli(['undo', '--yes']);
  assert.not.match(after.stderr, /interrupted/, 'finished: no hint any more');
});

test('recover does not finish an undo killed before a later run: its work stays', async () => {
  // The intent outlived the kill: a run and an agent's checkpoints changed the tree on purpose
  // since, and recover put the tree back to the old undo's target over all of it.
  const repo = project();
  const r = repo.cli(['run', '--', 'sh', '-c', 'echo v2 > tracked.txt; echo n > new.txt']);
  assert.is(r.code, 0, r.stderr);
  const paused = await runUntil(repo, ['undo', '--yes'], 'restore:before-rename');
  await paused.kill();
  const later = repo.cli(['run', '--', 'sh', '-c', 'echo later run > tracked.txt; echo x > later.txt']);
  assert.is(later.code, 0, later.stderr);
  const rec = repo.cli(['recover']);
  assert.is(rec.code, 0, rec.stdout + rec.stderr);
  assert.match(rec.stdout, /not finished/, rec.stdout);
  assert.is(repo.read('tracked.txt'), 'later run\n', 'the later run\'s work is still there');
  assert.ok(existsSync(join(repo.dir, 'later.txt')));
  assert.is(repo.cli(['recover']).stdout.includes('interrupted'), false, 'the intent is gone');
});

test('undo ID of a path-limited backup touches its paths only: a file committed since stays', () => {
  const repo = project();
  repo.write('tracked.txt', 'v2\n');
  const mine = repo.json<Rec>(['create', '-m', 'tracked only', 'tracked.txt']);
  repo.write('b.txt', 'committed later\n');
  repo.git(['add', 'b.txt']);
  repo.git(['commit', '-q', '-m', 'b']);
  repo.write('tracked.txt', 'v3\n');
  const dry = repo.json<{ changes: { path: string }[] }>(['undo', mine.id, '--dry-run']);
  assert.equal(dry.changes.map((c) => c.path), ['tracked.txt'], 'the preview shows its paths only');
  repo.json(['undo', mine.id, '--yes']);
  assert.is(repo.read('tracked.txt'), 'v2\n');
  assert.is(repo.read('b.txt'), 'committed later\n', 'outside the backup\'s paths nothing is removed');
  assert.is(repo.git(['status', '--porcelain']), ' M tracked.txt');
});

test('undo leaves a file git reads as unchanged alone: a clean filter\'s local output, CRLF line ends', () => {
  const repo = tempRepo();
  repo.git(['config', 'filter.strip.clean', "sed '/^OUTPUT/d'"]); // like nbstripout: outputs never committed
  repo.git(['config', 'filter.strip.smudge', 'cat']);
  repo.write('.gitattributes', '*.nb filter=strip\n*.txt text eol=crlf\n');
  repo.write('a.nb', 'cell1\n');
  repo.write('w.txt', 'l1\r\nl2\r\n');
  repo.commitAll('filtered');
  repo.write('a.nb', 'cell1\nOUTPUT: 3 hours of training\n');
  const r = repo.cli(['run', '--', 'sh', '-c', 'echo hi > unrelated.md']);
  assert.is(r.code, 0, r.stderr);
  repo.json(['undo', '--yes']);
  assert.not.ok(existsSync(join(repo.dir, 'unrelated.md')));
  assert.is(repo.read('a.nb'), 'cell1\nOUTPUT: 3 hours of training\n');
  assert.is(repo.read('w.txt'), 'l1\r\nl2\r\n');
  assert.is(repo.git(['diff']), '', 'git sees no change');
});

test('undo and redo reverse a file turned into a directory, and a directory turned into a link', () => {
  const repo = tempRepo();
  repo.write('d', 'a file\n');
  repo.write('e/a', 'in a directory\n');
  repo.commitAll('kinds');
  const r = repo.cli(['run', '--', 'sh', '-c', 'rm d; mkdir d; echo work > d/new.c; rm -rf e; ln -s /tmp e']);
  assert.is(r.code, 0, r.stderr);
  repo.json(['undo', '--yes']);
  assert.is(repo.read('d'), 'a file\n');
  assert.is(repo.read('e/a'), 'in a directory\n');
  assert.not.ok(lstatSync(join(repo.dir, 'e')).isSymbolicLink());
  repo.json(['redo', '--yes']);
  assert.is(repo.read('d/new.c'), 'work\n');
  assert.ok(lstatSync(join(repo.dir, 'e')).isSymbolicLink());
});

test('in a sparse checkout undo and redo both leave what is outside the cone as it is, and say so', () => {
  const repo = tempRepo();
  repo.write('in/a', 'i\n');
  repo.write('out/b', 'o\n');
  repo.commitAll('cone');
  repo.git(['sparse-checkout', 'set', 'in']);
  const r = repo.cli(['run', '--', 'sh', '-c', 'echo i2 > in/a; mkdir -p out; echo o-new > out/new']);
  assert.is(r.code, 0, r.stderr);
  const undo = repo.cli(['undo', '--yes']);
  assert.match(undo.stdout, /1 change\(s\) outside the sparse checkout left as they are \(out\/new/, undo.stdout);
  assert.is(repo.read('in/a'), 'i\n');
  assert.is(repo.read('out/new'), 'o-new\n');
  repo.json(['redo', '--yes']);
  assert.is(repo.read('in/a'), 'i2\n');
  assert.is(repo.read('out/new'), 'o-new\n');
});

test('a tracked file whose name is not UTF-8 is never written under another name', () => {
  const repo = tempRepo();
  const name = Buffer.concat([Buffer.from(repo.dir + '/tr'), Buffer.from([0xff]), Buffer.from('ck')]);
  writeFileSync(name, 'v1\n');
  repo.commitAll('odd name');
  writeFileSync(name, 'v2\n');
  const id = repo.json<Rec>(['create', '-m', 'v2']).id;
  writeFileSync(name, 'v3\n');
  const r = repo.cli(['restore', id]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /1 file\(s\) not restored: their names are not UTF-8/);
  assert.is(readFileSync(name, 'utf8'), 'v3\n', 'left as it is, not half-restored');
  assert.equal(readdirSync(repo.dir).filter((n) => n.startsWith('tr')).length, 1, 'no file under a mangled name');
});

test('restore compares a name git would read as quoted as itself, and writes it', () => {
  const repo = tempRepo();
  repo.write('a', 'same\n');
  repo.write('"a"', 'base\n');
  repo.commitAll('quoted');
  repo.write('"a"', 'same\n');
  const id = repo.json<Rec>(['create', '-m', 'quoted']).id;
  repo.write('"a"', 'newer work\n');
  repo.json(['restore', id]);
  assert.is(repo.read('"a"'), 'same\n');
});

test('undo of a run that made a file whose name is not UTF-8 removes neither it nor the file whose name reads the same', () => {
  // The diff of the tree now against the undo point gave paths decoded with U+FFFD: the run's
  // "bad\xffname" became "bad\uFFFDname", and undo deleted the user's file of that (valid) name.
  const repo = tempRepo();
  repo.write('bad\uFFFDname', 'precious tracked\n');
  repo.commitAll('a name with U+FFFD in it');
  repo.write('u\uFFFD.txt', 'precious untracked\n');
  const odd = (a: string, b: string) => Buffer.concat([Buffer.from(repo.dir + '/' + a), Buffer.from([0xfe]), Buffer.from(b)]);
  const made = [odd('bad', 'name'), odd('u', '.txt')].map((n) => `require('fs').writeFileSync(Buffer.from(${JSON.stringify([...n])}), 'x')`).join(';');
  const r = repo.cli(['run', '--', process.execPath, '-e', made]);
  assert.is(r.code, 0, r.stderr);
  const u = repo.cli(['undo', '--yes']);
  assert.is(u.code, 0, u.stderr);
  assert.is(repo.read('bad\uFFFDname'), 'precious tracked\n', 'the tracked file undo goes back to is still there');
  assert.is(repo.read('u\uFFFD.txt'), 'precious untracked\n');
  assert.ok(existsSync(odd('bad', 'name')) && existsSync(odd('u', '.txt')), 'a name undo cannot spell is left as it is');
  assert.match(u.stdout, /not UTF-8 left as they are/);
  assert.is(repo.git(['status', '--porcelain', '--', 'bad\uFFFDname']), '', 'git sees no deletion');
  const before = repo.json<Rec[]>(['list', '--label', 'run:before'])[0]!.id;
  const again = repo.json<{ not_utf8: string[] }>(['undo', before, '--yes']);
  assert.equal(again.not_utf8.length, 2, '--json says which names it left, as restore --json does');
});

test.run();
