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

test.run();
