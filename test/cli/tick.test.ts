// tick, emergency, alerts and the rate-limited checks, with real git and the real CLI.
import { test } from '../helpers/shard.js';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromTemplateAsync, scratchDir, type TestRepo } from '../helpers/repo.js';
import { install, withShim } from '../helpers/hooks.js';
import '../helpers/fixture.js';
import { openContext, type Context, type Output } from '../../src/app/context.js';
import { createBackup } from '../../src/app/create.js';
import { reconcile } from '../../src/app/reconcile.js';

const DAY = 86_400_000;
const T0 = Date.parse('2025-03-03T09:00:00.000Z');
const when = (d: number) => ({ GIT_BACKUP_NOW: new Date(T0 + d * DAY).toISOString() });

interface Move { id: string; from: string; to: string; steps: string[]; trigger: string; why: string; confidence: number }
interface Report { dry_run: boolean; moves: Move[]; failed: Move[]; waiting: { id: string; why: string }[]; kept: { id: string; why: string }[]; disk: { level: string } }

const silent: Output = { out: () => {}, outParts: () => {}, err: () => {}, interactive: false, ask: async () => '' };

/** What `git backup create` then, after the commit, `git backup reconcile` do on that day, in this process. */
async function backup(ctx: Context, repo: TestRepo, day: number, file: string, commit: boolean): Promise<string> {
  repo.write(file, `${file} ${Math.random()}\n`);
  ctx.now = new Date(T0 + day * DAY);
  const made = await createBackup(ctx, { message: file, includeIgnored: false, paths: [], cwd: repo.dir, pin: false, labels: [], trigger: 'USER', allowEmpty: true });
  if (made.kind === 'empty') throw new Error('allowEmpty takes a backup');
  const { id } = made.record;
  if (commit) {
    repo.commitAll(file);
    await reconcile(ctx, { trigger: 'GIT_HOOK' });
  }
  return id;
}

/**
 * Three confirmed backups (days 0-2), one abandoned on a branch (day 3), the newest kept (day 4).
 * Built once through the app functions the commands call (the CLI is what the tests below drive),
 * then copied for each test (fromTemplate: the copy's store is the template's, as in a moved
 * repository).
 */
let built: { confirmed: string[]; abandoned: string } | undefined;
async function setup(): Promise<{ repo: TestRepo; confirmed: string[]; abandoned: string }> {
  const repo = await fromTemplateAsync('tick', async (t) => {
    t.git(['init', '-q', '-b', 'main']);
    t.write('README.md', '# test\n');
    t.commitAll('initial');
    t.git(['config', 'backup.keep.last', '1']);
    t.git(['config', 'backup.keep.daily', '0']);
    t.git(['config', 'backup.keep.weekly', '0']);
    const ctx = await openContext(silent, t.dir);
    const confirmed = [await backup(ctx, t, 0, 'a.txt', true), await backup(ctx, t, 1, 'b.txt', true), await backup(ctx, t, 2, 'c.txt', true)];
    // Abandoned work on a branch that never gets a commit: stays CREATED.
    t.git(['checkout', '-q', '-b', 'scratch']);
    const abandoned = await backup(ctx, t, 3, 'd.txt', false);
    t.git(['clean', '-q', '-f', '--', 'd.txt']);
    t.git(['checkout', '-q', 'main']);
    await backup(ctx, t, 4, 'e.txt', true); // newest: kept by keep.last
    built = { confirmed, abandoned };
  }, { withStore: true });
  return { repo, confirmed: [...built!.confirmed], abandoned: built!.abandoned };
}

