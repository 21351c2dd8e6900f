// Notes in bulk against real git: one fast-import commit for many objects, and an object this clone
// lacks is skipped instead of failing the whole batch.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tempRepo } from '../helpers/repo.js';
import { findRepo } from '../../src/git/exec.js';
import { appendNotesBatch } from '../../src/git/notes-batch.js';
import { readNote } from '../../src/git/notes.js';

test('a batch noting a missing object notes every other object and does not throw', async () => {
  const repo = tempRepo();
  const commits: string[] = [];
  for (let i = 0; i < 9; i++) {
    repo.write(`f${i}.txt`, `${i}\n`);
    commits.push(repo.commitAll(`c${i}`));
  }
  const paths = await findRepo(repo.dir);
  const missing = 'f2cd539e5d81751b195bd72a02a151ef40c09ef7';
  const additions = new Map<string, string[]>([...commits, missing].map((c, i) => [c, [`2026-01-01T00:00:0${i % 10}.000Z line ${i}`]]));
  await appendNotesBatch(paths, additions);
  for (const [i, c] of commits.entries()) assert.match(await readNote(paths, c), new RegExp(`line ${i}\\n`));
  assert.is(repo.git(['notes', '--ref=refs/notes/backups', 'list']).split('\n').length, 9);
});

test.run();
