// Two clones and a bare remote: a merge done by B confirms A's backup after A pulls; `sync` from
// both keeps both clones' note lines (cat_sort_uniq merge).
import { test } from '../helpers/shard.js';
import * as assert from 'uvu/assert';
import { scratchDir, tempRepo, TestRepo } from '../helpers/repo.js';
import { install, withShim } from '../helpers/hooks.js';

interface Rec { id: string; state: string; confirmed_by: string | null }

function setup(): { bare: TestRepo; a: TestRepo; b: TestRepo } {
  const seed = tempRepo();
  const bare = new TestRepo(scratchDir('gb-bare-'));
  bare.git(['init', '-q', '--bare', '-b', 'main']);
  seed.git(['remote', 'add', 'origin', bare.dir]);
  seed.git(['push', '-q', 'origin', 'main']);
  const clone = (name: string) => {
    const dir = scratchDir(`gb-${name}-`);
    new TestRepo(dir).git(['clone', '-q', bare.dir, dir]);
    return new TestRepo(dir);
  };
  return { bare, a: clone('a'), b: clone('b') };
}

test('A backs up and pushes a branch, B merges it on main and pushes, A pulls: CONFIRMED in A', () => {
  const { a, b } = setup();
  a.git(['checkout', '-q', '-b', 'feature']);
  a.write('f.txt', 'feature\n');
  const id = a.json<Rec>(['create', '--allow-empty', '-m', 'A']).id;
  a.commitAll('feature');
  a.git(['push', '-q', 'origin', 'feature']);
  assert.is(a.json<{ moved: { to: string }[] }>(['reconcile']).moved[0]!.to, 'PENDING');

  b.git(['fetch', '-q', 'origin']);
  b.git(['merge', '-q', '--no-ff', '-m', 'merge feature', 'origin/feature']);
  const merge = b.git(['rev-parse', 'HEAD']);
  b.git(['push', '-q', 'origin', 'main']);

  a.git(['checkout', '-q', 'main']);
  a.git(['pull', '-q', '--ff-only']);
  a.json(['reconcile']);
  const r = a.json<Rec>(['show', id]);
  assert.is(r.state, 'CONFIRMED');
  assert.is(r.confirmed_by, merge);
});

test('with hooks installed in A, its own commit and `git pull` alone confirm the backup', () => {
  const { a, b } = setup();
  install(a);
  const git = (args: string[]) => a.git(args, { env: withShim() });
  git(['checkout', '-q', '-b', 'feature']);
  a.write('f.txt', 'feature\n');
  const id = a.json<Rec>(['create', '--allow-empty', '-m', 'A'], { env: withShim() }).id;
  git(['add', 'f.txt']);
  git(['commit', '-q', '-m', 'feature']);
  assert.is(a.json<Rec>(['show', id]).state, 'PENDING', 'post-commit hook');
  git(['push', '-q', 'origin', 'feature']);

  b.git(['fetch', '-q', 'origin']);
  b.git(['merge', '-q', '--no-ff', '-m', 'merge feature', 'origin/feature']);
  const merge = b.git(['rev-parse', 'HEAD']);
  b.git(['push', '-q', 'origin', 'main']);

  git(['checkout', '-q', 'main']);
  git(['pull', '-q', '--ff-only']);
  const r = a.json<Rec>(['show', id]);
  assert.is(r.state, 'CONFIRMED', 'post-merge hook of the pull');
  assert.is(r.confirmed_by, merge);
});

test('sync from A and B: both keep each other\'s lines; a remote without notes is fine', () => {
  const { a, b, bare } = setup();
  a.write('x.txt', 'a\n');
  const ida = a.json<Rec>(['create', '--allow-empty', '-m', 'in A']).id;
  b.write('y.txt', 'b\n');
  const idb = b.json<Rec>(['create', '--allow-empty', '-m', 'in B']).id;
  const first = a.cli(['sync']);
  assert.is(first.code, 0, first.stderr);
  assert.match(first.stdout, /remote had no notes.*pushed/);
  assert.is(b.cli(['sync', 'origin']).code, 0);
  assert.is(a.cli(['sync']).code, 0);
  for (const clone of [a, b]) {
    const notes = clone.git(['notes', '--ref=backups', 'list']);
    assert.is(notes.split('\n').length, 2, 'both backups noted in each clone');
  }
  // Concurrent edits of the same backup's note: both transitions survive the merge.
  // (on a commit both clones have: the shared main commit)
  const snapA = a.git(['rev-parse', 'main']);
  a.git(['notes', '--ref=backups', 'append', '-m', '2030-01-01T00:00:00.000Z {"event":"pin","id":"' + ida + '"}', snapA]);
  b.git(['notes', '--ref=backups', 'append', '-m', '2030-01-02T00:00:00.000Z {"event":"unpin","id":"' + ida + '"}', snapA]);
  assert.is(a.cli(['sync']).code, 0);
  assert.is(b.cli(['sync']).code, 0);
  assert.is(a.cli(['sync']).code, 0);
  for (const clone of [a, b]) {
    const note = clone.git(['notes', '--ref=backups', 'show', snapA]);
    assert.match(note, '"event":"pin"');
    assert.match(note, '"event":"unpin"');
  }
  assert.ok(bare.git(['rev-parse', 'refs/notes/backups']).length === 40);
  assert.ok(idb);
});

test('sync: unknown remote is a usage error, one line', () => {
  const repo = tempRepo();
  const r = repo.cli(['sync', 'nope']);
  assert.is(r.code, 2);
  assert.is(r.stderr.trim().split('\n').length, 1);
});

test.run();
