// The backup remote (issue 11, docs/remote.md): push to a bare repository by path, verify and record
// copies; nothing private leaves the machine (an --include-ignored .env, backup.sensitive paths, no
// absolute path in the notes); a fresh clone sees the backups after `sync` ("not fetched", exit 4),
// then fetches, lists, shows and restores byte-exact; another clone's backups are not moved or pushed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from '../helpers/repo.js';
import { BINARY, cloneOf, refsOf, setup, type PushReport, type Rec } from '../helpers/remote.js';

test('push: snapshots and notes go, verified and recorded; --include-ignored (.env) and backup.sensitive stay; no absolute path; a fresh clone fetches, lists, shows and restores byte-exact', () => {
  const { origin, store, a } = setup();
  a.write('work.txt', 'work in progress\n');
  a.write('data.bin', BINARY);
  const kept = a.json<Rec>(['create', '-m', 'shareable']);
  assert.is(kept.origin, 'clone-a');
  assert.is(kept.worktree, '.', 'recorded relative to the main worktree');
  a.write('.gitignore', '.env\n');
  a.write('.env', 'SECRET=hunter2\n');
  const secret = a.json<Rec>(['create', '--include-ignored', '-m', 'with .env']);
  a.git(['config', 'backup.sensitive', 'keys/*.pem']);
  a.write('keys/id.pem', 'PRIVATE KEY\n');
  const pem = a.json<Rec>(['create', '-m', 'with a key', 'keys']);

  const first = a.json<PushReport>(['push']);
  assert.is(first.sent, 1, JSON.stringify(first));
  assert.is(first.verified, 1);
  assert.is(first.recorded, 1);
  assert.ok(first.notes);
  assert.equal(first.skipped.map((s) => s.id).sort(), [secret.id, pem.id].sort());
  assert.match(first.skipped.find((s) => s.id === secret.id)!.why, /ignored files/);
  assert.match(first.skipped.find((s) => s.id === pem.id)!.why, /keys\/id\.pem.*backup\.sensitive/);

  // What the remote holds: the one snapshot, the notes; not the private ones, no absolute path, no secret.
  const refs = refsOf(store);
  assert.match(refs, new RegExp(`refs/backups/${kept.id} ${kept.snapshot}`));
  assert.not.match(refs, new RegExp(secret.id));
  assert.not.match(refs, new RegExp(pem.id));
  assert.match(refs, /refs\/notes\/backups /);
  assert.throws(() => store.git(['cat-file', '-e', secret.snapshot]), 'the .env snapshot is not on the remote');
  const notesLog = store.git(['log', '-p', 'refs/notes/backups']);
  assert.not.ok(notesLog.includes(a.dir), 'no absolute worktree path in the pushed notes');
  assert.not.ok(notesLog.includes('hunter2'));
  assert.match(notesLog, /"origin":"clone-a"/);

  const shown = a.json<Rec>(['show', kept.id]);
  assert.is(shown.copies.length, 1);
  assert.equal([shown.copies[0]!.remote, shown.copies[0]!.kind, shown.copies[0]!.oid], ['backup', 'snapshot', kept.snapshot]);
  assert.match(a.cli(['show', kept.id]).stdout, /copies: +backup \(snapshot /);

  // Incremental: nothing to send, nothing to record again.
  const again = a.json<PushReport>(['push']);
  assert.equal([again.sent, again.already, again.recorded], [0, 1, 0]);

  // A fresh clone: notes only (`sync` with the store under another name) → listed, "not fetched" (not
  // damaged), and restore names the remote holding the copy ("backup", not a remote of this clone yet).
  const c = cloneOf(origin, 'clone-c');
  c.git(['remote', 'add', 'store', store.dir]);
  assert.is(c.cli(['sync', 'store']).code, 0);
  const listed = c.cli(['list']);
  assert.match(listed.stdout, /ORIGIN/);
  assert.match(listed.stdout, new RegExp(`${kept.id}.*clone-a`));
  const verifyAway = c.cli(['verify']);
  assert.is(verifyAway.code, 4, verifyAway.stdout + verifyAway.stderr);
  assert.match(verifyAway.stdout, /AWAY .*content not fetched/);
  const restoreAway = c.cli(['restore', kept.id, '--to', join(c.dir, '..', 'nowhere')]);
  assert.is(restoreAway.code, 4);
  // (a line before it may say the index was built from the notes: this clone never wrote one)
  assert.match(restoreAway.stderr.trim().split('\n').pop()!, /^git backup: .*not in this clone \(made by clone clone-a\).*git backup fetch backup$/);

  // With that remote added, restore fetches exactly this backup's snapshot (under refs/backups-remote/,
  // never refs/backups/) and is byte-exact.
  c.git(['remote', 'add', 'backup', store.dir]);
  const to = scratchDir('gb-restored-');
  const restored = c.cli(['restore', kept.id, '--to', to]);
  assert.is(restored.code, 0, restored.stderr);
  assert.match(restored.stderr, new RegExp(`fetched the content of ${kept.id} from backup`));
  assert.is(readFileSync(join(to, 'work.txt'), 'utf8'), 'work in progress\n');
  assert.ok(readFileSync(join(to, 'data.bin')).equals(BINARY), 'binary byte-exact');
  assert.is(c.git(['for-each-ref', '--format=%(refname)', 'refs/backups-remote/']), `refs/backups-remote/backup/${kept.id}`);
  assert.not.match(c.git(['for-each-ref', 'refs/backups/']), /./);
  // fetch has nothing more to bring: the private ones never left clone A.
  assert.is(c.json<{ snapshots: number }>(['fetch', 'backup']).snapshots, 0);
  // The fetched one verifies; the notes of the private ones travelled (ids, messages, states), their content did not.
  const after = c.cli(['verify']);
  assert.is(after.code, 4, after.stdout + after.stderr);
  assert.match(after.stdout, new RegExp(`ok +${kept.id} CREATED: snapshot present \\(fetched from clone clone-a\\)`));
  assert.match(after.stdout, new RegExp(`AWAY ${secret.id} .*no copy is recorded on a backup remote`));
  assert.match(after.stdout, /3 backup\(s\) checked, 0 failed, 2 not fetched/);
  const seen = c.json<Rec>(['show', kept.id]);
  assert.is(seen.origin, 'clone-a');
  assert.match(c.cli(['log', kept.id]).stdout, /CREATED/);
  // Another clone's backup is not moved by this clone's policies, and not pushed by it.
  assert.is(c.json<{ moved: unknown[] }>(['reconcile']).moved.length, 0);
  for (const k of ['last', 'daily', 'weekly']) c.git(['config', `backup.keep.${k}`, '0']);
  const yearOn = { GIT_BACKUP_NOW: new Date(Date.now() + 400 * 86_400_000).toISOString() };
  assert.equal(c.json<{ moves: unknown[] }>(['tick', '--dry-run'], { env: yearOn }).moves, [], 'past every retention, still not moved here');
  assert.is(c.json<PushReport>(['push', 'backup']).sent, 0);
  // Bad input changes nothing: an unknown remote is exit 2, one line.
  const bad = c.cli(['push', 'nosuch']);
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /no remote named "nosuch"/);
});

test.run();
