// Text put into a backup's note by hand (`git notes --ref=backups append -m ...`) is not an event:
// `recover` reported it as a problem (exit 7) and `ci` failed on it (exit 8) for good, and nothing
// the tool offers took it out. Now recover moves such lines out of the note, in one notes commit,
// into <store>/removed-note-lines, and every other line of the note keeps its bytes and its place.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { TestRepo } from '../helpers/repo.js';
import { note, ok, oneBackup, removedFile, type Rec } from '../helpers/truth.js';


/** recover moves `garbage` out of the note on `snap`: the rest of the note as it was, the line kept in the file. */
function recoverMoves(repo: TestRepo, snap: string, garbage: string[], before: string): void {
  const out = ok(repo, ['recover']);
  for (const g of garbage) {
    const line = before.split('\n').indexOf(g) + 1;
    assert.ok(out.includes(`repaired: note on ${snap.slice(0, 12)}: line ${line} was not an event; moved to ${removedFile(repo)}`), out);
  }
  assert.match(out, /0 problem\(s\)/);
  assert.is(note(repo, snap), before.split('\n').filter((l) => !garbage.includes(l)).join('\n'), 'every other line byte-identical, in its place');
  const kept = readFileSync(removedFile(repo), 'utf8');
  for (const g of garbage) assert.ok(kept.split('\n').includes(`${snap} ${g}`), kept);
  assert.is(statSync(removedFile(repo)).mode & 0o777, 0o600);
  ok(repo, ['ci']);
  // Done once: a second recover has nothing to repair, and keeps each line once.
  assert.match(ok(repo, ['recover']), /0 repair\(s\), 0 problem\(s\)/);
  assert.is(readFileSync(removedFile(repo), 'utf8'), kept);
}

test("a line appended to a backup's note by hand (git notes append): recover moves it out and exits 0, then ci exits 0", () => {
  const { repo, snap } = oneBackup('one');
  repo.git(['notes', '--ref=backups', 'append', '-m', 'this is garbage', snap]);
  const before = note(repo, snap);
  const tip = repo.git(['rev-parse', 'refs/notes/backups']);
  recoverMoves(repo, snap, ['this is garbage'], before);
  assert.is(repo.git(['rev-list', '--count', `${tip}..refs/notes/backups`]), '1', 'one notes commit');
});

test("a garbage line among a backup's valid lines (not in time order): only it goes; the others keep their bytes and their order", () => {
  const { repo, id, snap } = oneBackup('several lines');
  ok(repo, ['pin', id]);
  ok(repo, ['transition', id, 'CLEANABLE', '--force', '--reason', 'by hand']);
  const lines = note(repo, snap).split('\n');
  assert.ok(lines.length >= 3, note(repo, snap));
  // Written back last line first, two hand-made lines among them.
  const [first, ...rest] = [...lines].reverse();
  const text = [first, 'not an event: written by hand', ...rest.slice(0, 1), '# a comment', ...rest.slice(1)].join('\n');
  repo.git(['notes', '--ref=backups', 'add', '-f', '-F', '-', snap], { input: `${text}\n` });
  const before = note(repo, snap);
  assert.is(before, text);
  recoverMoves(repo, snap, ['not an event: written by hand', '# a comment'], before);
  const shown = repo.json<Rec & { pinned: boolean }>(['show', id]);
  assert.is(shown.state, 'CLEANABLE');
  assert.is(shown.pinned, true);
});

test("a garbage line in a DELETED backup's note (its tombstone in the cold store): recover moves it out, ci still counts it DELETED", () => {
  const { repo, id, snap } = oneBackup('deleted');
  repo.write('b.txt', 'live\n');
  ok(repo, ['create', '-m', 'live']);
  ok(repo, ['delete', id, '--yes', '--force']);
  repo.git(['notes', '--ref=backups', 'append', '-m', 'garbage on a tombstone', snap]);
  const before = note(repo, snap);
  recoverMoves(repo, snap, ['garbage on a tombstone'], before);
  assert.match(ok(repo, ['ci']), /1 DELETED/);
  assert.is(repo.json<Rec>(['show', id]).state, 'DELETED');
});

test('ci (which never writes) names the line with the hint to run recover and changes nothing; recover has no --dry-run and refuses it, changing nothing', () => {
  const { repo, snap } = oneBackup('read only');
  repo.git(['notes', '--ref=backups', 'append', '-m', 'this is garbage', snap]);
  const before = note(repo, snap);
  const tip = repo.git(['rev-parse', 'refs/notes/backups']);
  const ci = repo.cli(['ci']);
  assert.is(ci.code, 8, ci.stdout + ci.stderr);
  assert.match(ci.stdout, /line 3 is not a valid event \(not "<timestamp> <json>"\); run git backup recover\n/);
  const dry = repo.cli(['recover', '--dry-run']);
  assert.is(dry.code, 2, dry.stdout + dry.stderr);
  assert.is(repo.git(['rev-parse', 'refs/notes/backups']), tip, 'no notes commit');
  assert.is(note(repo, snap), before);
  assert.not.ok(existsSync(removedFile(repo)));
});

test('a reason or message holding U+2028 or U+2029 (JSON.stringify leaves them raw) is an event: ci passes, recover moves nothing, --rebuild keeps the transition', () => {
  const { repo, id, snap } = oneBackup('first\u2029line');
  ok(repo, ['transition', id, 'CLEANABLE', '--force', '--reason', 'per\u2028review']);
  const before = note(repo, snap);
  assert.ok(before.includes('\u2028') && before.includes('\u2029'), 'written raw');
  assert.match(ok(repo, ['ci']), /1 CLEANABLE\): ok/);
  assert.match(ok(repo, ['recover']), /0 repair\(s\), 0 problem\(s\)/);
  rmSync(join(repo.dir, '.git', 'backup', 'db.json'));
  rmSync(join(repo.dir, '.git', 'backup', 'db.json.prev'), { force: true });
  ok(repo, ['recover', '--rebuild']);
  assert.is(note(repo, snap), before, 'no line taken out');
  assert.not.ok(existsSync(removedFile(repo)));
  const shown = repo.json<Rec & { message: string }>(['show', id]);
  assert.is(shown.state, 'CLEANABLE');
  assert.is(shown.message, 'first\u2029line');
});

test.run();
