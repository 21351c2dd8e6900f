// Delete of archived backups (sensitive overwrite, checked while paused before the unlink) and gc
// with real objects.
import { test } from '../helpers/shard.js';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tempRepo, type TestRepo } from '../helpers/repo.js';
import { runUntil } from '../helpers/pause.js';

interface Rec { id: string; state: string; archive: { path: string; bytes: number } | null }

function archivedBackup(repo: TestRepo): Rec {
  const id = repo.json<Rec>(['create', '--allow-empty', '-m', 'x']).id;
  repo.json(['cleanup', id]);
  return repo.json<Rec[]>(['archive', id])[0]!;
}

const journal = (repo: TestRepo) => readdirSync(join(repo.dir, '.git/backup/journal')).filter((n) => n.endsWith('.json'));
const hasObject = (repo: TestRepo, sha: string) => {
  try {
    repo.git(['cat-file', '-e', sha]);
    return true;
  } catch {
    return false;
  }
};

function repoWith(files: Record<string, string>): TestRepo {
  const repo = tempRepo();
  for (const [p, c] of Object.entries(files)) repo.write(p, c);
  return repo;
}

test('delete of an ARCHIVED backup with a sensitive file: the archive is all zeros before unlink, then gone; tombstone kept', async () => {
  const repo = repoWith({ '.env': 'SECRET=hunter2\n', 'src/a.txt': 'a\n' });
  repo.git(['config', 'backup.sensitive', '*.env']);
  const r = archivedBackup(repo);
  const size = readFileSync(r.archive!.path).length;
  const p = await runUntil(repo, ['delete', r.id, '--yes'], 'delete:before-unlink');
  const bytes = readFileSync(r.archive!.path);
  assert.is(bytes.length, size);
  assert.ok(bytes.every((b) => b === 0), 'overwritten with zeros before the unlink');
  await p.kill();
  assert.is(repo.json<Rec>(['show', r.id]).state, 'DELETED');
  const rec = repo.cli(['recover']);
  assert.match(rec.stdout, /finished an interrupted delete \(archive overwritten and removed\)/);
  assert.not.ok(existsSync(r.archive!.path));
  assert.not.ok(existsSync(r.archive!.path.replace('.tar.gz', '.manifest.json')));
  assert.equal(journal(repo), []);
  const shown = repo.json<{ tombstone: { files: number } }>(['show', r.id]);
  assert.ok(shown.tombstone.files >= 1);
});

test('delete without a sensitive match: not overwritten (paused before unlink it is still the gzip), then removed', async () => {
  const repo = repoWith({ 'plain.txt': 'p\n' });
  repo.git(['config', 'backup.sensitive', '*.pem']);
  const r = archivedBackup(repo);
  const p = await runUntil(repo, ['delete', r.id, '--yes'], 'delete:before-unlink');
  const bytes = readFileSync(r.archive!.path);
  assert.is(bytes[0], 0x1f, 'gzip magic still there');
  await p.kill();
  // The next command that takes the lock finishes it (here: another transition).
  const other = repo.json<Rec>(['create', '--allow-empty']).id;
  repo.json(['cleanup', other]);
  assert.not.ok(existsSync(r.archive!.path));
  assert.equal(journal(repo), []);
  // And an uninterrupted delete removes the archive at once.
  const r2 = archivedBackup(repo);
  repo.json(['delete', r2.id, '--yes']);
  assert.not.ok(existsSync(r2.archive!.path));
});

test('gc: a deleted backup\'s unique blob survives gc (2-week expiry) and goes with gc --now; a user branch\'s objects stay', () => {
  const repo = tempRepo();
  repo.git(['checkout', '-q', '-b', 'keep']);
  repo.write('kept.txt', `kept ${Math.random()}\n`);
  repo.commitAll('kept');
  const kept = repo.git(['rev-parse', 'HEAD:kept.txt']);
  repo.git(['checkout', '-q', 'main']);
  const unique = `unique ${Math.random()}\n`.repeat(2000);
  repo.write('scratch.txt', unique);
  const blob = repo.git(['hash-object', '--stdin'], { input: unique });
  const id = repo.json<Rec>(['create', '--allow-empty']).id;
  assert.ok(hasObject(repo, blob));
  const soft = repo.json<{ bytes_freed: number; expire: string }>(['gc']);
  assert.is(soft.expire, '2.weeks.ago');
  assert.ok(hasObject(repo, blob), 'reachable from the backup ref');
  repo.json(['delete', id, '--yes', '--force']);
  repo.json(['gc']);
  assert.ok(hasObject(repo, blob), 'unreachable but younger than gc.pruneExpire');
  const now = repo.json<{ bytes_freed: number; bytes_before: number }>(['gc', '--now']);
  assert.not.ok(hasObject(repo, blob), 'pruned by gc --now');
  assert.ok(now.bytes_freed > 0, JSON.stringify(now));
  assert.ok(hasObject(repo, kept), 'the user branch keeps its objects');
  repo.git(['fsck', '--no-progress']);
  assert.match(repo.cli(['gc', '--now']).stdout, /^gc: freed /);
});

test('gc after archiving: the snapshot objects go, restore still works from the archive (also with packed objects)', () => {
  const repo = repoWith({ 'w.txt': `archived only ${Math.random()}\n` });
  const r = archivedBackup(repo);
  repo.git(['gc', '-q']); // the user's own gc packs what it can
  repo.json(['gc', '--now']);
  rmSync(join(repo.dir, 'w.txt'));
  const res = repo.cli(['restore', r.id]);
  assert.is(res.code, 0, res.stderr);
  assert.match(repo.read('w.txt'), /^archived only /);
});

test.run();
