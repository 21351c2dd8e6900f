// The edges of recover taking hand-put text out of our notes (truth-note-lines.test.ts has the
// cases): lines that are events but for their shape stay, a note that is not UTF-8 stays byte for
// byte, user commits' notes, and removed-note-lines edited by hand. Split from that file for time.
//
// Text put into a backup's note by hand (`git notes --ref=backups append -m ...`) is not an event:
// `recover` reported it as a problem (exit 7) and `ci` failed on it (exit 8) for good, and nothing
// the tool offers took it out. Now recover moves such lines out of the note, in one notes commit,
// into <store>/removed-note-lines, and every other line of the note keeps its bytes and its place.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { tempRepo } from '../helpers/repo.js';
import { note, ok, oneBackup, removedFile, type Rec } from '../helpers/truth.js';
import { install, withShim } from '../helpers/hooks.js';



test('lines that are events but for their shape (a trailing blank, a timestamp without milliseconds, no timestamp) stay in the note for a person; only the garbage moves', () => {
  const { repo, id, snap } = oneBackup('event-like');
  ok(repo, ['transition', id, 'CLEANABLE', '--force', '--reason', 'by hand']);
  const [created, transition] = note(repo, snap).split('\n') as [string, string];
  const json = transition.slice(transition.indexOf(' ') + 1);
  const eventLike = [`${transition} `, `2030-01-01T00:00:00Z ${json}`, json];
  const text = [created, ...eventLike, 'garbage'].join('\n') + '\n';
  // As hand edits or another tool leave them: `git notes add -F` would strip the trailing blank.
  const blob = repo.git(['hash-object', '-w', '--stdin'], { input: text });
  repo.git(['notes', '--ref=backups', 'add', '-f', '-C', blob, snap]);
  rmSync(join(repo.dir, '.git', 'backup', 'db.json'));
  rmSync(join(repo.dir, '.git', 'backup', 'db.json.prev'), { force: true });
  const out = ok(repo, ['recover', '--rebuild']);
  for (const n of [2, 3, 4]) assert.match(out, new RegExp(`line ${n}: [^\\n]*; skipped`));
  assert.match(out, /line 5 was not an event; moved to/);
  assert.is(repo.git(['cat-file', 'blob', `refs/notes/backups:${snap}`]) + '\n', [created, ...eventLike].join('\n') + '\n', 'only the garbage line went');
  assert.is(readFileSync(removedFile(repo), 'utf8'), `${snap} garbage\n`);
  const ci = repo.cli(['ci']);
  assert.is(ci.code, 8);
  assert.not.match(ci.stdout, /run git backup recover/);
});

test('removed-note-lines whose last line lacks its LF (edited by hand): the next entry is a line of its own', () => {
  const { repo, snap } = oneBackup('no final newline');
  writeFileSync(removedFile(repo), 'a note kept by hand', { mode: 0o600 });
  repo.git(['notes', '--ref=backups', 'append', '-m', 'this is garbage', snap]);
  ok(repo, ['recover']);
  assert.is(readFileSync(removedFile(repo), 'utf8'), `a note kept by hand\n${snap} this is garbage\n`);
});

test("text put into our notes on a user commit (git notes --ref=backups add HEAD): ci names recover, recover takes it out, a note of only it is removed", () => {
  const { repo } = oneBackup('one');
  const head = repo.git(['rev-parse', 'HEAD']);
  repo.git(['notes', '--ref=backups', 'add', '-m', 'a note of my own', head]);
  const ci = repo.cli(['ci']);
  assert.is(ci.code, 8, ci.stdout + ci.stderr);
  assert.match(ci.stdout, new RegExp(`note on ${head.slice(0, 12)}, line 1: [^\\n]*; run git backup recover`));
  const out = ok(repo, ['recover']);
  assert.ok(out.includes(`note on ${head.slice(0, 12)}: line 1 was not an event; moved to ${removedFile(repo)}`), out);
  assert.is(repo.cli(['ci']).code, 0);
  assert.not.ok(repo.git(['notes', '--ref=backups', 'list']).includes(head), 'no note left on the commit');
  assert.is(readFileSync(removedFile(repo), 'utf8'), `${head} a note of my own\n`);
});

