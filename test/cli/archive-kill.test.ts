// SIGKILL at each step of archive, delete and gc (paused there by GIT_BACKUP_TEST_PAUSE_AT): the
// backup stays restorable, and the next command that takes the lock (or recover) finishes or undoes it.
import { test } from '../helpers/shard.js';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromTemplate, tempRepo, type TestRepo } from '../helpers/repo.js';
import { runUntil } from '../helpers/pause.js';

interface Rec { id: string; state: string; archive: { path: string; bytes: number } | null }

function repoWith(files: Record<string, string>): TestRepo {
  const repo = tempRepo();
  for (const [p, c] of Object.entries(files)) repo.write(p, c);
  return repo;
}

/**
 * k.txt (untracked) and one CLEANABLE backup of it (create, then cleanup, through the CLI), made once
 * per process and copied (fromTemplate: the copy's store is the template's;
 * the archive is made in the copy).
 */
let cleanableId: string | undefined;
function cleanableK(): { repo: TestRepo; id: string } {
  const repo = fromTemplate('archive-kill-cleanable', (t) => {
    t.git(['init', '-q', '-b', 'main']);
    t.write('README.md', '# test\n');
    t.commitAll('initial');
    t.write('k.txt', 'kill me\n');
    cleanableId = t.json<Rec>(['create', '--allow-empty']).id;
    t.json(['cleanup', cleanableId]);
  }, { withStore: true });
  return { repo, id: cleanableId! };
}

function archivedBackup(repo: TestRepo): Rec {
  const id = repo.json<Rec>(['create', '--allow-empty', '-m', 'x']).id;
  repo.json(['cleanup', id]);
  return repo.json<Rec[]>(['archive', id])[0]!;
}

