// Provably safe (issue 7), moves: states follow where the content is, against real git with the
// hooks installed (sync mode) and a clone of a bare origin, as a user's repository would be.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from '../helpers/repo.js';
import { withShim } from '../helpers/hooks.js';
import { clonedRepo, DAY, show, ticksDeleteNothing, type Rec } from '../helpers/proof.js';

test('the new-user scenario: uncommitted work is never confirmed by an unrelated commit, never deleted, restores a year later', () => {
  const { repo, git } = clonedRepo();
  repo.write('idea.txt', 'idea\n');
  repo.write('README', 'hello\nedit\n');
  const { id } = repo.json<Rec>(['create', '--allow-empty', '-m', 'before'], { env: withShim() });
  git(['checkout', '-q', '--', 'README']);
  git(['clean', '-qf', 'idea.txt']);
  repo.write('b.txt', 'x\n');
  git(['add', 'b.txt']);
  git(['commit', '-q', '-m', 'unrelated']);
  git(['push', '-q', 'origin', 'main']);
  assert.is(show(repo, id).state, 'CREATED', 'a commit touching none of its content moves nothing');
  const t0 = Date.now();
  ticksDeleteNothing(repo, id, t0, [9, 40, 150, 400]);
  const r = show(repo, id, t0 + 400 * DAY);
  assert.is.not(r.state, 'DELETED');
  assert.equal(r.content_now!.unique.sort(), ['README', 'idea.txt']);
  const text = repo.cli(['show', id], { env: withShim() }).stdout;
  assert.match(text, /held: +0 of 2 files held; README, idea\.txt are found nowhere else/);
  const out = scratchDir('gb-restored-');
  const restored = repo.cli(['restore', id, '--to', out], { env: withShim() });
  assert.is(restored.code, 0, restored.stderr);
  assert.is(readFileSync(join(out, 'idea.txt'), 'utf8'), 'idea\n');
  assert.is(readFileSync(join(out, 'README'), 'utf8'), 'hello\nedit\n');
});

test('edited further and committed -> PENDING (superseded, said so); pushed -> CONFIRMED', () => {
  const { repo, git } = clonedRepo();
  repo.write('idea.txt', 'draft\n');
  const { id } = repo.json<Rec>(['create', '--allow-empty'], { env: withShim() });
  repo.write('idea.txt', 'draft, finished\n');
  git(['add', 'idea.txt']);
  git(['commit', '-q', '-m', 'idea']);
  let r = show(repo, id);
  assert.is(r.state, 'PENDING');
  assert.equal(r.content!.superseded, ['idea.txt']);
  assert.match(r.history[1]!.reason, /idea\.txt changed again and committed/);
  git(['push', '-q', 'origin', 'main']);
  repo.cli(['reconcile'], { env: withShim() });
  r = show(repo, id);
  assert.is(r.state, 'CONFIRMED');
  assert.match(r.history[2]!.reason, /merged into origin\/main/);
});

test.run();
