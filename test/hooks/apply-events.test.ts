// The drain's events write (hook/drain.ts applyEvents): events that change only the head (post-commit,
// post-merge, pre-push) are written without reading the records (store.patch); a post-rewrite event,
// which remaps records, takes the whole index, even when it is found only once the lock is held.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempRepo } from '../helpers/repo.js';
import { openContext, type Output } from '../../src/app/context.js';
import { applyEvents } from '../../src/hook/drain.js';
import { formatEventLine, type HookEvent } from '../../src/core/events.js';

const io: Output = { out: () => undefined, err: () => undefined, interactive: false, ask: async () => '' };
const event = (hook: HookEvent['hook'], head: string, text: string | null, args: string[] = []): string =>
  formatEventLine({ time: null, hook, head, branch: 'main', data: text === null ? { kind: 'none' } : { kind: 'inline', text }, args });

function amendedRepo() {
  const repo = tempRepo();
  repo.write('w.txt', 'work\n');
  const { id } = repo.json<{ id: string }>(['create', '-m', 'w']);
  const before = repo.git(['rev-parse', 'HEAD']);
  repo.git(['commit', '-q', '--amend', '-m', 'amended']);
  const after = repo.git(['rev-parse', 'HEAD']);
  const store = join(repo.git(['rev-parse', '--absolute-git-dir']), 'backup');
  return { repo, id, before, after, store };
}

test('a post-rewrite found only under the lock (after a look that saw none) still remaps the records', async () => {
  const { repo, id, before, after, store } = amendedRepo();
  const rewrite = event('post-rewrite', after, `${before} ${after}\n`, ['amend']);
  const commit = event('post-commit', after, null);
  appendFileSync(join(store, 'events.log'), rewrite + commit);
  const ctx = await openContext(io, repo.dir);
  // What the unlocked look is told: only the post-commit waits (an offset past the rewrite).
  const r = await applyEvents(ctx, { events_offset: Buffer.byteLength(rewrite) });
  assert.ok(r);
  assert.is(r!.applied, 2, 'both, from the offset the store holds');
  assert.equal(r!.rebased.map((m) => m.id), [id]);
  const db = JSON.parse(readFileSync(join(store, 'db.json'), 'utf8'));
  assert.is(db.events_offset, Buffer.byteLength(rewrite + commit));
  assert.is(db.events_applied, 2);
  assert.equal(db.backups.find((b: { id: string }) => b.id === id).base_successor, { commit: after, amended: true });
});

test('events that change only the head are written without the records (which are copied as they are)', async () => {
  const { repo, store } = amendedRepo();
  const commit = event('post-commit', repo.git(['rev-parse', 'HEAD']), null);
  appendFileSync(join(store, 'events.log'), commit + commit);
  const db = join(store, 'db.json');
  const records = (text: string) => text.slice(text.indexOf(',"backups":['));
  const was = readFileSync(db, 'utf8');
  const ctx = await openContext(io, repo.dir);
  const r = await applyEvents(ctx, {});
  assert.is(r!.applied, 2);
  assert.is(r!.data, undefined, 'the records were not read');
  const now = readFileSync(db, 'utf8');
  assert.is(records(now), records(was), 'the records\' bytes unchanged');
  assert.is(JSON.parse(now).events_offset, Buffer.byteLength(commit + commit));
});

test.run();
