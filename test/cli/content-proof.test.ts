// Provably safe (issue 7): states and cleanup follow where the content is, against real git with
// the hooks installed (sync mode) and a clone of a bare origin, as a user's repository would be.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir, TestRepo } from '../helpers/repo.js';
import { install, withShim } from '../helpers/hooks.js';

interface Rec {
  id: string;
  state: string;
  content: { unique: string[]; superseded: string[]; held: number; files: number } | null;
  content_now?: { unique: string[]; history: string } | null;
  history: { to: string; trigger: string; reason: string }[];
}

const DAY = 86_400_000;

/** A clone of a bare origin (so origin/main is the integration branch), hooks installed, keep rules off. */
function clonedRepo(): { repo: TestRepo; git: (args: string[]) => string } {
  const root = scratchDir('gb-proof-');
  const seed = new TestRepo(join(root, 'seed'));
  const env = withShim();
  const run = (cwd: string, args: string[]) => new TestRepo(cwd).git(args, { env });
  run(root, ['init', '-q', '--bare', '-b', 'main', 'origin.git']);
  run(root, ['init', '-q', '-b', 'main', 'seed']);
  seed.write('README', 'hello\n');
  seed.write('l.txt', 'line\n');
  seed.git(['add', '-A'], { env });
  seed.git(['commit', '-q', '-m', 'initial'], { env });
  seed.git(['push', '-q', join(root, 'origin.git'), 'main'], { env });
  run(root, ['clone', '-q', join(root, 'origin.git'), 'work']);
  const repo = new TestRepo(join(root, 'work'));
  install(repo);
  for (const k of ['last', 'daily', 'weekly']) repo.git(['config', `backup.keep.${k}`, '0']);
  return { repo, git: (args) => repo.git(args, { env }) };
}

const show = (repo: TestRepo, id: string, now?: number) => repo.json<Rec>(['show', id], { env: withShim(now ? { GIT_BACKUP_NOW: new Date(now).toISOString() } : {}) });
const tick = (repo: TestRepo, now: number) => {
  const r = repo.cli(['tick', '--json'], { env: withShim({ GIT_BACKUP_NOW: new Date(now).toISOString() }) });
  if (r.code !== 0) throw new Error(`tick exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as { moves: { id: string; to: string }[]; waiting: { id: string; why: string }[] };
};

test('the new-user scenario: uncommitted work is never confirmed by an unrelated commit, never deleted, restores a year later', () => {
  const { repo, git } = clonedRepo();
  repo.write('idea.txt', 'idea\n');
  repo.write('README', 'hello\nedit\n');
  const { id } = repo.json<Rec>(['create', '-m', 'before'], { env: withShim() });
  git(['checkout', '-q', '--', 'README']);
  git(['clean', '-qf', 'idea.txt']);
  repo.write('b.txt', 'x\n');
  git(['add', 'b.txt']);
  git(['commit', '-q', '-m', 'unrelated']);
  git(['push', '-q', 'origin', 'main']);
  assert.is(show(repo, id).state, 'CREATED', 'a commit touching none of its content moves nothing');
  const t0 = Date.now();
  for (const days of [9, 40, 150, 400]) {
    const r = tick(repo, t0 + days * DAY);
    assert.not.ok(r.moves.some((m) => m.id === id && m.to === 'DELETED'), `deleted at +${days}d`);
  }
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
  const { id } = repo.json<Rec>(['create'], { env: withShim() });
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

test('committed exactly and pushed -> CONFIRMED, then archived and deleted by the default policies in time', () => {
  const { repo, git } = clonedRepo();
  repo.write('idea.txt', 'idea\n');
  const { id } = repo.json<Rec>(['create'], { env: withShim() });
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
  const { id } = repo.json<Rec>(['create'], { env: withShim() });
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
  const { id } = repo.json<Rec>(['create'], { env: withShim() });
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
