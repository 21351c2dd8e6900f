// Provably safe (issue 7), cleanup: what the policies may delete, and backups taken on a detached
// HEAD, against real git with the hooks installed (sync mode) and a clone of a bare origin.
import { test } from '../helpers/shard.js';
import * as assert from 'uvu/assert';
import { withShim } from '../helpers/hooks.js';
import { clonedRepo, DAY, show, tick, type Rec } from '../helpers/proof.js';

test('committed exactly and pushed -> CONFIRMED, then archived and deleted by the default policies in time', () => {
  const { repo, git } = clonedRepo();
  repo.write('idea.txt', 'idea\n');
  const { id } = repo.json<Rec>(['create', '--allow-empty'], { env: withShim() });
  git(['add', 'idea.txt']);
  git(['commit', '-q', '-m', 'idea']);
  git(['push', '-q', 'origin', 'main']);
  repo.cli(['reconcile'], { env: withShim() });
  assert.is(show(repo, id).state, 'CONFIRMED');
  const t0 = Date.now();
  const states: string[] = [];
  for (const days of [8, 16, 40, 140]) {
    tick(repo, t0 + days * DAY);
    states.push(show(repo, id, t0 + days * DAY).state);
  }
  assert.equal(states, ['CLEANABLE', 'ARCHIVED', 'ARCHIVED', 'DELETED'], 'cleanup still makes progress');
  const log = repo.json<{ id: string; to: string; reason: string }[]>(['log', id]);
  assert.ok(log.some((e) => e.to === 'CONFIRMED'));
});

test('half committed, half thrown away: stays CREATED, never deleted automatically, the unique path is named', () => {
  const { repo, git } = clonedRepo();
  repo.write('keep.txt', 'kept\n');
  repo.write('l.txt', 'line\nlost edit\n');
  const { id } = repo.json<Rec>(['create', '--allow-empty'], { env: withShim() });
  git(['checkout', '-q', '--', 'l.txt']);
  git(['add', 'keep.txt']);
  git(['commit', '-q', '-m', 'keep']);
  git(['push', '-q', 'origin', 'main']);
  let r = show(repo, id);
  assert.is(r.state, 'CREATED');
  assert.equal(r.content_now!.unique, ['l.txt']);
  const t0 = Date.now();
  for (const days of [31, 45, 200, 500]) tick(repo, t0 + days * DAY);
  r = show(repo, id, t0 + 500 * DAY);
  assert.is.not(r.state, 'DELETED');
  // Pushed to the archive by hand, it still stays: the time policy names what keeps it.
  const archived = repo.cli(['archive', id, '--force', '--yes'], { env: withShim() });
  assert.is(archived.code, 0, archived.stderr);
  const plan = repo.json<{ moves: { id: string }[]; waiting: { id: string; why: string }[] }>(['tick', '--dry-run'], { env: withShim({ GIT_BACKUP_NOW: new Date(t0 + 900 * DAY).toISOString() }) });
  assert.not.ok(plan.moves.some((m) => m.id === id));
  assert.match(plan.waiting.find((w) => w.id === id)!.why, /unique content \(l\.txt\)/);
  const listed = repo.json<Rec[]>(['list', '--state', 'archived']);
  assert.equal(listed.find((b) => b.id === id)!.content!.unique, ['l.txt']);
});

test('a detached-HEAD backup whose commit is merged and pushed -> CONFIRMED', () => {
  const { repo, git } = clonedRepo();
  git(['checkout', '-q', '--detach']);
  repo.write('det.txt', 'detached work\n');
  const { id } = repo.json<Rec>(['create', '--allow-empty'], { env: withShim() });
  git(['add', 'det.txt']);
  git(['commit', '-q', '-m', 'on detached HEAD']);
  const c = git(['rev-parse', 'HEAD']);
  assert.is(show(repo, id).state, 'PENDING', 'found at HEAD');
  git(['checkout', '-q', 'main']);
  git(['merge', '-q', '--ff-only', c]);
  git(['push', '-q', 'origin', 'main']);
  repo.cli(['reconcile'], { env: withShim() });
  assert.is(show(repo, id).state, 'CONFIRMED');
});

test.run();
