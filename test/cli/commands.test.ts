// The core commands end to end against real git: list/show/status/log, pin, transitions, delete.
import { test } from '../helpers/shard.js';
import * as assert from 'uvu/assert';
import { fromTemplate, scratchDir, tempRepo, type TestRepo } from '../helpers/repo.js';
import { helpTexts } from '../helpers/help.js';

const RECORD_FIELDS = ['id', 'state', 'created_at', 'updated_at', 'message', 'branch', 'base', 'snapshot', 'paths', 'files', 'bytes', 'pinned', 'labels', 'pending_commit', 'confirmed_by', 'confidence', 'history'];

interface Rec { id: string; state: string; bytes: number; pinned: boolean; labels: string[]; history: { from: string | null; to: string; trigger: string; forced: boolean; reason: string }[]; tombstone?: { files: number; paths: string[] } | null }

function buildWork(repo: TestRepo): void {
  repo.git(['init', '-q', '-b', 'main']);
  repo.write('README.md', '# test\n');
  repo.commitAll('initial');
  repo.write('a.txt', 'base\n');
  repo.commitAll('base');
  repo.write('a.txt', 'changed\n');
}

/** a.txt committed, then changed (not staged); built once per process and copied. */
function repoWithWork(): TestRepo {
  return fromTemplate('commands-work', buildWork);
}

/**
 * repoWithWork with one CREATED backup of the change (create --allow-empty through the CLI), made once
 * per process and copied (fromTemplate: the copy's store is the template's).
 */
let firstBackup: (Rec & { snapshot: string }) | undefined;
function repoWithBackup(): { repo: TestRepo; a: Rec & { snapshot: string } } {
  const repo = fromTemplate('commands-work-backup', (t) => {
    buildWork(t);
    firstBackup = t.json<Rec & { snapshot: string }>(['create', '--allow-empty']);
  }, { withStore: true });
  return { repo, a: structuredClone(firstBackup!) };
}

test('create --json returns a full record; show and list agree', () => {
  const repo = repoWithWork();
  const rec = repo.json<Rec & Record<string, unknown>>(['create', '--allow-empty', '-m', 'hello', '--label', 'x', '--label', 'y', '--pin']);
  for (const f of RECORD_FIELDS) assert.ok(f in rec, `field ${f}`);
  assert.is(rec.state, 'CREATED');
  assert.equal(rec.labels, ['x', 'y']);
  assert.is(rec.pinned, true);
  assert.match(rec.id, /^\d{8}-\d{6}-[0-9a-f]{4,}$/);
  assert.equal(repo.json<Rec>(['show', rec.id]).id, rec.id);
  const list = repo.json<Rec[]>(['list']);
  assert.equal(list.map((r) => r.id), [rec.id]);
  assert.is(repo.git(['rev-parse', `refs/backups/${rec.id}`]).length, 40);
});

test('list filters by state, sorts and limits', () => {
  const repo = repoWithWork();
  const ids: string[] = [];
  for (let i = 0; i < 4; i++) {
    repo.write(`f${i}.txt`, 'x'.repeat(100 * (i + 1)));
    ids.push(repo.json<Rec>(['create', '--allow-empty', '-m', `n${i}`], { env: { GIT_BACKUP_NOW: `2026-11-2${i}T10:00:00Z` } }).id);
  }
  assert.is(repo.cli(['cleanup', ids[0]!, ids[1]!]).code, 0);
  assert.equal(repo.json<Rec[]>(['list', '--state', 'cleanable']).map((r) => r.id).sort(), [ids[0], ids[1]].sort());
  assert.equal(repo.json<Rec[]>(['list', '--state', 'CREATED', '--state', 'CLEANABLE']).length, 4);
  assert.equal(repo.json<Rec[]>(['list']).map((r) => r.id), [...ids].reverse(), 'newest first');
  const bySize = repo.json<Rec[]>(['list', '--sort', 'size']);
  assert.ok(bySize[0]!.bytes >= bySize[3]!.bytes);
  assert.is(repo.json<Rec[]>(['list', '--limit', '2']).length, 2);
  const text = repo.cli(['list']);
  assert.match(text.stdout, /ID\s+STATE/);
});

test('status counts per state with the store location', () => {
  const { repo, a } = repoWithBackup();
  repo.json<Rec>(['create', '--allow-empty']);
  repo.cli(['cleanup', a.id]);
  const s = repo.json<{ total: number; states: Record<string, number>; store: string; bytes: number }>(['status']);
  assert.is(s.total, 2);
  assert.is(s.states.CREATED, 1);
  assert.is(s.states.CLEANABLE, 1);
  assert.is(s.states.DELETED, 0);
  assert.ok(s.store.endsWith('.git/backup'));
  assert.match(repo.cli(['status']).stdout, /CLEANABLE\s+1/);
});

