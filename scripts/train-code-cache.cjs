'use strict';
// Makes the V8 code caches of dist/bundle (bin/code-cache.cjs): loads each bundle as the CLI does,
// runs the everyday commands and a hook drain in a scratch repository in this one process, so the
// functions they compile are in the cache, and writes it. Run by the build (scripts/bundle.mjs),
// which warns when it fails; the first command then makes the cache where it can.
//
// Not an install script: the quick start installs with --ignore-scripts (npm 11 warns about any),
// and the cache the build ships was made by the Node that installs it from the clone. Another Node
// later refuses it, and the first command writes its own where the package directory is writable.
const { execFileSync, spawnSync } = require('node:child_process');
const { mkdtempSync, rmSync, writeFileSync, realpathSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { loadBundle, saveCache } = require('../bin/code-cache.cjs');

async function main() {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'gb-train-')));
  // Nothing of the caller's git may reach the scratch repository: a build run from a hook of a
  // linked worktree has GIT_DIR and GIT_INDEX_FILE set, and would otherwise commit into that
  // repository; nor its config (commit.gpgsign, hooks).
  for (const key of Object.keys(process.env)) if (key.startsWith('GIT_')) delete process.env[key];
  Object.assign(process.env, {
    HOME: dir,
    XDG_CONFIG_HOME: join(dir, '.config'),
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'Training',
    GIT_AUTHOR_EMAIL: 'training@example.invalid',
    GIT_COMMITTER_NAME: 'Training',
    GIT_COMMITTER_EMAIL: 'training@example.invalid',
    GIT_BACKUP_HOOK_MODE: 'off',
  });
  const git = (...args) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  try {
    git('init', '-q', '-b', 'main');
    writeFileSync(join(dir, 'a.txt'), 'one\n');
    git('add', '-A');
    git('commit', '-q', '-m', 'init');
    process.chdir(dir);
    // As bin/git-backup.cjs runs them: the everyday commands through the fast path's bundle, the
    // rest (and the forms the fast path declines) through the full CLI's.
    const fast = loadBundle('cli-fast-run.cjs');
    writeFileSync(join(dir, 'a.txt'), 'two\n');
    const run = async (main, argv) => {
      const code = await main(argv);
      if (code !== 0) throw new Error(`training: git backup ${argv.join(' ')} exited ${code}`);
    };
    for (const argv of [['--help'], ['status'], ['create', '-m', 'training'], ['list'], ['list', '--json'], ['status', '--json']]) {
      await run(fast.exports.fastMain, argv);
    }
    const [id] = execFileSync('git', ['for-each-ref', '--format=%(refname:lstrip=2)', 'refs/backups'], { cwd: dir, encoding: 'utf8' }).split('\n');
    await run(fast.exports.fastMain, ['show', id]);
    const cli = loadBundle('cli.cjs');
    for (const argv of [['config', 'list'], ['verify'], ['list', '--no-json']]) {
      await run(cli.exports.main, argv);
    }
    git('commit', '-q', '-a', '-m', 'second');
    const hook = loadBundle('hook/main.cjs');
    await hook.exports.hookMain(['drain', '--repo', dir]);
    // An agent hook's first half (its stdin is the agent's, so not agentClient itself): what it calls.
    const agent = loadBundle('hook/agent-client.cjs');
    const top = agent.exports.worktreeTop(dir);
    agent.exports.privateToMe(agent.exports.socketPathFor(top));
    agent.exports.serverEnvironment(process.env);
    agent.exports.codeIdentity();
    for (const b of [fast, cli, hook, agent]) saveCache(b.cachePath, b.sourceDigest, b.script);
  } finally {
    process.chdir(tmpdir());
    rmSync(dir, { recursive: true, force: true });
  }
}

// The commands print on fd 1 (src/fs/stdout.ts); an install or a build shows none of it, so the
// training runs in a child whose stdout goes nowhere.
if (process.argv[2] === '--training') {
  main().then(
    () => (process.exitCode = 0),
    (e) => {
      process.stderr.write(`${process.env.GIT_BACKUP_DEBUG === '1' && e && e.stack ? e.stack : (e && e.message) || e}\n`);
      process.exitCode = 1;
    },
  );
} else {
  process.exitCode = spawnSync(process.execPath, [__filename, '--training'], { stdio: ['ignore', 'ignore', 'inherit'] }).status ?? 1;
}
