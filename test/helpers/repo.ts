// Scratch repositories driven by the real git binary, and the real CLI run as a child process.
import { execFileSync, spawnSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, mkdirSync, writeFileSync, rmSync, realpathSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const CLI = join(PROJECT_ROOT, 'bin', 'git-backup.cjs');

const scratch: string[] = [];
process.on('exit', () => {
  if (process.env.KEEP_TEST_REPOS) return;
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

/** A private HOME so the developer's global git config cannot leak into tests. */
const home = mkdtempSync(join(tmpdir(), 'gb-home-'));
scratch.push(home);
// No `git maintenance run --auto` after every commit, merge and fetch of every test (about 700
// processes a suite run that no test looks at; the gc tests run gc themselves).
writeFileSync(join(home, '.gitconfig'), '[maintenance]\n\tauto = false\n');

export const TEST_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  HOME: home,
  XDG_CONFIG_HOME: join(home, '.config'),
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'Test Author',
  GIT_AUTHOR_EMAIL: 'author@example.com',
  GIT_COMMITTER_NAME: 'Test Committer',
  GIT_COMMITTER_EMAIL: 'committer@example.com',
  GIT_BACKUP_HOOK_MODE: 'sync',
  // gc --now keeps unreachable objects younger than a grace (a running git command's); tests that
  // create, delete and gc in one second want them gone (test/cli/gc-user-git.test.ts runs without).
  GIT_BACKUP_TEST_GC_GRACE_MS: '0',
  // A hook of a coding agent starts a checkpoint server that outlives it: only the tests of it do
  // (test/cli/agent-server.test.ts), each ending it.
  GIT_BACKUP_AGENT_SERVER: 'off',
};
delete TEST_ENV.GIT_DIR;
delete TEST_ENV.GIT_INDEX_FILE;
delete TEST_ENV.GIT_WORK_TREE;
delete TEST_ENV.NODE_ENV;
// Nothing here reaches the network; an extra CA bundle would be parsed at every node start (the CLI,
// every hook drain): about a third of a bare start on the test machine.
delete TEST_ENV.NODE_EXTRA_CA_CERTS;

export function scratchDir(prefix = 'gb-'): string {
  const d = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  scratch.push(d);
  return d;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class TestRepo {
  constructor(readonly dir: string) {}

  git(args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}): string {
    return execFileSync('git', args, {
      cwd: this.dir,
      env: { ...TEST_ENV, ...opts.env },
      input: opts.input,
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
    }).replace(/\n$/, '');
  }

  write(path: string, content: string | Buffer, mode?: number): void {
    const p = join(this.dir, path);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
    if (mode !== undefined) execFileSync('chmod', [mode.toString(8), p]);
  }

  read(path: string): string {
    return readFileSync(join(this.dir, path), 'utf8');
  }

  commitAll(message: string): string {
    this.git(['add', '-A']);
    this.git(['commit', '-q', '-m', message]);
    return this.git(['rev-parse', 'HEAD']);
  }

  /** Run the real CLI in this repository. */
  cli(args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string; timeoutMs?: number } = {}): CliResult {
    const r = spawnSync(process.execPath, [CLI, ...args], {
      cwd: opts.cwd ?? this.dir,
      env: { ...TEST_ENV, ...opts.env },
      input: opts.input ?? '',
      encoding: 'utf8',
      ...(opts.timeoutMs ? { timeout: opts.timeoutMs } : {}),
    });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }

  /** Run the CLI and parse its --json output, failing loudly on a non-zero exit. */
  json<T = unknown>(args: string[], opts: { env?: NodeJS.ProcessEnv } = {}): T {
    const r = this.cli([...args, '--json'], opts);
    if (r.code !== 0) throw new Error(`git backup ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  }

  /** Start the CLI without waiting (for concurrency tests). */
  cliAsync(args: string[], opts: { env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [CLI, ...args], { cwd: this.dir, env: { ...TEST_ENV, ...opts.env } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
  }
}

/** main moves on (other.txt), then branch `feature` is squash-merged into it as one commit: that commit. */
export function squashFeatureIntoMain(repo: TestRepo): string {
  repo.git(['checkout', '-q', 'main']);
  repo.write('other.txt', 'main moved on\n');
  repo.commitAll('main advanced');
  repo.git(['merge', '-q', '--squash', 'feature']);
  repo.git(['commit', '-q', '-m', 'squashed feature']);
  return repo.git(['rev-parse', 'HEAD']);
}

const templates = new Map<string, string>();

/**
 * A repository built once per test process by `build` (in a template directory) and copied for each
 * caller: a copy costs a file copy and one git process instead of every git process of the build.
 * Modes, symlinks and timestamps are copied as they are; the index's stat data is refreshed for the
 * copy's own files (inodes and ctimes differ), so git sees the copy exactly as it saw the template:
 * the same commits, the same staged and unstaged changes. A fixture with a backup store is refused
 * unless `withStore`: the copy then holds the template's store, whose records name their worktree
 * relative to the main top (`.`), so a copy behaves as the repository it was copied from; its
 * archives too (records name them relative to the archive directory, which the copy holds).
 */
export function fromTemplate(key: string, build: (repo: TestRepo) => void, opts: { withStore?: boolean } = {}): TestRepo {
  let template = templates.get(key);
  if (template === undefined) {
    template = scratchDir('gb-template-');
    build(new TestRepo(template));
    keepTemplate(key, template, opts);
  }
  return copyOf(template);
}

/** fromTemplate for a build that awaits (one driving the app functions in this process). */
export async function fromTemplateAsync(key: string, build: (repo: TestRepo) => Promise<void>, opts: { withStore?: boolean } = {}): Promise<TestRepo> {
  let template = templates.get(key);
  if (template === undefined) {
    template = scratchDir('gb-template-');
    await build(new TestRepo(template));
    keepTemplate(key, template, opts);
  }
  return copyOf(template);
}

function keepTemplate(key: string, template: string, opts: { withStore?: boolean }): void {
  if (!opts.withStore && existsSync(join(template, '.git', 'backup'))) throw new Error(`template ${key} has a backup store: build it per test`);
  // A copy of a store whose recorded path still holds it takes a clone id of its own (app/clone.ts);
  // the copies are to behave as the repository they were copied from, so the template forgets where it was.
  rmSync(join(template, '.git', 'backup', 'clone-id.at'), { force: true });
  templates.set(key, template);
}

function copyOf(template: string): TestRepo {
  const repo = new TestRepo(scratchDir('gb-repo-'));
  cpSync(template, repo.dir, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
  if (existsSync(join(repo.dir, '.git', 'index'))) repo.git(['update-index', '-q', '--refresh']);
  return repo;
}

/** A new repository; with `commit`, one initial commit holding a README. */
export function tempRepo(opts: { commit?: boolean; branch?: string } = {}): TestRepo {
  const branch = opts.branch ?? 'main';
  const commit = opts.commit !== false;
  return fromTemplate(`repo:${branch}:${commit}`, (repo) => {
    repo.git(['init', '-q', '-b', branch]);
    if (commit) {
      repo.write('README.md', '# test\n');
      repo.commitAll('initial');
    }
  });
}
