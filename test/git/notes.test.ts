// Notes in bulk against real git, through the one write path (writeNoteLines): one fast-import
// commit for many objects, and an object this clone lacks (a pruned snapshot) still gets its
// lines, as a tree entry git reads like any other note.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tempRepo } from '../helpers/repo.js';
import { findRepo } from '../../src/git/exec.js';
import { notesTip, writeNoteLines } from '../../src/git/notes-write.js';
import { listNotes, readNote } from '../../src/git/notes.js';

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
  const fanned = `040000 tree ${repo.git(['mktree'], { input: `100644 blob ${blob}\t${c.slice(2)}\n` })}\t${c.slice(0, 2)}\n`;
  const twice = repo.git(['ls-tree', 'refs/notes/backups']) + `\n${fanned}`;
  repo.git(['update-ref', 'refs/notes/backups', repo.git(['commit-tree', repo.git(['mktree'], { input: twice }), '-p', 'refs/notes/backups', '-m', 'twice'])]);
  assert.is(entriesFor(repo, c).length, 2);
  await writeNoteLines(paths, new Map([[c, ['2026-01-01T00:00:01.000Z first']]]));
  assert.is(entriesFor(repo, c).length, 1, 'mended');
  assert.is(await readNote(paths, c), '2026-01-01T00:00:01.000Z first\n2026-01-01T00:00:02.000Z second\n');
});

test.run();
