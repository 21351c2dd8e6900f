// Refs read from the files backend without git (src/git/ref-files.ts): the same answer git gives,
// or "ask git" (undefined) wherever the files say something this reader is not sure of.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempRepo } from '../helpers/repo.js';
import { findRepo } from '../../src/git/exec.js';
import { headValue, refValue } from '../../src/git/ref-files.js';

test('loose and packed refs, HEAD on a branch, detached, unborn: what rev-parse says', async () => {
  const repo = tempRepo();
  const paths = await findRepo(repo.dir);
  const head = repo.git(['rev-parse', 'HEAD']);
  assert.is(await headValue(paths), head);
  assert.is(await refValue(paths, 'refs/heads/main'), head);
  repo.git(['branch', 'topic/deep/name']);
  repo.git(['pack-refs', '--all']);
  assert.is(await refValue(paths, 'refs/heads/topic/deep/name'), head, 'packed, with slashes');
  assert.is(await headValue(paths), head, 'HEAD through a packed branch');
  assert.is(await refValue(paths, 'refs/heads/nope'), null);
  repo.write('a.txt', 'a\n');
  const next = repo.commitAll('next');
  assert.is(await headValue(paths), next, 'a loose ref wins over its packed line');
  repo.git(['checkout', '-q', '--detach', head]);
  assert.is(await headValue(paths), head, 'detached');
  repo.git(['checkout', '-q', '--orphan', 'fresh']);
  assert.is(await headValue(paths), null, 'unborn');
});

test('what the reader is not sure of is left to git: a symbolic ref, garbage, a reftable', async () => {
  const repo = tempRepo();
  const paths = await findRepo(repo.dir);
  writeFileSync(join(repo.dir, '.git', 'refs', 'heads', 'alias'), 'ref: refs/heads/main\n');
  assert.is(await refValue(paths, 'refs/heads/alias'), undefined);
  writeFileSync(join(repo.dir, '.git', 'refs', 'heads', 'junk'), 'not an id\n');
  assert.is(await refValue(paths, 'refs/heads/junk'), undefined);
  writeFileSync(join(repo.dir, '.git', 'HEAD'), 'ref: refs/remotes/origin/main\n');
  assert.is(await headValue(paths), undefined, 'HEAD outside refs/heads');
  mkdirSync(join(repo.dir, '.git', 'reftable'));
  assert.is(await refValue(paths, 'refs/heads/main'), undefined);
});

test.run();