const journal = (repo: TestRepo) => readdirSync(join(repo.dir, '.git/backup/journal')).filter((n) => n.endsWith('.json'));
const archiveFiles = (repo: TestRepo) =>
  existsSync(join(repo.dir, '.git/backup/archive'))
    ? readdirSync(join(repo.dir, '.git/backup/archive'), { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => d.name)
    : [];

test('kill at archive:after-write: backup stays CLEANABLE and restorable; recover removes the partial archive', async () => {
  const { repo, id } = cleanableK();
  const p = await runUntil(repo, ['archive', id], 'archive:after-write');
  await p.kill();
  assert.is(repo.json<Rec>(['show', id]).state, 'CLEANABLE');
  assert.is(journal(repo).length, 1);
  assert.ok(archiveFiles(repo).some((n) => n.endsWith('.tmp')), 'a temp archive was left');
  rmSync(join(repo.dir, 'k.txt'));
  repo.json(['restore', id]);
  assert.is(repo.read('k.txt'), 'kill me\n');
  const rec = repo.cli(['recover']);
  assert.is(rec.code, 0, rec.stderr);
  assert.match(rec.stdout, /undid an interrupted archive/);
  assert.equal(archiveFiles(repo), []);
  assert.equal(journal(repo), []);
  assert.is(repo.json<Rec[]>(['archive', id])[0]!.state, 'ARCHIVED');
});

test('kill at archive:after-verify (archive complete, nothing recorded): the next archive command undoes and redoes it', async () => {
  const { repo, id } = cleanableK();
  const p = await runUntil(repo, ['archive', id], 'archive:after-verify');
  await p.kill();
  assert.is(repo.json<Rec>(['show', id]).state, 'CLEANABLE');
  assert.ok(archiveFiles(repo).includes(`${id}.tar.gz`));
  const [r] = repo.json<Rec[]>(['archive', id]);
  assert.is(r!.state, 'ARCHIVED');
  assert.equal(journal(repo), []);
  assert.equal(archiveFiles(repo).sort(), [`${id}.manifest.json`, `${id}.tar.gz`]);
  assert.is(repo.cli(['verify']).code, 0);
});

test('kill at archive:after-record (ARCHIVED written, ref not yet removed): restorable from the archive; recover finishes', async () => {
  const { repo, id } = cleanableK();
  const p = await runUntil(repo, ['archive', id], 'archive:after-record');
  await p.kill();
  assert.is(repo.json<Rec>(['show', id]).state, 'ARCHIVED');
  assert.is(repo.git(['for-each-ref', '--format=%(refname)', 'refs/backups/']), `refs/backups/${id}`);
  rmSync(join(repo.dir, 'k.txt'));
  repo.json(['restore', id]);
  assert.is(repo.read('k.txt'), 'kill me\n');
  const rec = repo.cli(['recover']);
  assert.match(rec.stdout, /finished an interrupted archive/);
  assert.is(repo.git(['for-each-ref', `refs/backups/${id}`]), '', 'the archived backup\'s ref is gone (the restore\'s undo point keeps its own)');
  assert.equal(journal(repo), []);
  assert.is(repo.cli(['verify']).code, 0);
});

test('kill at delete:after-record, then at gc:after-repack: gc finishes the delete first; recover drops the gc entry', async () => {
  const repo = repoWith({ 'd.txt': 'deleted\n' });
  const r = archivedBackup(repo);
  const p = await runUntil(repo, ['delete', r.id, '--yes'], 'delete:after-record');
  await p.kill();
  assert.ok(existsSync(r.archive!.path));
  assert.is(journal(repo).length, 1);
  repo.git(['gc', '-q']);
  const g = await runUntil(repo, ['gc', '--now'], 'gc:after-repack');
  await g.kill();
  assert.not.ok(existsSync(r.archive!.path), 'gc settled the interrupted delete before its own work');
  assert.is(journal(repo).length, 1);
  const rec = repo.cli(['recover', '--json']);
  assert.is(rec.code, 0, rec.stderr);
  const report = JSON.parse(rec.stdout) as { repaired: string[] };
  assert.ok(report.repaired.some((l) => /interrupted gc/.test(l)));
  assert.equal(journal(repo), []);
  repo.git(['fsck', '--no-progress']);
});

test('an archive damaged between its write and its read-back: exit 3, one line, partial archive removed, backup as it was', async () => {
  const repo = repoWith({ 'v.txt': 'verify me\n'.repeat(1000) });
  const id = repo.json<Rec>(['create', '--allow-empty']).id;
  repo.json(['cleanup', id]);
  const p = await runUntil(repo, ['archive', id], 'archive:after-write');
  const dir = join(repo.dir, '.git/backup/archive', id.slice(0, 4), id.slice(4, 6));
  const tmp = readdirSync(dir).find((n) => n.endsWith('.tmp'))!;
  const buf = readFileSync(join(dir, tmp));
  buf[buf.length - 12]! ^= 0x40; // inside the gzip trailer or the last block: the read-back must notice
  writeFileSync(join(dir, tmp), buf);
  const r = await p.resume();
  assert.is(r.code, 3, r.stderr);
  const lines = r.stderr.trim().split('\n').filter((l) => !l.includes('test pause'));
  assert.is(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /failed verification/);
  assert.equal(archiveFiles(repo), []);
  assert.equal(journal(repo), []);
  assert.is(repo.json<Rec>(['show', id]).state, 'CLEANABLE');
  assert.is(repo.git(['for-each-ref', '--format=%(refname)', 'refs/backups/']), `refs/backups/${id}`);
});

test('two archives of the same backup at once: one wins, the other changes nothing, the recorded archive verifies', async () => {
  const repo = repoWith({ 'c.txt': 'concurrent\n'.repeat(5000) });
  for (let round = 0; round < 3; round++) {
    const id = repo.json<Rec>(['create', '--allow-empty']).id;
    repo.json(['cleanup', id]);
    const [a, b] = await Promise.all([repo.cliAsync(['archive', id]), repo.cliAsync(['archive', id])]);
    assert.equal([a.code, b.code].sort(), [0, 3], a.stderr + b.stderr);
    assert.is(repo.json<Rec>(['show', id]).state, 'ARCHIVED');
    const v = repo.cli(['verify', id]);
    assert.is(v.code, 0, v.stdout + v.stderr);
  }
  assert.equal(journal(repo), []);
});

test.run();