test("text appended to a user commit's note of drove lines: only it goes, the drove lines stay byte for byte", () => {
  const repo = tempRepo();
  install(repo);
  repo.write('a.txt', 'work\n');
  const id = repo.json<Rec>(['create', '-m', 'work']).id;
  repo.git(['add', 'a.txt'], { env: withShim() });
  repo.git(['commit', '-q', '-m', 'commit the work'], { env: withShim() });
  const head = repo.git(['rev-parse', 'HEAD']);
  const drove = note(repo, head);
  assert.match(drove, new RegExp(`backup ${id}: `), 'the commit drove the backup');
  repo.git(['notes', '--ref=backups', 'append', '-m', 'garbage', head]);
  const before = note(repo, head);
  assert.ok(before.startsWith(drove), before);
  const out = ok(repo, ['recover']);
  assert.match(out, /line \d+ was not an event; moved to/);
  // The blank line `git notes append` put before it stays (blank lines are not taken out).
  assert.is(note(repo, head), before.split('\n').filter((l) => l !== 'garbage').join('\n'));
  ok(repo, ['ci']);
});

test('a note that is not UTF-8 text (Latin-1 typed by hand): recover leaves it byte for byte and says so; it never writes U+FFFD for the bytes, in the note or in removed-note-lines', () => {
  const { repo, snap } = oneBackup('latin1');
  const head = repo.git(['rev-parse', 'HEAD']);
  // On the user commit: an event-like line (kept) and a hand line, both with a Latin-1 é.
  const onHead = Buffer.from('2026-01-01T00:00 caf\xe9 kept\nmy caf\xe9 note\n', 'latin1');
  const onSnap = Buffer.concat([Buffer.from(note(repo, snap) + '\n'), Buffer.from('caf\xe9 by hand\n', 'latin1')]);
  for (const [object, bytes] of [[head, onHead], [snap, onSnap]] as const) {
    const file = join(repo.dir, 'note.txt');
    writeFileSync(file, bytes);
    repo.git(['notes', '--ref=backups', 'add', '-f', '-F', file, object]);
    rmSync(file);
  }
  const raw = (object: string) => execFileSync('git', ['cat-file', 'blob', `refs/notes/backups:${object}`], { cwd: repo.dir });
  assert.equal(raw(head), onHead);
  const r = repo.cli(['recover']);
  assert.is(r.code, 7, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`note on ${head.slice(0, 12)} is not UTF-8 text`));
  assert.match(r.stdout, new RegExp(`note on ${snap.slice(0, 12)} is not UTF-8 text`));
  assert.equal(raw(head), onHead, 'the note on the commit as it was');
  assert.equal(raw(snap), onSnap, "the backup's note as it was");
  assert.not.ok(existsSync(removedFile(repo)));
  const ci = repo.cli(['ci']);
  assert.is(ci.code, 8);
  assert.not.match(ci.stdout, /run git backup recover/, 'recover does not take it out: ci does not send there');
});

test("an event-like line put into our note on a user commit (ci fails on it, recover must not take it out): recover names it for a person (exit 7) instead of saying nothing and exiting 0", () => {
  const { repo } = oneBackup('one');
  const head = repo.git(['rev-parse', 'HEAD']);
  repo.git(['notes', '--ref=backups', 'add', '-m', '2026-01-01T00:00 typed by hand', head]);
  assert.is(repo.cli(['ci']).code, 8);
  const tip = repo.git(['rev-parse', 'refs/notes/backups']);
  const r = repo.cli(['recover']);
  assert.is(r.code, 7, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`note on ${head.slice(0, 12)}, line 1: [^\\n]*; left for a person`));
  assert.is(repo.git(['rev-parse', 'refs/notes/backups']), tip, 'the note as it was');
});

test.run();
