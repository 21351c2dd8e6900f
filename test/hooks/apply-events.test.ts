// The drain's events write (hook/drain.ts applyEvents): events that change only the head (post-commit,
// post-merge, pre-push) are written without reading the records (store.patch); a post-rewrite event,
// which remaps records, takes the whole index, even when it is found only once the lock is held.
// In a full round those head-only events ride with the reconcile's write (carryEvents, Store.carry).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempRepo } from '../helpers/repo.js';
import { openContext, type Output } from '../../src/app/context.js';
import { applyEvents, carryEvents } from '../../src/hook/drain.js';
import { formatEventLine, type HookEvent } from '../../src/core/events.js';

const io: Output = { out: () => undefined, outParts: () => undefined, err: () => undefined, interactive: false, ask: async () => '' };
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

const generation = (store: string) => (JSON.parse(readFileSync(join(store, 'db.json'), 'utf8')) as { generation: number }).generation;

test('a drain whose reconcile moves a backup writes db.json once: the events ride with the move', () => {
  const repo = tempRepo();
  repo.write('w.txt', 'work\n');
  repo.json(['create', '-m', 'first']);
  // A first drain runs the rate-limited checks (their stamps are writes of their own).
  assert.is(repo.cli(['hook', 'drain', '--repo', repo.dir]).code, 0);
  repo.write('w.txt', 'more work\n');
  const { id } = repo.json<{ id: string }>(['create', '-m', 'w']);
  repo.git(['add', 'w.txt']);
  repo.git(['commit', '-q', '-m', 'the work']);
  const store = join(repo.git(['rev-parse', '--absolute-git-dir']), 'backup');
  const log = event('post-commit', repo.git(['rev-parse', 'HEAD']), null);
  appendFileSync(join(store, 'events.log'), log);
  const before = generation(store);
  const r = repo.cli(['hook', 'drain', '--repo', repo.dir]);
  assert.is(r.code, 0, r.stderr);
  const db = JSON.parse(readFileSync(join(store, 'db.json'), 'utf8'));
  assert.is(db.generation, before + 1, 'one write');
  assert.is(db.events_offset, Buffer.byteLength(log));
  assert.is(db.events_applied, 1);
  assert.is(db.backups.find((b: { id: string }) => b.id === id).state, 'CONFIRMED', 'committed on main, the integration branch');
  // Nothing to move: the events are written alone.
  appendFileSync(join(store, 'events.log'), log);
  assert.is(repo.cli(['hook', 'drain', '--repo', repo.dir]).code, 0);
  const again = JSON.parse(readFileSync(join(store, 'db.json'), 'utf8'));
  assert.is(again.generation, before + 2);
  assert.is(again.events_offset, 2 * Buffer.byteLength(log));
});

test('carried events stop before a post-rewrite found only under the lock, which waits for its own write', async () => {
  const { repo, id, before, after, store } = amendedRepo();
  const commit = event('post-commit', after, null);
  const rewrite = event('post-rewrite', after, `${before} ${after}\n`, ['amend']);
  appendFileSync(join(store, 'events.log'), commit + rewrite + commit);
  const ctx = await openContext(io, repo.dir);
  // What the unlocked look is told: only the last post-commit waits.
  const carried = await carryEvents(ctx, { events_offset: Buffer.byteLength(commit + rewrite) });
  assert.ok(carried, 'carried: the look saw no post-rewrite');
  const was = generation(store);
  await ctx.store.flushRider();
  assert.is(generation(store), was + 1);
  assert.is(carried!.result()!.applied, 1);
  let db = JSON.parse(readFileSync(join(store, 'db.json'), 'utf8'));
  assert.is(db.events_offset, Buffer.byteLength(commit), 'stopped before the post-rewrite');
  assert.is(await carryEvents(ctx, db), null, 'a post-rewrite waits: not carried');
  const r = await applyEvents(ctx, db);
  assert.is(r!.applied, 2);
  db = JSON.parse(readFileSync(join(store, 'db.json'), 'utf8'));
  assert.equal(db.backups.find((b: { id: string }) => b.id === id).base_successor, { commit: after, amended: true });
  await ctx.store.flushRider();
  assert.is(generation(store), was + 2, 'a rider carried is not written again');
});

test.run();
