// Issue 8: one truth, against what a person does by hand to the refs and notes the store rests on
// (found by review campaigns): symbolic refs where refs were, a notes ref at a user branch or a
// tag, a notes tree that lost a tree object, refs not named like a backup, a repair killed
// half-way. Each must be repaired or refused without touching the user's own refs, and end with
// `recover` and `ci` exiting 0. (Split from truth-gc.test.ts, which had grown past 40 s.)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { tempRepo, type TestRepo } from '../helpers/repo.js';
import { runUntil } from '../helpers/pause.js';
import { ok, oneBackup, type Rec } from '../helpers/truth.js';

/** A repository with three backups (b1, b2, b3), each on its own change of a.txt. */
function threeBackups(): { repo: TestRepo; ids: string[] } {
  const repo = tempRepo();
  const ids: string[] = [];
  for (const k of [1, 2, 3]) {
    repo.write('a.txt', `work ${k}\n`);
    ids.push(repo.json<Rec>(['create', '-m', `b${k}`]).id);
  }
  return { repo, ids };
}

test('a refs/backups/<id> made a symbolic ref to a branch by hand: delete removes the backup ref, never the branch it names (adversarial campaign)', () => {
  const { repo, id, snap } = oneBackup('symref');
  repo.git(['branch', 'keepme', snap]);
  repo.git(['symbolic-ref', `refs/backups/${id}`, 'refs/heads/keepme']);
  ok(repo, ['delete', id, '--yes', '--force']);
  assert.is(repo.json<Rec>(['show', id]).state, 'DELETED');
  assert.is(repo.git(['rev-parse', '--verify', '-q', 'refs/heads/keepme']), snap, "the user's branch is still there");
  assert.throws(() => repo.git(['rev-parse', '--verify', '-q', `refs/backups/${id}`]), 'the backup ref is gone');
  ok(repo, ['ci']);
});

test('refs/notes/backups made a symbolic ref to a user branch by hand: recover repairs the notes ref itself and leaves the branch where it was', () => {
  const repo = tempRepo();
  repo.write('a.txt', 'one\n');
  const id = repo.json<Rec>(['create', '-m', 'before the symbolic notes ref']).id;
  repo.write('b.txt', 'user work\n');
  const user = repo.commitAll('user work');
  repo.git(['branch', 'keep', user]);
  repo.git(['symbolic-ref', 'refs/notes/backups', 'refs/heads/keep']);
  assert.match(ok(repo, ['recover']), /refs\/notes\/backups was damaged/);
  assert.is(repo.git(['rev-parse', 'refs/heads/keep']), user, "the user's branch was not moved to the notes commit");
  assert.throws(() => repo.git(['symbolic-ref', '-q', 'refs/notes/backups']), 'the notes ref is a ref of its own again');
  assert.is(repo.json<Rec>(['show', id]).state, 'CREATED');
  ok(repo, ['ci']);
});

test('a notes tree that lost a fan-out tree object (its top still sound): ci says so (exit 7), recover starts the notes again from the index, then both exit 0', () => {
  const { repo, ids } = threeBackups();
  // The same notes laid out one level deep (as git lays out many); the tree objects written loose
  // (git mktree), so one can be removed as a damaged disk or a partial copy loses it.
  const notes = repo.git(['notes', '--ref=refs/notes/backups', 'list']).split('\n').filter(Boolean).map((l) => l.split(' ') as [string, string]);
  const byDir = new Map<string, string[]>();
  for (const [blob, object] of notes) byDir.set(object.slice(0, 2), [...(byDir.get(object.slice(0, 2)) ?? []), `100644 blob ${blob}\t${object.slice(2)}`]);
  const top = [...byDir].map(([dir, entries]) => `040000 tree ${repo.git(['mktree'], { input: entries.join('\n') + '\n' })}\t${dir}`);
  const tree = repo.git(['mktree'], { input: top.join('\n') + '\n' });
  const tip = repo.git(['rev-parse', 'refs/notes/backups']);
  repo.git(['update-ref', 'refs/notes/backups', repo.git(['commit-tree', tree, '-p', tip, '-m', 'fanned out'])]);
  ok(repo, ['status']); // the index catches up with the fanned-out notes (they say the same)
  const lost = repo.git(['rev-parse', `refs/notes/backups:${notes[0]![1].slice(0, 2)}`]);
  unlinkSync(join(repo.dir, '.git', 'objects', lost.slice(0, 2), lost.slice(2)));
  const ci = repo.cli(['ci']);
  assert.is(ci.code, 7, ci.stdout + ci.stderr);
  assert.match(ci.stderr, /git backup recover/);
  assert.match(ok(repo, ['recover']), /whose notes tree cannot be read/);
  ok(repo, ['ci']);
  assert.is(repo.git(['notes', '--ref=refs/notes/backups', 'list']).split('\n').filter(Boolean).length, 3, 'every backup noted again');
  assert.match(ok(repo, ['recover']), /0 repair\(s\), 0 problem\(s\)/);
  for (const id of ids) assert.is(repo.json<Rec>(['show', id]).state, 'CREATED');
});