test('transition follows the table; --force is recorded; confirm walks CREATED -> PENDING -> CONFIRMED', () => {
  const { repo, a } = repoWithBackup();
  assert.is(repo.cli(['transition', a.id, 'CONFIRMED']).code, 3);
  const forced = repo.json<Rec>(['transition', a.id, 'CONFIRMED', '--force', '--reason', 'merged on the server']);
  assert.is(forced.state, 'CONFIRMED');
  const last = forced.history[forced.history.length - 1]!;
  assert.equal([last.from, last.to, last.trigger, last.forced, last.reason], ['CREATED', 'CONFIRMED', 'USER', true, 'merged on the server']);

  const b = repo.json<Rec>(['create', '--allow-empty']);
  assert.is(repo.cli(['confirm', b.id]).code, 0);
  const shown = repo.json<Rec>(['show', b.id]);
  assert.equal(shown.history.map((h) => h.to), ['CREATED', 'PENDING', 'CONFIRMED']);
  assert.ok(shown.history.every((h) => !h.forced));
  const dry = repo.cli(['cleanup', '--dry-run', b.id]);
  assert.match(dry.stdout, /would move/);
  assert.is(repo.json<Rec>(['show', b.id]).state, 'CONFIRMED', 'dry run changed nothing');
});

test('delete: refuses without --yes off a terminal, needs --force for CREATED, keeps a tombstone, removes the ref', () => {
  const { repo, a } = repoWithBackup();
  assert.is(repo.cli(['delete', a.id]).code, 9);
  assert.is(repo.cli(['delete', a.id, '--yes']).code, 9);
  const r = repo.cli(['delete', a.id, '--yes', '--force']);
  assert.is(r.code, 0, r.stderr);
  const shown = repo.json<Rec>(['show', a.id]);
  assert.is(shown.state, 'DELETED');
  assert.ok(shown.tombstone);
  assert.equal(shown.tombstone!.paths, ['a.txt']);
  assert.is(repo.cli(['show', a.id]).stdout.includes('lost'), true);
  assert.is(repo.git(['for-each-ref', 'refs/backups/']), '');
  assert.is(repo.json<Rec[]>(['list']).length, 0, 'tombstones are hidden from the default list');
  assert.is(repo.json<Rec[]>(['list', '--state', 'DELETED']).length, 1);
  assert.is(repo.cli(['transition', a.id, 'CREATED', '--force']).code, 3, 'DELETED is terminal');
  assert.is(repo.cli(['restore', a.id]).code, 3);

  const b = repo.json<Rec>(['create', '--allow-empty']);
  repo.cli(['cleanup', b.id]);
  assert.is(repo.cli(['delete', b.id, '--yes']).code, 0, 'CLEANABLE needs no --force');
});

test('pin and unpin are recorded; notes mirror every event', () => {
  const { repo, a } = repoWithBackup();
  assert.is(repo.cli(['pin', a.id]).code, 0);
  assert.is(repo.json<Rec>(['show', a.id]).pinned, true);
  assert.is(repo.cli(['unpin', a.id]).code, 0);
  assert.is(repo.json<Rec>(['show', a.id]).pinned, false);
  repo.cli(['cleanup', a.id]);
  const note = repo.git(['notes', '--ref=refs/notes/backups', 'show', a.snapshot]).split('\n');
  assert.is(note.length, 4, note.join('\n'));
  assert.equal([...note].sort(), note, 'lines sort in time order');
  assert.match(note[0]!, /"event":"created"/);
});

test('log shows transitions of all backups or one', () => {
  const { repo, a } = repoWithBackup();
  const b = repo.json<Rec>(['create', '--allow-empty']);
  repo.cli(['cleanup', a.id, b.id]);
  const all = repo.json<{ id: string; to: string }[]>(['log']);
  assert.is(all.length, 4);
  const one = repo.json<{ id: string; to: string }[]>(['log', a.id]);
  assert.equal(one.map((e) => e.to), ['CREATED', 'CLEANABLE']);
  assert.match(repo.cli(['log', a.id]).stdout, /CREATED -> CLEANABLE/);
});

test('every command has accurate --help', () => {
  const repo = repoWithWork();
  const top = repo.cli(['--help']);
  assert.is(top.code, 0);
  const commands = ['init', 'create', 'list', 'show', 'status', 'transition', 'confirm', 'cleanup', 'delete', 'pin', 'unpin', 'restore', 'diff', 'log'];
  // Each command's own --help from the same parser in one process; one through the real CLI.
  const texts = helpTexts(commands);
  for (const c of commands) {
    assert.match(top.stdout, new RegExp(`git backup ${c}\\b`), `${c} listed`);
    assert.match(texts.get(c)!, new RegExp(`git backup ${c}`));
  }
  const h = repo.cli(['restore', '--help']);
  assert.is(h.code, 0);
  assert.is(h.stdout.trimEnd(), texts.get('restore')!.trimEnd());
});

test('works on an unborn branch, in a linked worktree, and without an identity', () => {
  const unborn = tempRepo({ commit: false });
  unborn.write('first.txt', 'no commits yet\n');
  const u = unborn.json<Rec & { base: string | null }>(['create', '--allow-empty']);
  assert.is(u.base, null);

  const repo = repoWithWork();
  const wtDir = `${scratchDir('gb-wt-')}/side`;
  repo.git(['worktree', 'add', '-q', '-b', 'side', wtDir]);
  const wt = repo.cli(['create', '--allow-empty', '--json'], { cwd: wtDir });
  assert.is(wt.code, 0, wt.stderr);
  assert.is(repo.json<Rec[]>(['list']).length, 1, 'worktrees share one store');

  const anon = repoWithWork();
  const r = anon.cli(['create', '--allow-empty', '--json'], { env: { GIT_AUTHOR_NAME: '', GIT_AUTHOR_EMAIL: '', GIT_COMMITTER_NAME: '', GIT_COMMITTER_EMAIL: '', EMAIL: '' } });
  assert.is(r.code, 0, r.stderr);
});

test.run();
