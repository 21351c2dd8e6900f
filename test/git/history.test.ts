// readHistory (src/git/content.ts): the commits between the starts and their merge base, with what
// each changed. merge-base is asked at once; a start git does not have (a commit another clone
// recorded, one gc pruned) makes it fail, and then the missing ones are left out and it is asked again.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tempRepo } from '../helpers/repo.js';
import { findRepo } from '../../src/git/exec.js';
import { readHistory } from '../../src/git/content.js';

test('a start git does not have is left out: the same history as without it', async () => {
  const repo = tempRepo();
  const a = repo.git(['rev-parse', 'HEAD']);
  repo.write('b.txt', 'b\n');
  const b = repo.commitAll('b');
  repo.write('c.txt', 'c\n');
  const c = repo.commitAll('c');
  const paths = await findRepo(repo.dir);
  const missing = 'f'.repeat(40);
  const plain = await readHistory(paths, [c, a]);
  const withMissing = await readHistory(paths, [missing, c, a]);
  assert.equal([...withMissing.graph.commits.keys()].sort(), [...plain.graph.commits.keys()].sort());
  assert.ok([a, b, c].every((x) => plain.graph.commits.has(x)), 'from the merge base up');
  assert.equal((await readHistory(paths, [missing])).graph.commits.size, 0, 'nothing when none is there');
});

test.run();
