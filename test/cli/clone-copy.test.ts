// A copy of a repository (`cp -a`) that kept its clone id moved the original's backups as its own:
// its commits decided them, and a DELETED it decided reached the original through sync, where
// recover then removed the original's ref, with work the original never committed (a hostile
// campaign found it). A copy now takes an id of its own while the original is still there
// (app/clone.ts); a repository moved keeps its id.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { hostname } from 'node:os';
import { scratchDir, tempRepo, TestRepo } from '../helpers/repo.js';
import { withShim } from '../helpers/hooks.js';
import { clonedRepo, DAY, show, tick, ticksDeleteNothing, type Rec } from '../helpers/proof.js';

const idOf = (repo: TestRepo) => readFileSync(join(repo.dir, '.git', 'backup', 'clone-id'), 'utf8').trim();

test('a copy takes a clone id of its own: the original\'s backup is never moved there by the copy\'s commits', () => {
  const { repo: a } = clonedRepo();
  a.write('work.txt', 'never committed in a\n');
  const made = a.json<Rec & { origin: string }>(['create', '-m', 'before the copy']);
  const original = idOf(a);
  assert.is(made.origin, original);
  const b = new TestRepo(join(scratchDir('gb-copy-'), 'work'));
  cpSync(a.dir, b.dir, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
  const git = (args: string[]) => b.git(args, { env: withShim() });
  // The same work, backed up in the copy too, then committed and pushed there.
  const mine = b.json<Rec & { origin: string }>(['create', '-m', 'made in the copy'], { env: withShim() });
  assert.is.not(idOf(b), original, 'the copy has its own id');
  assert.is(mine.origin, idOf(b));
  git(['add', 'work.txt']);
  git(['commit', '-q', '-m', 'the work, in the copy']);
  git(['push', '-q', 'origin', 'main']);
  b.cli(['reconcile'], { env: withShim() });
  const t0 = Date.now();
  // The copy's own backup goes the whole way: the rules are at work here.
  for (const d of [16, 39, 130, 400]) tick(b, t0 + d * DAY);
  assert.is(show(b, mine.id, t0 + 400 * DAY).state, 'DELETED');
  // The original's backup is another clone's in the copy: left as it is, its ref kept.
  assert.is(show(b, made.id, t0 + 400 * DAY).state, 'CREATED');
  ticksDeleteNothing(b, made.id, t0, [500]);
  assert.ok(b.git(['for-each-ref', 'refs/backups/']).includes(made.id));
  // Every process of the copy takes the same id (made from the original's id and the copy's path);
  // the original keeps its own and its backup.
  assert.is(idOf(b), mine.origin);
  assert.is(idOf(a), original);
  assert.is(show(a, made.id).state, 'CREATED');
});

/** The record as a version before clone ids wrote it: no origin, the worktree as an absolute path (its note rewritten, the index rebuilt from the notes). */
function asLegacy(repo: TestRepo, id: string): void {
  const snap = repo.git(['rev-parse', `refs/backups/${id}`]).trim();
  const note = repo.git(['notes', '--ref=backups', 'show', snap]).replace(/,"origin":"[^"]*"/, '').replace('"worktree":"."', `"worktree":${JSON.stringify(repo.dir)}`);
  const file = join(scratchDir('gb-note-'), 'note');
  writeFileSync(file, note);
  repo.git(['notes', '--ref=backups', 'add', '-f', '-F', file, snap]);
  assert.is(repo.cli(['recover', '--rebuild']).code, 0);
  const rec = repo.json<{ origin: string | null; worktree: string }>(['show', id]);
  assert.is(rec.origin, null);
  assert.is(rec.worktree, repo.dir);
}

test('a copy leaves the original\'s backups made before clone ids (no origin) alone: its commits never move them, and sync brings no DELETED back for recover to act on', () => {
  const { repo: a } = clonedRepo();
  a.write('work.txt', 'never committed in a\n');
  const made = a.json<Rec>(['create', '-m', 'before clone ids']);
  asLegacy(a, made.id);
  const b = new TestRepo(join(scratchDir('gb-copy-legacy-'), 'work'));
  cpSync(a.dir, b.dir, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
  const git = (args: string[]) => b.git(args, { env: withShim() });
  git(['add', 'work.txt']);
  git(['commit', '-q', '-m', 'the work, in the copy']);
  git(['push', '-q', 'origin', 'main']);
  b.cli(['reconcile'], { env: withShim() });
  const t0 = Date.now();
  ticksDeleteNothing(b, made.id, t0, [16, 39, 130, 400]);
  assert.is(show(b, made.id, t0 + 400 * DAY).state, 'CREATED');
  b.cli(['sync'], { env: withShim() });
  a.cli(['sync'], { env: withShim() });
  a.cli(['recover'], { env: withShim() });
  assert.is(show(a, made.id).state, 'CREATED');
  assert.ok(a.git(['for-each-ref', 'refs/backups/']).includes(made.id), 'the original keeps its ref');
});

test('a copy made with hard links (cp -al) takes a clone id of its own: it shares the clone-id file, not the store', () => {
  const a = tempRepo();
  a.write('work.txt', 'x\n');
  a.json(['create', '-m', 'one']);
  const original = idOf(a);
  const b = new TestRepo(join(scratchDir('gb-copy-al-'), 'work'));
  execFileSync('cp', ['-al', a.dir, b.dir]);
  const made = b.json<{ origin: string }>(['create', '-m', 'in the copy', '--allow-empty']);
  assert.is.not(made.origin, original, 'the hard-link copy has its own id');
  assert.is(idOf(b), made.origin);
  assert.is(idOf(a), original, 'the original keeps its id (the copy replaced its file, not wrote into it)');
  assert.is(a.json<{ origin: string }>(['create', '-m', 'in the original', '--allow-empty']).origin, original);
});

test('an empty clone-id (a crash before its bytes reached the disk) gives every process the same id, not a new random one each', () => {
  const a = tempRepo();
  mkdirSync(join(a.dir, '.git', 'backup'), { recursive: true });
  writeFileSync(join(a.dir, '.git', 'backup', 'clone-id'), '');
  a.write('work.txt', 'one\n');
  const first = a.json<{ origin: string }>(['create', '-m', 'one']);
  a.write('work.txt', 'two\n');
  const second = a.json<{ origin: string }>(['create', '-m', 'two']);
  assert.is(second.origin, first.origin, 'each process took an id of its own: the backups were another clone\'s to the next one (never moved, never pushed, no undo point)');
  assert.is(idOf(a), first.origin);
  assert.not.match(a.cli(['list']).stdout, /ORIGIN/);
});

test('a copy made while the original archived never removes the original\'s archive when it settles the journal it carried', () => {
  const a = tempRepo();
  a.write('work.txt', 'only in the archive\n');
  const made = a.json<{ id: string }>(['create', '-m', 'one']);
  const b = new TestRepo(join(scratchDir('gb-copy-journal-'), 'work'));
  cpSync(a.dir, b.dir, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
  assert.is(a.cli(['transition', made.id, 'ARCHIVED', '--force']).code, 0);
  const archive = a.json<{ archive: { path: string } }>(['show', made.id]).archive.path;
  // The entry a's archiver wrote, as the copy holds it when made between its start and ARCHIVED
  // (its owner has since exited).
  const journal = join(b.dir, '.git', 'backup', 'journal');
  mkdirSync(journal, { recursive: true });
  const snapshot = b.git(['rev-parse', `refs/backups/${made.id}`]).trim();
  writeFileSync(join(journal, `archive-${made.id}-0000.json`), JSON.stringify({
    op: 'archive', id: made.id, snapshot, path: archive, store: join(a.dir, '.git', 'backup'), pid: 999_999_999, host: hostname(), started_at: new Date(0).toISOString(),
  }) + '\n');
  const settled = b.cli(['recover']);
  assert.is(settled.code, 0, settled.stderr);
  assert.ok(existsSync(archive), 'the original\'s archive is still there');
  assert.is(a.cli(['verify']).code, 0);
  assert.is(show(b, made.id).state, 'CREATED');
});

test('a repository moved keeps its clone id', () => {
  const a = tempRepo();
  a.write('work.txt', 'x\n');
  a.json(['create', '-m', 'one']);
  const before = idOf(a);
  const moved = join(scratchDir('gb-moved-'), 'repo');
  renameSync(a.dir, moved);
  const m = new TestRepo(moved);
  const made = m.json<{ origin: string }>(['create', '-m', 'after the move', '--allow-empty']);
  assert.is(idOf(m), before);
  assert.is(made.origin, before);
  assert.is(readFileSync(join(moved, '.git', 'backup', 'clone-id.at'), 'utf8').trim(), join(moved, '.git', 'backup'));
});

test.run();