test('tick --dry-run predicts the real tick exactly, day after day; kept and waiting are reported', async () => {
  const { repo, confirmed, abandoned } = await setup();
  let moved = 0;
  for (const day of [5, 9, 12, 17, 25, 40]) {
    const dry = repo.json<Report>(['tick', '--dry-run'], { env: when(day) });
    const real = repo.json<Report>(['tick'], { env: when(day) });
    assert.ok(dry.dry_run && !real.dry_run);
    assert.equal(real.moves, dry.moves, `day ${day}`);
    moved += real.moves.length;
    const again = repo.json<Report>(['tick', '--dry-run'], { env: when(day) });
    assert.equal(again.moves, [], `day ${day}: a second tick has nothing left`);
  }
  assert.ok(moved >= 4, `moved ${moved}`);
  const list = repo.json<{ id: string; state: string; history: { trigger: string }[] }[]>(['list']);
  const state = new Map(list.map((b) => [b.id, b.state]));
  // Confirmed, contained, old enough: CONFIRMED -> CLEANABLE after 7 days, then archived 7 days later.
  for (const id of confirmed) assert.is(state.get(id), 'ARCHIVED', id);
  assert.is(state.get(abandoned), 'CLEANABLE'); // 30 days as CREATED
  const dry = repo.json<Report>(['tick', '--dry-run'], { env: when(60) });
  assert.ok(dry.waiting.some((w) => w.id === abandoned && /waits for the user/.test(w.why)), JSON.stringify(dry.waiting));
  assert.is(dry.kept.length, 1);
  const text = repo.cli(['tick', '--dry-run'], { env: when(60) });
  assert.match(text.stdout, new RegExp(`waits\\s+${abandoned}`));
});

test('show prints every confidence factor with its weight, and --json has confidence_factors', async () => {
  const { repo, confirmed } = await setup();
  const shown = repo.json<{ confidence_now: number; confidence_factors: { name: string; weight: number; value: number }[] }>(['show', confirmed[0]!], { env: when(40) });
  assert.equal(shown.confidence_factors.map((f) => f.name), ['integration', 'containment', 'age', 'size', 'access']);
  assert.is(shown.confidence_now, 1); // confirmed, contained, 40 days, small, never accessed
  const text = repo.cli(['show', confirmed[1]!], { env: when(40) }).stdout;
  for (const n of ['integration', 'containment', 'age', 'size', 'access']) assert.match(text, new RegExp(`${n}\\s+weight 0\\.\\d0`));
  // The file changed again on main: its backed-up content is still held in main's history.
  repo.write('b.txt', 'changed\n');
  repo.commitAll('change b');
  const after = repo.json<{ confidence_factors: { name: string; value: number; why: string }[] }>(['show', confirmed[1]!], { env: when(40) });
  const containment = after.confidence_factors.find((f) => f.name === 'containment')!;
  assert.is(containment.value, 1);
  assert.match(containment.why, /nothing unique: 1 of 1 file held/);
});

test('alerts: auto-cleanup, disk-threshold once per crossing, transition-failed; one JSON document on stdin', async () => {
  const { repo } = await setup();
  const dir = scratchDir('gb-alert-');
  const out = join(dir, 'alerts');
  repo.git(['config', 'backup.alert.command', `cat >> '${out}'; echo >> '${out}'`]);
  const read = () => (existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { kind: string; repo: string; details: Record<string, unknown> }) : []);
  const disk = { GIT_BACKUP_TEST_DISK_USED_PERCENT: '85' };
  repo.cli(['tick', '--dry-run'], { env: { ...when(12), ...disk } });
  assert.equal(read(), [], 'a dry run alerts nobody');
  assert.is(repo.cli(['tick'], { env: { ...when(12), ...disk } }).code, 0);
  const kinds = read().map((a) => a.kind);
  assert.ok(kinds.includes('disk-threshold') && kinds.includes('auto-cleanup'), kinds.join());
  assert.is(read()[0]!.repo, repo.dir);
  repo.cli(['tick'], { env: { ...when(13), ...disk } });
  assert.is(read().filter((a) => a.kind === 'disk-threshold').length, 1, 'not again while still at warning');
  // An archive directory that cannot be created (a file stands where it should be): CLEANABLE ->
  // ARCHIVED fails, the backup stays, and a transition-failed alert names it.
  const blocker = join(dir, 'not-a-directory');
  writeFileSync(blocker, 'x');
  repo.git(['config', 'backup.archiveDir', join(blocker, 'archive')]);
  assert.is(repo.cli(['tick'], { env: { ...when(40), ...disk } }).code, 0, 'a failed automatic archive does not fail the tick');
  const failed = read().filter((a) => a.kind === 'transition-failed');
  assert.ok(failed.length > 0 && JSON.stringify(failed[0]!.details).includes('ARCHIVED'), JSON.stringify(read().map((a) => a.kind)));
  assert.ok(repo.json<{ state: string }[]>(['list', '--state', 'CLEANABLE']).length > 0, 'the backups stayed CLEANABLE');
  // With a usable directory the same tick archives them and says so.
  repo.git(['config', '--unset', 'backup.archiveDir']);
  repo.cli(['tick'], { env: { ...when(41), ...disk } });
  assert.ok(read().some((a) => a.kind === 'auto-cleanup' && JSON.stringify(a.details).includes('"to":"ARCHIVED"')), 'archived');
});

