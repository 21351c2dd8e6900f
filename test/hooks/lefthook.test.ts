// Real lefthook (this project's devDependency, its Go binary from the lefthook-<os>-<arch> package):
// a scratch repository with its own lefthook.yml and `lefthook install` run for real, then
// `git backup install` puts our entries into lefthook-local.yml. lefthook's own command keeps
// running, ours move backups along through lefthook alone, git's arguments and stdin reach our
// scripts intact (even arguments sh would otherwise parse), and uninstall leaves no trace.
import { test } from '../helpers/shard.js';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT, fromTemplate, scratchDir, type TestRepo } from '../helpers/repo.js';
import { eventLines, install, readDb, sleep, withShim, withoutShim, eventLogSize } from '../helpers/hooks.js';
import { parseEventLine, type HookEvent } from '../../src/core/events.js';

const require = createRequire(import.meta.url);
/** The lefthook binary, found the way lefthook's own npm wrapper (bin/index.js) finds it. */
const LEFTHOOK: string = (require(join(PROJECT_ROOT, 'node_modules', 'lefthook', 'get-exe.js')) as { getExePath(): string }).getExePath();

/** Hooks call this very binary (LEFTHOOK_BIN), not whatever lefthook may be on PATH; no LEFTHOOK=0 from outside. */
function lhEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env, LEFTHOOK_BIN: LEFTHOOK, NO_COLOR: '1' };
  for (const k of ['LEFTHOOK', 'LEFTHOOK_EXCLUDE', 'LEFTHOOK_CONFIG', 'LEFTHOOK_VERBOSE']) delete out[k];
  return out;
}
const shim = (extra: NodeJS.ProcessEnv = {}) => lhEnv(withShim(extra));

function lefthook(repo: TestRepo, args: string[]): string {
  return execFileSync(LEFTHOOK, args, { cwd: repo.dir, env: lhEnv(withoutShim()), encoding: 'utf8' });
}

const LEFTHOOK_YML = 'post-commit:\n  commands:\n    marker:\n      run: echo "lefthook post-commit ran" >> lefthook-marker\n';
const MARK = 'lefthook post-commit ran\n';

/**
 * A repository whose lefthook.yml has a post-commit command of its own, with `lefthook install` run:
 * built (and checked) once per variant, then copied for each test (fromTemplate keeps the hooks'
 * modes and lefthook's checksum file with its time stamps).
 */
function lefthookRepo(opts: { ignoreLocal?: boolean } = {}): TestRepo {
  return fromTemplate(`lefthook:${opts.ignoreLocal !== false}`, (repo) => {
    repo.git(['init', '-q', '-b', 'main']);
    repo.write('README.md', '# test\n');
    repo.commitAll('initial');
    repo.write('lefthook.yml', LEFTHOOK_YML);
    repo.write('.gitignore', `lefthook-marker\n${opts.ignoreLocal === false ? '' : 'lefthook-local.yml\n'}`);
    const out = lefthook(repo, ['install']);
    assert.match(out, /sync hooks/);
    assert.ok(existsSync(join(repo.dir, '.git', 'hooks', 'post-commit')));
    repo.git(['add', '-A']);
    repo.git(['commit', '-q', '-m', 'lefthook set up'], { env: lhEnv(withoutShim()) });
    assert.is(repo.read('lefthook-marker'), MARK, "lefthook's own hook runs");
    writeFileSync(join(repo.dir, 'lefthook-marker'), '');
  });
}

