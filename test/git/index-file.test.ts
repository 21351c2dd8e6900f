// The index reader of the kept temporary index (src/git/index-file.ts) against indexes real git wrote.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { tempRepo, type TestRepo } from '../helpers/repo.js';
import { indexIdentity, verifiedEntryCount } from '../../src/git/index-file.js';

const indexBytes = (repo: TestRepo) => readFileSync(join(repo.dir, '.git', 'index'));

function repoWithEntries(): TestRepo {
  const repo = tempRepo();
  for (let i = 0; i < 30; i++) repo.write(`dir${i % 4}/same-prefix-${i}.txt`, `file ${i}\n`);
  repo.write('exec.sh', '#!/bin/sh\n', 0o755);
  repo.git(['add', '-A']);
  repo.git(['commit', '-qm', 'entries']);
  return repo;
}

test('versions 2, 3 and 4: the count, and an id that changes whenever git writes the index again', () => {
  const repo = repoWithEntries();
  const tracked = repo.git(['ls-files']).split('\n').length;
  for (const v of [2, 3, 4]) {
    repo.git(['update-index', '--index-version', String(v)]);
    const id = indexIdentity(indexBytes(repo));
    assert.is(id?.count, tracked, `version ${v}`);
    assert.is(verifiedEntryCount(indexBytes(repo)), tracked);
    assert.equal(indexIdentity(indexBytes(repo)), id, 'the same bytes, the same id');
    const when = new Date(Date.now() - (v + 1) * 3600_000);
    utimesSync(join(repo.dir, 'dir1/same-prefix-1.txt'), when, when); // the same content, other stat data
    repo.git(['update-index', '--refresh']);
    const again = indexIdentity(indexBytes(repo))!;
    assert.is.not(again.id, id!.id, 'written again: another id');
  }
});

test('a kept index is trusted only whole; no trailer, garbage or a cut file: null', () => {
  const repo = repoWithEntries();
  const bytes = indexBytes(repo);
  assert.is(verifiedEntryCount(bytes.subarray(0, bytes.length - 1)), null);
  const flipped = Buffer.from(bytes);
  flipped[60] = flipped[60]! ^ 1; // in the first entry's object id: git would not notice
  assert.is(verifiedEntryCount(flipped), null);
  const noTrailer = Buffer.concat([bytes.subarray(0, bytes.length - 20), Buffer.alloc(20)]); // index.skipHash
  assert.is(indexIdentity(noTrailer), null);
  assert.is(verifiedEntryCount(noTrailer), null);
  for (const junk of [Buffer.from('DIRC'), Buffer.alloc(0), Buffer.from('not an index, but long enough to have a trailer of 32 bytes')]) {
    assert.is(indexIdentity(junk), null);
    assert.is(verifiedEntryCount(junk), null);
  }
});

test.run();
