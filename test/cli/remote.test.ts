// The backup remote (issue 11, docs/remote.md): real clones, real bare remotes reached by path and
// through `git daemon` over loopback. Push, verify and record copies; nothing private leaves the
// machine; a fresh clone fetches, lists, shows and restores byte-exact; an ARCHIVED backup comes back
// from the remote after its local archive is gone; verify tells "not fetched" from "damaged".
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir, tempRepo, TestRepo, TEST_ENV } from '../helpers/repo.js';

interface Copy { remote: string; kind: string; oid: string; at: string }
interface Rec { id: string; state: string; snapshot: string; origin: string | null; copies: Copy[]; worktree: string; archive: { path: string } | null }
interface PushReport { sent: number; already: number; verified: number; recorded: number; skipped: { id: string; why: string }[]; failed: unknown[]; notes: boolean }

const BINARY = Buffer.from([0, 1, 2, 255, 254, 10, 13, 0, 128]);

function bare(name: string): TestRepo {
  const b = new TestRepo(scratchDir(`gb-${name}-`));
  b.git(['init', '-q', '--bare', '-b', 'main']);
  return b;
}

/** A clone with a main branch on `origin` (a bare repository), and the remote `backup` (another one). */
function setup(): { origin: TestRepo; store: TestRepo; a: TestRepo } {
  const seed = tempRepo();
  const origin = bare('origin');
  const store = bare('store');
  seed.git(['push', '-q', origin.dir, 'main']);
  const a = new TestRepo(scratchDir('gb-a-'));
  a.git(['clone', '-q', origin.dir, a.dir]);
  a.git(['remote', 'add', 'backup', store.dir]);
  a.git(['config', 'backup.remote', 'backup']);
  a.git(['config', 'backup.cloneId', 'clone-a']);
  return { origin, store, a };
}

function cloneOf(origin: TestRepo, name: string): TestRepo {
  const c = new TestRepo(scratchDir(`gb-${name}-`));
  c.git(['clone', '-q', origin.dir, c.dir]);
  c.git(['config', 'backup.cloneId', name]);
  return c;
}

const refsOf = (b: TestRepo) => b.git(['for-each-ref', '--format=%(refname) %(objectname)']);

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
  assert.is(store.cli(['--version']).code, 0);
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

  // A fresh clone: notes only (sync) → the backup is listed, its content is "not fetched", not damaged.
  const c = cloneOf(origin, 'clone-c');
  c.git(['remote', 'add', 'backup', store.dir]);
  assert.is(c.cli(['sync', 'backup']).code, 0);
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

  // fetch: the content arrives (under refs/backups-remote/, never refs/backups/), restore is byte-exact.
  const fetched = c.json<{ snapshots: number }>(['fetch', 'backup']);
  assert.is(fetched.snapshots, 1);
  assert.not.match(c.git(['for-each-ref', 'refs/backups/']), /./);
  assert.is(c.cli(['verify', kept.id]).code, 0);
  // The notes of the private backups travelled (ids, messages, states), their content did not.
  const privateOne = c.cli(['verify', secret.id]);
  assert.is(privateOne.code, 4);
  assert.match(privateOne.stdout, /no copy is recorded on a backup remote/);
  const seen = c.json<Rec>(['show', kept.id]);
  assert.is(seen.origin, 'clone-a');
  assert.match(c.cli(['log', kept.id]).stdout, /CREATED/);
  const to = scratchDir('gb-restored-');
  const restored = c.cli(['restore', kept.id, '--to', to]);
  assert.is(restored.code, 0, restored.stderr);
  assert.is(readFileSync(join(to, 'work.txt'), 'utf8'), 'work in progress\n');
  assert.ok(readFileSync(join(to, 'data.bin')).equals(BINARY), 'binary byte-exact');
  // Another clone's backup is not moved by this clone's policies, and not pushed by it.
  assert.is(c.json<{ moved: unknown[] }>(['reconcile']).moved.length, 0);
  assert.is(c.json<PushReport>(['push', 'backup']).sent, 0);
  // Bad input changes nothing: an unknown remote is exit 2, one line.
  const bad = c.cli(['push', 'nosuch']);
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /no remote named "nosuch"/);
});

