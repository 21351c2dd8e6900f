// Copies as proof (issue 11, docs/remote.md): with backup.copies 1 an ARCHIVED backup that holds
// unique content is deleted by the time policy only once a verified copy is on a backup remote; with
// backup.copies 0 (the default) a copy proves nothing and the backup stays until the user deletes it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { setup, type PushReport, type Rec } from '../helpers/remote.js';

interface Tick { moves: { id: string; steps: string[] }[]; waiting: { id: string; why: string }[] }

test('backup.copies 1: unique ARCHIVED content is kept until a verified copy exists, then deleted by policy; copies 0 keeps it', () => {
  const { a, store } = setup();
  for (const [k, v] of [['keep.last', '0'], ['keep.daily', '0'], ['keep.weekly', '0'], ['retention.archived', '1d'], ['copies', '1']]) a.git(['config', `backup.${k}`, v!]);
  a.write('unique.txt', 'in no commit anywhere\n');
  const id = a.json<Rec>(['create', '-m', 'unique work']).id;
  a.json(['cleanup', id]);
  a.json(['archive', id]);
  const later = { GIT_BACKUP_NOW: new Date(Date.now() + 3 * 86_400_000).toISOString() };

  const before = a.json<Tick>(['tick', '--dry-run'], { env: later });
  assert.not.ok(before.moves.some((m) => m.id === id), 'no copy yet: unique content stays');
  assert.match(before.waiting.find((w) => w.id === id)?.why ?? '', /unique content/, 'due, and kept for its content');

  // A note from an earlier version holding an absolute worktree path: push refuses (exit 3, one line, nothing sent) unless told.
  a.git(['notes', '--ref=backups', 'add', '-m', 'legacy "worktree":"/home/someone/repo"', 'HEAD']);
  const refused = a.cli(['push']);
  assert.is(refused.code, 3, refused.stderr);
  assert.match(refused.stderr, /^git backup: push: 1 backup note\(s\) .*absolute worktree path.*--allow-legacy-paths\n$/);
  assert.is(store.git(['for-each-ref']), '', 'nothing was pushed');
  assert.is(a.json<PushReport>(['push', '--allow-legacy-paths']).recorded, 1);
  a.git(['config', 'backup.copies', '0']);
  const off = a.json<Tick>(['tick', '--dry-run'], { env: later });
  assert.not.ok(off.moves.some((m) => m.id === id), 'copies 0: a copy proves nothing');
  assert.match(off.waiting.find((w) => w.id === id)?.why ?? '', /unique content/);

  a.git(['config', 'backup.copies', '1']);
  const on = a.json<Tick>(['tick'], { env: later });
  assert.ok(on.moves.some((m) => m.id === id && m.steps.includes('DELETED')), JSON.stringify(on));
  assert.is(a.json<Rec>(['show', id]).state, 'DELETED');
  // The copy is still on the remote: restorable from there by hand (`git fetch backup refs/backup-archives/<id>`).
  assert.match(a.git(['ls-remote', 'backup', `refs/backup-archives/${id}`]), new RegExp(id));
});

test.run();