test('recover --rebuild after a note lost a line the index has: the rebuilt index says what the notes then say (the catch-up is not written after the read it should be in; adversarial campaign)', () => {
  const { repo, id, snap } = oneBackup('deleted, then its note trimmed');
  ok(repo, ['delete', id, '--yes', '--force']);
  // The note edited by hand with git notes: its DELETED line gone.
  const first = repo.git(['notes', '--ref=refs/notes/backups', 'show', snap]).split('\n')[0]!;
  repo.git(['notes', '--ref=refs/notes/backups', 'add', '-f', '-m', first, snap]);
  ok(repo, ['recover', '--rebuild']);
  const note = repo.git(['notes', '--ref=refs/notes/backups', 'show', snap]);
  const shown = repo.json<Rec>(['show', id]);
  assert.is(shown.state, /"to":"DELETED"/.test(note) ? 'DELETED' : 'CREATED', `index ${shown.state}, note:\n${note}`);
  assert.is(shown.state, 'DELETED', 'the index had the deletion and the notes were caught up with it');
  ok(repo, ['recover']);
  assert.is(repo.json<Rec>(['show', id]).state, 'DELETED');
  assert.throws(() => repo.git(['rev-parse', '--verify', '-q', `refs/backups/${id}`]), 'no ref brought back');
});

test('a ref under refs/backups/ not named like a backup (made by hand) is not adopted: no record no command can name, no second creation line in the note of a backup (adversarial campaign)', () => {
  const { repo, id, snap } = oneBackup('real');
  repo.git(['update-ref', 'refs/backups/zzz', snap]);
  const r = repo.cli(['recover']);
  assert.match(r.stdout + r.stderr, /refs\/backups\/zzz is not named like a backup/);
  assert.equal(repo.json<Rec[]>(['list']).map((b) => b.id), [id]);
  assert.is(repo.git(['notes', '--ref=refs/notes/backups', 'show', snap]).split('\n').length, 1, 'one creation line');
  repo.cli(['recover', '--rebuild']);
  assert.equal(repo.json<Rec[]>(['list']).map((b) => b.id), [id]);
  ok(repo, ['ci']);
});

test('recover killed between putting a damaged notes ref back and writing the index history into it: the next recover still writes the deletions made meanwhile (adversarial campaign)', async () => {
  const { repo, id, snap } = oneBackup('deleted while the notes ref was damaged');
  repo.write('b.txt', 'two\n');
  ok(repo, ['create', '-m', 'live']);
  repo.git(['update-ref', 'refs/notes/backups', repo.git(['hash-object', '-w', '--stdin'], { input: 'junk\n' })]);
  repo.cli(['delete', id, '--yes', '--force']); // the index only: the tombstone goes to the cold store
  const paused = await runUntil(repo, ['recover'], 'recover:notes-ref-replaced');
  await paused.kill();
  repo.cli(['recover']);
  assert.match(repo.git(['notes', '--ref=refs/notes/backups', 'show', snap]), /"to":"DELETED"/, 'the deletion reached the notes');
  assert.match(ok(repo, ['ci']), /1 DELETED/);
  ok(repo, ['recover', '--rebuild']);
  assert.is(repo.json<Rec>(['show', id]).state, 'DELETED');
});

test('a refs/backups/<id> made a dangling symbolic ref by hand: recover points the backup ref at its snapshot and creates no branch (adversarial campaign)', () => {
  const { repo, id, snap } = oneBackup('dangling');
  repo.git(['update-ref', '-d', `refs/backups/${id}`]);
  repo.git(['symbolic-ref', `refs/backups/${id}`, 'refs/heads/ghost']);
  ok(repo, ['recover']);
  assert.throws(() => repo.git(['rev-parse', '--verify', '-q', 'refs/heads/ghost']), 'no branch made');
  assert.is(repo.git(['rev-parse', `refs/backups/${id}`]), snap);
  ok(repo, ['ci']);
});

test('a note whose blob is gone: ci exits 7 naming recover (it counted 2 of 3 and said ok), recover writes it again, then ci exits 0 (review)', () => {
  const { repo, ids } = threeBackups();
  const [blob] = repo.git(['notes', '--ref=refs/notes/backups', 'list']).split('\n')[0]!.split(' ') as [string, string];
  unlinkSync(join(repo.dir, '.git', 'objects', blob.slice(0, 2), blob.slice(2)));
  const ci = repo.cli(['ci']);
  assert.is(ci.code, 7, ci.stdout + ci.stderr);
  assert.match(ci.stderr, /cannot be read .* git backup recover/);
  assert.is(ci.stderr.trim().split('\n').length, 1, ci.stderr);
  ok(repo, ['recover']);
  assert.match(ok(repo, ['ci']), /3 backup\(s\) checked/);
  for (const id of ids) assert.is(repo.json<Rec>(['show', id]).state, 'CREATED');
});

test.run();
