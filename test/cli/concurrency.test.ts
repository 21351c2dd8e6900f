// Acceptance: eight processes creating and transitioning backups at once lose nothing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempRepo } from '../helpers/repo.js';
import type { StoreData } from '../../src/core/types.js';

test('8 concurrent create+cleanup processes: every backup recorded with its full history', async () => {
  const repo = tempRepo();
  repo.write('file.txt', 'base\n');
  repo.commitAll('base');
  repo.write('file.txt', 'work in progress\n');
  // What is checked is that nothing is lost, not how long eight processes take on a busy machine: a
  // worker that gave up on the lock after the default 15 s (exit 5, a clean refusal) would fail the
  // test without any update being lost, so they wait longer here. Timeouts: test/store/lock.test.ts.
  const env = { GIT_BACKUP_LOCK_TIMEOUT_MS: '120000' };
  const workers = Array.from({ length: 8 }, async (_, i) => {
    const made = await repo.cliAsync(['create', '--allow-empty', '-m', `worker ${i}`, '--json'], { env });
    assert.is(made.code, 0, made.stderr);
    const { id } = JSON.parse(made.stdout) as { id: string };
    const moved = await repo.cliAsync(['cleanup', id, '--json'], { env });
    assert.is(moved.code, 0, moved.stderr);
    return id;
  });
  const ids = await Promise.all(workers);
  assert.is(new Set(ids).size, 8, 'eight distinct ids');

  const raw = readFileSync(join(repo.dir, '.git', 'backup', 'db.json'), 'utf8');
  const data = JSON.parse(raw) as StoreData;
  assert.is(data.backups.length, 8);
  for (const id of ids) {
    const r = data.backups.find((b) => b.id === id)!;
    assert.ok(r, `${id} recorded`);
    assert.is(r.state, 'CLEANABLE');
    assert.equal(r.history.map((h) => h.to), ['CREATED', 'CLEANABLE']);
    assert.is(repo.git(['rev-parse', `refs/backups/${id}`]), r.snapshot);
    const note = repo.git(['notes', '--ref=refs/notes/backups', 'show', r.snapshot]);
    assert.is(note.split('\n').length, 2, `note of ${id} has the creation and the transition line`);
  }
  assert.is(data.generation, 16, 'one generation per update, none lost');
});

test.run();
