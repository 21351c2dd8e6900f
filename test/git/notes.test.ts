// Notes in bulk against real git, through the one write path (writeNoteLines): one fast-import
// commit for many objects, and an object this clone lacks (a pruned snapshot) still gets its
// lines, as a tree entry git reads like any other note.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { scratchDir, tempRepo } from '../helpers/repo.js';
import { findRepo } from '../../src/git/exec.js';
import { notePath, notesTip, writeNoteLines } from '../../src/git/notes-write.js';
import { eachNote, listNotes, notesChangedBetween, readNote } from '../../src/git/notes.js';

test('a batch noting a missing object notes every object and does not throw; lines are not repeated', async () => {
  const repo = tempRepo();
  const commits: string[] = [];
  for (let i = 0; i < 9; i++) {
    repo.write(`f${i}.txt`, `${i}\n`);
    commits.push(repo.commitAll(`c${i}`));
  }
  const paths = await findRepo(repo.dir);
  const missing = 'f2cd539e5d81751b195bd72a02a151ef40c09ef7';
  const additions = new Map<string, string[]>([...commits, missing].map((c, i) => [c, [`2026-01-01T00:00:0${i % 10}.000Z line ${i}`]]));
  const tip = await writeNoteLines(paths, additions);
  assert.is(tip, await notesTip(paths));
  for (const [i, c] of commits.entries()) assert.match(await readNote(paths, c), new RegExp(`line ${i}\\n`));
  const all = await listNotes(paths);
  assert.is(all.size, 10);
  assert.match(all.get(missing)!, /line 9\n/);
  // The same lines again change nothing (no new notes commit).
  assert.is(await writeNoteLines(paths, additions), tip);
});