test('ARCHIVED: the archive goes as a commit; after the local archive is gone, verify says "not fetched" (exit 4) and fetch brings it back; restore is byte-exact', () => {
  const { a } = setup();
  a.write('notes.txt', 'only in the archive\n');
  a.write('data.bin', BINARY);
  const id = a.json<Rec>(['create', '-m', 'to archive']).id;
  a.json(['cleanup', id]);
  const [r] = a.json<Rec[]>(['archive', id]);
  assert.is(r!.state, 'ARCHIVED');
  const pushed = a.json<PushReport>(['push']);
  assert.is(pushed.sent, 1, JSON.stringify(pushed));
  const copy = a.json<Rec>(['show', id]).copies[0]!;
  assert.is(copy.kind, 'archive');
  assert.is(a.git(['ls-remote', 'backup', `refs/backup-archives/${id}`]).split('\t')[0], copy.oid);

  rmSync(r!.archive!.path);
  const away = a.cli(['verify', id]);
  assert.is(away.code, 4, away.stdout + away.stderr);
  assert.match(away.stdout, /AWAY .*git backup fetch backup/);
  const refused = a.cli(['restore', id, '--to', scratchDir('gb-no-')]);
  assert.is(refused.code, 4);
  assert.match(refused.stderr, /archive is not in this clone.*git backup fetch backup/);

  const back = a.json<{ archives: number }>(['fetch']);
  assert.is(back.archives, 1);
  assert.ok(existsSync(r!.archive!.path));
  assert.is(a.cli(['verify', id]).code, 0);
  const to = scratchDir('gb-restored-');
  assert.is(a.cli(['restore', id, '--to', to]).code, 0);
  assert.is(readFileSync(join(to, 'notes.txt'), 'utf8'), 'only in the archive\n');
  assert.ok(readFileSync(join(to, 'data.bin')).equals(BINARY));
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function daemon(base: string, port: number): Promise<ChildProcess> {
  const child = spawn('git', ['daemon', '--export-all', '--enable=receive-pack', '--reuseaddr', '--listen=127.0.0.1', `--port=${port}`, `--base-path=${base}`, base], { env: TEST_ENV, stdio: 'ignore' });
  // Ready when it accepts a connection (ls-remote of an empty repository succeeds).
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((res) => {
      const p = spawn('git', ['ls-remote', `git://127.0.0.1:${port}/store.git`], { env: TEST_ENV, stdio: 'ignore' });
      p.on('close', (code) => res(code === 0));
    });
    if (ok) return child;
    await new Promise((res) => setTimeout(res, 50));
  }
  child.kill();
  throw new Error('git daemon did not start');
}

test('over git:// (git daemon on loopback): push by URL, a second clone fetches and restores; the remote down makes push fail in one line and status say so; a later push catches up', async () => {
  const { origin, a } = setup();
  const base = scratchDir('gb-daemon-');
  new TestRepo(base).git(['init', '-q', '--bare', 'store.git']);
  const port = await freePort();
  const url = `git://127.0.0.1:${port}/store.git`;
  a.git(['config', 'backup.remote', url]);
  a.write('net.txt', 'over the network\n');
  const id = a.json<Rec>(['create', '-m', 'net']).id;

  // Down: nothing listens yet. One line, exit 1, and status reports it.
  const down = a.cli(['push']);
  assert.is(down.code, 1);
  assert.is(down.stderr.trim().split('\n').length, 1, down.stderr);
  assert.match(down.stderr, /127\.0\.0\.1/);
  assert.match(a.cli(['status']).stdout, /last push to git:\/\/127\.0\.0\.1:\d+\/store\.git failed .*will retry/);

  const d = await daemon(base, port);
  try {
    const up = a.json<PushReport>(['push']);
    assert.equal([up.sent, up.verified, up.recorded], [1, 1, 1]);
    assert.match(a.cli(['status']).stdout, /last push to git:\/\/127\.0\.0\.1:\d+\/store\.git: ok/);
    assert.is(a.json<Rec>(['show', id]).copies[0]!.remote, url);

    const b = cloneOf(origin, 'clone-b');
    const got = b.json<{ snapshots: number; notes: boolean }>(['fetch', url]);
    assert.ok(got.notes);
    assert.is(got.snapshots, 1);
    const to = scratchDir('gb-restored-');
    assert.is(b.cli(['restore', id, '--to', to]).code, 0);
    assert.is(readFileSync(join(to, 'net.txt'), 'utf8'), 'over the network\n');
  } finally {
    d.kill();
  }
});

test.run();
