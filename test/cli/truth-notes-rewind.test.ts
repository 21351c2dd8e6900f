// A notes ref moved back (a forced `git fetch +refs/notes/*:refs/notes/*` of older notes, a hand
// update-ref) is behind the index, not ahead of it: the moves it lacks are kept and written to it
// again, never undone (a hostile test saw a DELETED and an ARCHIVED backup read as CREATED, and the
// repair that followed delete the only archive).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir, tempRepo } from '../helpers/repo.js';
import { ok, type Rec } from '../helpers/truth.js';

test('notes moved back: DELETED and ARCHIVED stay, the archive restores, the notes get the lines back', () => {
  const repo = tempRepo();
  repo.write('a.txt', 'one\n');
  const deleted = repo.json<Rec>(['create', '-m', 'to delete']).id;
  repo.write('a.txt', 'two\n');
  const archived = repo.json<Rec>(['create', '-m', 'to archive']).id;
  const older = repo.git(['rev-parse', 'refs/notes/backups']);
  ok(repo, ['delete', deleted, '--yes', '--force']);
  ok(repo, ['transition', archived, 'CLEANABLE', '--force']);
  ok(repo, ['archive', archived, '--yes']);
  ok(repo, ['gc', '--now']);
  repo.git(['update-ref', 'refs/notes/backups', older]); // the rewind

  const list = repo.json<Rec[]>(['list']);
  assert.equal(list.map((r) => `${r.id} ${r.state}`), [`${archived} ARCHIVED`]);
  assert.is(repo.json<Rec>(['show', deleted]).state, 'DELETED');
  assert.is(repo.json<Rec[]>(['list', '--state', 'DELETED']).length, 1);
  ok(repo, ['recover']);
  ok(repo, ['ci']);
  ok(repo, ['verify']);
  const out = join(scratchDir(), 'out');
  ok(repo, ['restore', archived, '--to', out]);
  assert.is(readFileSync(join(out, 'a.txt'), 'utf8'), 'two\n');
  // The notes hold every move again: a rebuild from them alone gives the same states.
  ok(repo, ['recover', '--rebuild']);
  assert.is(repo.json<Rec>(['show', deleted]).state, 'DELETED');
  assert.is(repo.json<Rec>(['show', archived]).state, 'ARCHIVED');
  ok(repo, ['ci']);
});

test.run();