/** The notes tree's entries for `object`, at any fan-out. */
function entriesFor(repo: ReturnType<typeof tempRepo>, object: string): string[] {
  return repo.git(['ls-tree', '-r', '--name-only', 'refs/notes/backups']).split('\n').filter((p) => p.replace(/\//g, '') === object);
}

test('a note that sits fanned out (git notes copy during a rebase) is replaced where it is, not written a second time (review)', async () => {
  const repo = tempRepo();
  repo.write('a.txt', 'a\n');
  const c = repo.commitAll('a');
  const paths = await findRepo(repo.dir);
  repo.write('b.txt', 'b\n');
  await writeNoteLines(paths, new Map([[repo.commitAll('other'), ['2026-01-01T00:00:00.000Z other']]]));
  // The note on c as git's own notes code may leave it: under a 2-hex directory.
  const blob = repo.git(['hash-object', '-w', '--stdin'], { input: '2026-01-01T00:00:01.000Z first\n' });
  const tree = repo.git(['ls-tree', 'refs/notes/backups']) + `\n040000 tree ${repo.git(['mktree'], { input: `100644 blob ${blob}\t${c.slice(2)}\n` })}\t${c.slice(0, 2)}\n`;
  const commit = repo.git(['commit-tree', repo.git(['mktree'], { input: tree }), '-p', 'refs/notes/backups', '-m', 'fanned out']);
  repo.git(['update-ref', 'refs/notes/backups', commit]);
  assert.equal(entriesFor(repo, c), [`${c.slice(0, 2)}/${c.slice(2)}`]);
  await writeNoteLines(paths, new Map([[c, ['2026-01-01T00:00:02.000Z second']]]));
  assert.is(entriesFor(repo, c).length, 1, 'one entry for the object');
  assert.is(await readNote(paths, c), '2026-01-01T00:00:01.000Z first\n2026-01-01T00:00:02.000Z second\n');

  // Already twice (left by an earlier version): the next write mends it, even with no new line.
  // Flat at the top and fanned out under its 2-hex directory, beside the other note.
  const fanned = `040000 tree ${repo.git(['mktree'], { input: `100644 blob ${blob}\t${c.slice(2)}\n` })}\t${c.slice(0, 2)}\n`;
  const others = repo.git(['ls-tree', 'refs/notes/backups']).split('\n').filter((l) => !l.endsWith(`\t${c.slice(0, 2)}`) && !l.endsWith(`\t${c}`));
  const current = repo.git(['notes', '--ref=backups', 'list', c]);
  const twice = [...others, `100644 blob ${current}\t${c}`].join('\n') + `\n${fanned}`;
  repo.git(['update-ref', 'refs/notes/backups', repo.git(['commit-tree', repo.git(['mktree'], { input: twice }), '-p', 'refs/notes/backups', '-m', 'twice'])]);
  assert.is(entriesFor(repo, c).length, 2);
  await writeNoteLines(paths, new Map([[c, ['2026-01-01T00:00:01.000Z first']]]));
  assert.is(entriesFor(repo, c).length, 1, 'mended');
  assert.is(await readNote(paths, c), '2026-01-01T00:00:01.000Z first\n2026-01-01T00:00:02.000Z second\n');
});

test('a new note goes at the fan-out of its neighbours; fast-import is never asked to re-lay the tree', () => {
  const o = 'ab12cdef0123456789abcdef0123456789abcdef';
  const none = () => null;
  assert.is(notePath(o, none), o, 'no notes tree yet: flat');
  assert.is(notePath(o, (d) => (d === '' ? new Set() : null)), o, 'a flat tree stays flat');
  assert.is(notePath(o, (d) => (d === '' ? new Set(['00', '01']) : null)), `ab/${o.slice(2)}`, 'fanned out once, no ab/ yet');
  assert.is(notePath(o, (d) => (d === '' ? new Set(['ab']) : d === 'ab' ? new Set() : null)), `ab/${o.slice(2)}`, 'ab/ holds notes');
  assert.is(notePath(o, (d) => (d === '' ? new Set(['ab']) : d === 'ab' ? new Set(['00']) : null)), `ab/12/${o.slice(4)}`, 'ab/ holds 2-hex directories');
});

test('in a fanned-out notes tree (as git lays out thousands), new notes join its layout and every note still reads', async () => {
  const repo = tempRepo();
  repo.write('a.txt', 'a\n');
  const commits = [repo.commitAll('a')];
  repo.write('b.txt', 'b\n');
  commits.push(repo.commitAll('b'));
  // 512 notes two levels deep, two under every 2-hex directory (notes need not name present objects).
  const fake = (i: number) => (i % 256).toString(16).padStart(2, '0') + createHash('sha1').update(`fake ${i}`).digest('hex').slice(2);
  const fi = ['commit refs/notes/backups', 'committer A <a@b.invalid> 1 +0000', 'data 4', 'init'];
  for (let i = 0; i < 512; i++) fi.push(`M 100644 inline ${fake(i).slice(0, 2)}/${fake(i).slice(2, 4)}/${fake(i).slice(4)}`, 'data 2', `${i % 10}`);
  repo.git(['fast-import', '--quiet'], { input: fi.join('\n') + '\n\n' });
  const paths = await findRepo(repo.dir);
  const lines = new Map([...commits, fake(7)].map((c, i) => [c, [`2026-01-01T00:00:0${i}.000Z line ${i}`]]));
  await writeNoteLines(paths, lines);
  for (const c of commits) assert.equal(entriesFor(repo, c), [`${c.slice(0, 2)}/${c.slice(2, 4)}/${c.slice(4)}`], 'at the tree\'s fan-out');
  assert.equal(entriesFor(repo, fake(7)), [`${fake(7).slice(0, 2)}/${fake(7).slice(2, 4)}/${fake(7).slice(4)}`], 'in place');
  for (const [c, [l]] of lines) assert.match(repo.git(['notes', '--ref=backups', 'show', c]), l!);
  assert.is((await listNotes(paths)).size, 514);
  // git's own notes code reads and writes the tree as it is.
  repo.write('c.txt', 'c\n');
  const c3 = repo.commitAll('c');
  repo.git(['notes', '--ref=backups', 'add', '-m', 'by git', c3]);
  assert.is((await listNotes(paths)).size, 515);
  for (const [c, [l]] of lines) assert.match(repo.git(['notes', '--ref=backups', 'show', c]), l!);
});

test('a batch of thousands (the tree listed once, not each note looked up) finds notes at every fan-out and mends a doubled one', async () => {
  const repo = tempRepo();
  repo.write('a.txt', 'a\n');
  repo.commitAll('a');
  const paths = await findRepo(repo.dir);
  const ids = Array.from({ length: 2100 }, (_, i) => createHash('sha1').update(`object ${i}`).digest('hex'));
  // Notes on the first three already: flat, fanned once, and both (a doubled one).
  const [flat, once, twice] = ids as [string, string, string];
  const fi = ['commit refs/notes/backups', 'committer A <a@b.invalid> 1 +0000', 'data 4', 'init'];
  for (const [path, text] of [[flat, 'old flat'], [`${once.slice(0, 2)}/${once.slice(2)}`, 'old once'], [twice, 'old twice'], [`${twice.slice(0, 2)}/${twice.slice(2)}`, 'old twice b']]) {
    fi.push(`M 100644 inline ${path}`, `data ${text!.length + 1}`, text!);
  }
  repo.git(['fast-import', '--quiet'], { input: fi.join('\n') + '\n\n' });
  await writeNoteLines(paths, new Map(ids.map((o, i) => [o, [`2026-01-01T00:00:00.000Z line ${i}`]])));
  const all = await listNotes(paths);
  assert.is(all.size, 2100);
  assert.is(all.get(flat), 'old flat\n2026-01-01T00:00:00.000Z line 0\n'.split('\n').sort().filter(Boolean).join('\n') + '\n');
  assert.match(all.get(once)!, /old once\n/);
  assert.match(all.get(twice)!, /old twice\n/);
  assert.match(all.get(twice)!, /old twice b\n/);
  for (const o of [flat, once, twice]) assert.is(entriesFor(repo, o).length, 1, `one entry for ${o}`);
  assert.equal(entriesFor(repo, once), [`${once.slice(0, 2)}/${once.slice(2)}`], 'replaced where it was');
  assert.match(all.get(ids[2099]!)!, /line 2099\n/);
});

test('the batch listing works with a git older than 2.36 (no ls-tree --format; the README promises git 2.30+)', async () => {
  const repo = tempRepo();
  repo.write('a.txt', 'a\n');
  const commit = repo.commitAll('a');
  repo.git(['notes', '--ref=backups', 'add', '-m', 'old line', commit]);
  const paths = await findRepo(repo.dir);
  // A git that answers `ls-tree --format` as git 2.30 to 2.35 do, and is real git for all else.
  const realGit = execFileSync('sh', ['-c', 'command -v git']).toString().trim();
  const shim = scratchDir();
  writeFileSync(
    join(shim, 'git'),
    `#!/bin/sh\nif [ "$1" = ls-tree ]; then for a in "$@"; do case "$a" in --format*) echo "error: unknown option \\\`\${a#--}'" >&2; exit 129;; esac; done; fi\nexec ${realGit} "$@"\n`,
  );
  chmodSync(join(shim, 'git'), 0o755);
  const ids = [commit, ...Array.from({ length: 2100 }, (_, i) => createHash('sha1').update(`old git ${i}`).digest('hex'))];
  const before = process.env.PATH;
  process.env.PATH = `${shim}:${before ?? ''}`;
  try {
    await writeNoteLines(paths, new Map(ids.map((o, i) => [o, [`2026-01-01T00:00:00.000Z line ${i}`]])));
  } finally {
    process.env.PATH = before;
  }
  const all = await listNotes(paths);
  assert.is(all.size, 2101);
  assert.is(all.get(commit), '2026-01-01T00:00:00.000Z line 0\nold line\n');
  assert.equal(entriesFor(repo, commit).length, 1);
});

test('every note is read, in chunks (a million notes are never all held): 20,500 notes across three chunks, each text its own', async () => {
  const repo = tempRepo();
  repo.write('a.txt', 'a\n');
  repo.commitAll('a');
  const id = (i: number) => createHash('sha1').update(`chunk ${i}`).digest('hex');
  const fi = ['commit refs/notes/backups', 'committer A <a@b.invalid> 1 +0000', 'data 4', 'init'];
  for (let i = 0; i < 20_500; i++) fi.push(`M 100644 inline ${id(i).slice(0, 2)}/${id(i).slice(2)}`, `data ${String(i).length + 1}`, `${i}`);
  repo.git(['fast-import', '--quiet'], { input: fi.join('\n') + '\n\n' });
  const paths = await findRepo(repo.dir);
  let n = 0;
  let wrong = 0;
  const want = new Map(Array.from({ length: 20_500 }, (_, i) => [id(i), `${i}\n`]));
  await eachNote(paths, (object, text) => {
    n++;
    if (want.get(object) !== text) wrong++;
  });
  assert.is(n, 20_500);
  assert.is(wrong, 0);
  assert.is((await listNotes(paths, new Set([id(7), id(20_499)]))).get(id(20_499)), '20499\n');
});

test('the notes changed between two notes commits, at every fan-out (flat as another tool writes it, fanned, mixed): texts by object, deletions left out', async () => {
  const repo = tempRepo();
  repo.write('a.txt', 'a\n');
  repo.commitAll('a');
  const id = (i: number) => createHash('sha1').update(`changed ${i}`).digest('hex');
  const at = (i: number, level: number) => (level === 0 ? id(i) : level === 1 ? `${id(i).slice(0, 2)}/${id(i).slice(2)}` : `${id(i).slice(0, 2)}/${id(i).slice(2, 4)}/${id(i).slice(4)}`);
  const commit = (entries: string[], from?: string) => {
    const fi = ['commit refs/notes/backups', 'committer A <a@b.invalid> 1 +0000', 'data 1', 'x', ...(from ? [`from ${from}`] : []), ...entries];
    repo.git(['fast-import', '--quiet', '--force'], { input: fi.join('\n') + '\n\n' });
    return repo.git(['rev-parse', 'refs/notes/backups']).trim();
  };
  const note = (i: number, level: number, text: string) => [`M 100644 inline ${at(i, level)}`, `data ${text.length}`, text];
  // 3,000 flat notes (one tree of 3,000 entries), 10 fanned one level, 10 two levels.
  const first = commit([...Array.from({ length: 3000 }, (_, i) => note(i, 0, `flat ${i}\n`)).flat(), ...Array.from({ length: 20 }, (_, k) => note(3000 + k, k < 10 ? 1 : 2, `fanned ${k}\n`)).flat()]);
  const paths = await findRepo(repo.dir);
  const all = await notesChangedBetween(paths, null, first);
  assert.is(all.size, 3020, 'without a base: every note');
  assert.is(all.get(id(2999)), 'flat 2999\n');
  assert.is(all.get(id(3015)), 'fanned 15\n');
  // Changed in place (flat and fanned), added at a new fan-out, one moved to another level, one deleted.
  const second = commit([...note(5, 0, 'flat 5 again\n'), ...note(3001, 1, 'fanned 1 again\n'), ...note(4000, 2, 'new\n'), `D ${at(6, 0)}`, ...note(6, 1, 'moved\n'), `D ${at(7, 0)}`], first);
  const changed = await notesChangedBetween(paths, first, second);
  assert.equal(Object.fromEntries([...changed].sort()), Object.fromEntries([[id(5), 'flat 5 again\n'], [id(3001), 'fanned 1 again\n'], [id(4000), 'new\n'], [id(6), 'moved\n']].sort()));
  // A base that is not a commit of this repository (gone after a forced fetch): every note of the tip.
  assert.is((await notesChangedBetween(paths, '0'.repeat(40), second)).size, 3020);
});

test('a notes ref set by hand to an annotated tag of the notes commit: a new note is still written (create exited 1 on it: git notes add refuses a tag; adversarial campaign)', async () => {
  const repo = tempRepo();
  repo.write('a.txt', 'a\n');
  const first = repo.commitAll('a');
  const paths = await findRepo(repo.dir);
  await writeNoteLines(paths, new Map([[first, ['2026-01-01T00:00:00.000Z first']]]));
  repo.git(['tag', '-a', '-m', 'notes', 'notes-tag', 'refs/notes/backups']);
  repo.git(['update-ref', 'refs/notes/backups', repo.git(['rev-parse', 'notes-tag'])]);
  repo.write('b.txt', 'b\n');
  const fresh = repo.commitAll('b');
  await writeNoteLines(paths, new Map([[fresh, ['2026-01-01T00:00:01.000Z second']]]), { fresh: new Set([fresh]) });
  assert.is(await readNote(paths, fresh), '2026-01-01T00:00:01.000Z second\n');
  assert.is(await readNote(paths, first), '2026-01-01T00:00:00.000Z first\n');
  assert.is(repo.git(['cat-file', '-t', 'refs/notes/backups']), 'commit');
});

test.run();