test('a hook drain runs the checks at most once per backup.check.interval', async () => {
  const { repo } = await setup();
  install(repo);
  repo.git(['config', 'backup.check.interval', '1d']);
  const states = () => repo.json<{ state: string }[]>(['list']).map((b) => b.state).join();
  const before = states();
  repo.write('x.txt', 'x\n');
  repo.git(['add', 'x.txt']);
  repo.git(['commit', '-q', '-m', 'x'], { env: withShim(when(20)) }); // hook drain: runs the checks
  const after = states();
  assert.is.not(after, before, 'the drain ran the time policy');
  const log = join(repo.dir, '.git', 'backup', 'db.json');
  const stamp = (JSON.parse(readFileSync(log, 'utf8')) as { policy?: { last_check_at?: string } }).policy?.last_check_at;
  assert.is(stamp, new Date(T0 + 20 * DAY).toISOString());
  repo.write('y.txt', 'y\n');
  repo.git(['add', 'y.txt']);
  repo.git(['commit', '-q', '-m', 'y'], { env: withShim(when(20.5)) });
  const stamp2 = (JSON.parse(readFileSync(log, 'utf8')) as { policy?: { last_check_at?: string } }).policy?.last_check_at;
  assert.is(stamp2, stamp, 'within the interval: not run again');
  repo.git(['commit', '-q', '--allow-empty', '-m', 'z'], { env: withShim(when(21.1)) });
  const stamp3 = (JSON.parse(readFileSync(log, 'utf8')) as { policy?: { last_check_at?: string } }).policy?.last_check_at;
  assert.is(stamp3, new Date(T0 + 21.1 * DAY).toISOString());
});

test('emergency: shows the nuclear plan, refuses without a terminal (exit 9), never CREATED/PENDING or pinned without --force', async () => {
  const { repo, confirmed, abandoned } = await setup();
  repo.cli(['pin', confirmed[0]!]);
  const r = repo.cli(['emergency'], { env: when(6) });
  assert.is(r.code, 9, r.stderr);
  assert.match(r.stderr, /--yes/);
  assert.is(repo.json<{ state: string }[]>(['list']).filter((b) => b.state === 'DELETED').length, 0);
  const done = repo.json<Report>(['emergency', '--yes'], { env: when(6) });
  const gone = done.moves.map((m) => m.id).sort();
  assert.equal(gone, [confirmed[1]!, confirmed[2]!].concat(done.moves.filter((m) => !confirmed.includes(m.id)).map((m) => m.id)).sort());
  assert.ok(!gone.includes(confirmed[0]!), 'pinned stays');
  assert.ok(!gone.includes(abandoned), 'CREATED stays without --force');
  for (const m of done.moves) assert.is(m.to, 'DELETED');
  // The report's "kept by keep rules or pins" lists only what stayed (nuclear passes the keep rules by).
  const keptIds = done.kept.map((k) => k.id);
  for (const id of gone) assert.ok(!keptIds.includes(id), `${id} was moved, not kept`);
  assert.ok(keptIds.includes(confirmed[0]!), 'the pinned one is reported kept');
  const forced = repo.json<Report>(['emergency', '--yes', '--force'], { env: when(6.1) });
  assert.ok(forced.moves.some((m) => m.id === abandoned), 'with --force the CREATED one goes too');
  assert.ok(!forced.moves.some((m) => m.id === confirmed[0]), 'never pinned');
});

test.run();
