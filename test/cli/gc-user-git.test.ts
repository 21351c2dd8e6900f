// gc --now beside the user's own git commands (hostile campaign 47): `git prune --expire=now` deleted
// every unreachable object, and an object a running git command has written but no ref reaches yet
// is unreachable. A `commit --amend` loop beside `git backup gc --now` lost its commit (HEAD named a
// missing object) or the notes commit git's notes.rewriteRef copy had just written
// (refs/notes/backups named a missing object; every amend after failed), and a `commit -a` whose
// editor was open lost the blobs only its index.lock named.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempRepo } from '../helpers/repo.js';

// The suite runs gc --now with no grace (TEST_ENV); these tests run it as a user does.
const AS_USER = { GIT_BACKUP_TEST_GC_GRACE_MS: undefined };

const looseObject = (dir: string, oid: string) => join(dir, '.git', 'objects', oid.slice(0, 2), oid.slice(2));

test('gc --now keeps an object a git command wrote a moment ago (no ref reaches it yet) and prunes old garbage', () => {
  const repo = tempRepo();
  // What git commit has written before it moves the branch: a fresh loose object nothing reaches.
  const inFlight = repo.git(['hash-object', '-w', '--stdin'], { input: 'a commit being written\n' });
  // Garbage from long ago (a deleted backup's blob).
  const old = repo.git(['hash-object', '-w', '--stdin'], { input: 'garbage of a deleted backup\n' });
  const then = new Date(Date.now() - 3 * 3600_000);
  utimesSync(looseObject(repo.dir, old), then, then);
  const r = repo.cli(['gc', '--now'], { env: AS_USER });
  assert.is(r.code, 0, r.stderr);
  assert.ok(existsSync(looseObject(repo.dir, inFlight)), 'the in-flight object was pruned');
  assert.not.ok(existsSync(looseObject(repo.dir, old)), 'old unreachable garbage is still pruned');
});

test('gc --now beside a commit whose index.lock names blobs (its editor is open): prunes nothing, exit 5', () => {
  const repo = tempRepo();
  // commit -a has staged into index.lock and waits for its message; the blob is an hour old.
  const blob = repo.git(['hash-object', '-w', '--stdin'], { input: 'staged by commit -a\n' });
  const then = new Date(Date.now() - 3600_000);
  utimesSync(looseObject(repo.dir, blob), then, then);
  const lock = join(repo.dir, '.git', 'index.lock');
  writeFileSync(lock, 'not a real index, only its presence counts\n');
  const r = repo.cli(['gc', '--now'], { env: AS_USER });
  assert.is(r.code, 5, r.stderr);
  assert.match(r.stderr, /index\.lock/);
  assert.match(r.stderr, /nothing was pruned/);
  assert.ok(existsSync(looseObject(repo.dir, blob)), 'the staged blob was pruned');
  unlinkSync(lock);
  assert.is(repo.cli(['gc', '--now'], { env: AS_USER }).code, 0);
});

test.run();