function git(repo: TestRepo, args: string[], env: NodeJS.ProcessEnv = shim()): string {
  const r = spawnSync('git', args, { cwd: repo.dir, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} exited ${r.status}: ${r.stderr}${r.stdout}`);
  return r.stdout.trim();
}

function events(repo: TestRepo): HookEvent[] {
  return eventLines(repo).map((l) => {
    const p = parseEventLine(l);
    if (!p.ok) throw new Error(p.reason);
    return p.event;
  });
}
const last = (repo: TestRepo, hook: string) => events(repo).filter((e) => e.hook === hook).at(-1);

interface Status { hooks: { mode: string; location: string; installed: string[]; missing: string[]; outdated: string[]; lefthookNotInstalled?: string[] } }
interface Rec { id: string; state: string; pending_commit: string | null; confirmed_by: string | null }
const show = (repo: TestRepo, id: string) => repo.json<Rec>(['show', id], { env: shim() });
const snapshotDir = (dir: string) => Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f), 'utf8')]));

test('install: entries in lefthook-local.yml, and it says lefthook install must run for the hooks lefthook.yml lacks', () => {
  const repo = lefthookRepo();
  const out = install(repo);
  assert.match(out, /hooks: lefthook/);
  assert.match(out, /lefthook +created: .*lefthook-local\.yml/);
  assert.match(out, /run `lefthook install`.*post-merge, post-rewrite, pre-push, pre-rebase/);
  assert.not.match(out, /not ignored by git/);
  let status = repo.json<Status>(['status']);
  assert.is(status.hooks.mode, 'lefthook');
  assert.is(status.hooks.location, join(repo.dir, 'lefthook-local.yml'));
  assert.is(status.hooks.installed.length, 5);
  assert.equal(status.hooks.outdated, []);
  // lefthook's automatic sync looks at lefthook.yml's time stamp only: the new hooks are not there yet.
  assert.equal(status.hooks.lefthookNotInstalled, ['post-merge', 'post-rewrite', 'pre-push', 'pre-rebase']);
  assert.match(repo.cli(['status']).stdout, /hooks \(lefthook\): .*not run by git until lefthook install: post-merge/);
  git(repo, ['commit', '-q', '--allow-empty', '-m', 'x']);
  assert.not.ok(existsSync(join(repo.dir, '.git', 'hooks', 'post-merge')), 'a lefthook run does not sync them either');

  lefthook(repo, ['install']);
  status = repo.json<Status>(['status']);
  assert.equal(status.hooks.lefthookNotInstalled, []);
  const again = install(repo);
  assert.match(again, /already installed/);
  assert.not.match(again, /lefthook install/);

  // An entry from an older git-backup (it passed {0} straight to sh): outdated until install --force.
  const local = join(repo.dir, 'lefthook-local.yml');
  writeFileSync(local, readFileSync(local, 'utf8').replace("post-merge' {1}", "post-merge' {0}"));
  assert.is(repo.json<Status>(['status']).hooks.outdated.length, 5);
  assert.match(install(repo), /older block left in place/);
  assert.match(install(repo, ['--force']), /updated our block/);
  assert.equal(repo.json<Status>(['status']).hooks.outdated, []);
});

test('through lefthook alone: its own command still runs; commit -> PENDING, merge --no-ff -> CONFIRMED', () => {
  const repo = lefthookRepo();
  install(repo);
  lefthook(repo, ['install']);
  git(repo, ['checkout', '-q', '-b', 'feature']);
  repo.write('feature.txt', 'work in progress\n');
  const { id } = repo.json<Rec>(['create', '--allow-empty', '-m', 'before refactor'], { env: shim() });
  git(repo, ['add', 'feature.txt']);
  git(repo, ['commit', '-q', '-m', 'feature work']);
  const c = git(repo, ['rev-parse', 'HEAD']);
  assert.is(repo.read('lefthook-marker'), MARK, "lefthook's post-commit command ran too");
  let r = show(repo, id);
  assert.is(r.state, 'PENDING');
  assert.is(r.pending_commit, c);
  git(repo, ['checkout', '-q', 'main']);
  git(repo, ['merge', '-q', '--no-ff', '-m', 'merge feature', 'feature']);
  r = show(repo, id);
  assert.is(r.state, 'CONFIRMED');
  assert.is(r.confirmed_by, git(repo, ['rev-parse', 'HEAD']));
  assert.equal(last(repo, 'post-merge')!.args, ['0']);
  assert.is(readDb(repo).events_applied, eventLines(repo).length);
});

test('post-rewrite through lefthook: amend gives "amend" and the old/new pair on stdin; pending_commit follows', () => {
  const repo = lefthookRepo();
  install(repo);
  lefthook(repo, ['install']);
  git(repo, ['checkout', '-q', '-b', 'feature']);
  repo.write('feature.txt', 'work\n');
  const { id } = repo.json<Rec>(['create', '--allow-empty', '-m', 'wip'], { env: shim() });
  git(repo, ['add', 'feature.txt']);
  git(repo, ['commit', '-q', '-m', 'feature work']);
  const first = git(repo, ['rev-parse', 'HEAD']);
  repo.write('feature.txt', 'work, amended\n');
  git(repo, ['commit', '-q', '-a', '--amend', '-m', 'feature work (amended)']);
  const amended = git(repo, ['rev-parse', 'HEAD']);
  const e = last(repo, 'post-rewrite')!;
  assert.equal(e.args, ['amend']);
  assert.equal(e.data, { kind: 'inline', text: `${first} ${amended}` });
  assert.is(show(repo, id).pending_commit, amended);
  git(repo, ['checkout', '-q', 'main']);
  git(repo, ['merge', '-q', '--no-ff', '-m', 'merge', 'feature']);
  assert.is(show(repo, id).state, 'CONFIRMED');
});

test('pre-push and pre-rebase arguments that sh would parse reach our scripts intact, and git goes on', () => {
  const repo = lefthookRepo();
  install(repo);
  lefthook(repo, ['install']);
  // lefthook pastes {0} into `sh -c` as raw text: this URL would be a syntax error there (and a
  // failed pre-push blocks the push), this branch name would run `false` after our script.
  const url = join(scratchDir('gb-lh-remote-'), 'my remote (copy); $(false) `false`.git');
  spawnSync('git', ['init', '-q', '--bare', url]);
  repo.git(['remote', 'add', 'we"ird', url]);
  git(repo, ['push', '-q', 'we"ird', 'main']);
  const push = last(repo, 'pre-push')!;
  assert.equal(push.args, ['we"ird', url]);
  const head = git(repo, ['rev-parse', 'HEAD']);
  assert.equal(push.data, { kind: 'inline', text: `refs/heads/main ${head} refs/heads/main ${'0'.repeat(40)}` });

  git(repo, ['checkout', '-q', '-b', 'topic;false']);
  git(repo, ['commit', '-q', '--allow-empty', '-m', 'topic']);
  git(repo, ['checkout', '-q', 'main']);
  git(repo, ['commit', '-q', '--allow-empty', '-m', 'main moved']);
  repo.git(['config', 'backup.hooks.preRebase', 'true']);
  repo.write('wip.txt', 'uncommitted\n');
  git(repo, ['rebase', '-q', 'main', 'topic;false']);
  assert.equal(last(repo, 'pre-rebase')!.args, ['main', 'topic;false']);
  const list = repo.json<{ message: string }[]>(['list'], { env: shim() });
  assert.ok(list.some((b) => b.message === 'before rebase of topic;false onto main'), JSON.stringify(list));
  // One argument: the upstream alone.
  git(repo, ['checkout', '-q', 'main']);
  git(repo, ['commit', '-q', '--allow-empty', '-m', 'main moved again']);
  git(repo, ['checkout', '-q', 'topic;false']);
  git(repo, ['rebase', '-q', 'main']);
  assert.equal(last(repo, 'pre-rebase')!.args, ['main']);
  assert.is(readDb(repo).events_applied, eventLines(repo).length);
});

test('lefthook install again after ours (it rewrites .git/hooks): our entries still run', () => {
  const repo = lefthookRepo();
  install(repo);
  lefthook(repo, ['install']);
  const before = eventLines(repo).length;
  for (const h of ['post-commit', 'post-merge', 'post-rewrite', 'pre-push', 'pre-rebase']) rmSync(join(repo.dir, '.git', 'hooks', h));
  assert.equal(repo.json<Status>(['status']).hooks.lefthookNotInstalled!.length, 5);
  lefthook(repo, ['install']);
  git(repo, ['commit', '-q', '--allow-empty', '-m', 'after reinstall']);
  assert.is(eventLines(repo).length, before + 1);
  assert.is(repo.read('lefthook-marker'), MARK);
  assert.equal(repo.json<Status>(['status']).hooks.lefthookNotInstalled, []);
});

test('detached drain (the default) through lefthook: the commit returns and the event is applied', async () => {
  const repo = lefthookRepo();
  install(repo);
  const env = shim();
  delete env.GIT_BACKUP_HOOK_MODE;
  git(repo, ['commit', '-q', '--allow-empty', '-m', 'async'], env);
  const deadline = Date.now() + 20_000;
  while ((readDb(repo).events_offset ?? 0) !== eventLogSize(repo) && Date.now() < deadline) await sleep(100);
  assert.is(readDb(repo).events_offset, eventLogSize(repo));
  assert.is(readDb(repo).events_applied, 1);
});

test('uninstall: the lefthook-local.yml we created is deleted, lefthook hooks still work, no event any more', () => {
  const repo = lefthookRepo();
  const hooksBefore = snapshotDir(join(repo.dir, '.git', 'hooks'));
  install(repo);
  lefthook(repo, ['install']);
  git(repo, ['commit', '-q', '--allow-empty', '-m', 'with ours']);
  const un = repo.cli(['uninstall'], { env: shim() });
  assert.is(un.code, 0, un.stderr);
  assert.match(un.stdout, /lefthook +deleted \(we had created it\): .*lefthook-local\.yml/);
  assert.not.ok(existsSync(join(repo.dir, 'lefthook-local.yml')));
  assert.equal(readdirSync(join(repo.dir, '.git', 'backup', 'hooks')), [], 'our scripts are gone from the store');
  const n = eventLines(repo).length;
  writeFileSync(join(repo.dir, 'lefthook-marker'), '');
  git(repo, ['commit', '-q', '--allow-empty', '-m', 'after uninstall']);
  assert.is(repo.read('lefthook-marker'), MARK, "lefthook's own hook still runs");
  assert.is(eventLines(repo).length, n, 'no event recorded');
  // lefthook install now writes exactly the hooks its own config names, as before ours.
  lefthook(repo, ['install']);
  const hooksAfter = snapshotDir(join(repo.dir, '.git', 'hooks'));
  for (const h of ['post-merge', 'post-rewrite', 'pre-push', 'pre-rebase']) delete hooksAfter[h]; // left by lefthook, which never removes hooks
  assert.equal(Object.keys(hooksAfter), Object.keys(hooksBefore));
  assert.is(repo.git(['status', '--porcelain']), '');
});

test("a lefthook-local.yml of the user's own is never edited: entries printed, byte-identical after uninstall", () => {
  const repo = lefthookRepo();
  const mine = '# my local overrides\npost-commit:\n  commands:\n    marker:\n      skip: true\n';
  repo.write('lefthook-local.yml', mine);
  const out = install(repo);
  assert.match(out, /not edited \(see below\)/);
  assert.match(out, /lefthook-local\.yml is yours: add these entries to it/);
  assert.match(out, /pre-push:\n +commands:\n +git-backup:/);
  assert.is(repo.read('lefthook-local.yml'), mine);
  const un = repo.cli(['uninstall'], { env: shim() });
  assert.is(un.code, 0, un.stderr);
  assert.is(repo.read('lefthook-local.yml'), mine);
  git(repo, ['commit', '-q', '--allow-empty', '-m', 'x']);
  assert.is(repo.read('lefthook-marker'), '', "the user's override (skip) is still in force");
});

test('a lefthook-local.yml git does not ignore: install says to ignore it', () => {
  const repo = lefthookRepo({ ignoreLocal: false });
  const out = install(repo);
  assert.match(out, /lefthook-local\.yml is not ignored by git: add it to \.gitignore/);
});

test.run();
