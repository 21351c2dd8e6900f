#!/usr/bin/env node
'use strict';
// Entry point. Kept tiny and CommonJS: hooks call this on every commit, and a CommonJS entry starts
// ~3 ms sooner than an ES module one. dist/bundle holds the esbuild bundles of dist/src
// (scripts/bundle.mjs), loaded with their V8 code cache (bin/code-cache.cjs). `git backup hook …`
// takes a fast path that never loads yargs (src/hook/main.ts); the everyday commands load the fast
// path's own, smaller bundle first (src/cli-fast-run.ts), and the full CLI only when it declines.
const argv = process.argv.slice(2);
/** What src/cli-fast.ts can take; it still declines the forms it is not sure of (test/cli/fast-args.test.ts keeps the two lists equal). */
const FAST_FIRST_WORDS = new Set(['status', 'list', 'show', 'create', '-h', '--help']);
if (argv.length === 1 && argv[0] === '--version') {
  // The one answer that needs no code: the bundle (one file of ~0.5 MB) is not even read.
  // Written as src/fs/stdout.ts writes: a reader that left is no error, a full device one line.
  const line = `${require('../package.json').version}\n`;
  try {
    require('node:fs').writeSync(1, line);
  } catch (e) {
    if (e.code === 'EAGAIN') process.stdout.write(line);
    else if (e.code !== 'EPIPE') {
      process.stderr.write(`git backup: cannot write to standard output (${e.code === 'ENOSPC' ? 'the device is full' : e.code})\n`);
      process.exitCode = 1;
    }
  }
} else {
  const { loadBundle } = require('./code-cache.cjs');
  const finish = (bundle) => (code) => {
    process.exitCode = code;
    bundle.settle();
  };
  // tried: the fast path has declined this argv already, so the full CLI goes straight to yargs.
  const full = (tried) => {
    const cli = loadBundle('cli.cjs');
    (tried ? cli.exports.parserMain(argv) : cli.exports.main(argv)).then(finish(cli));
  };
  if (argv[0] === 'hook' && argv[1] === 'agent') {
    // A coding agent's checkpoint: its worktree's server takes it when one runs (src/hook/agent-client.ts);
    // else this process does, as any hook, and starts a server for the next one.
    const client = loadOptional(loadBundle, 'hook/agent-client.cjs');
    const inProcess = (outcome) => {
      const hook = loadBundle('hook/main.cjs');
      hook.exports.hookMain(argv.slice(1), outcome).then(finish(hook));
    };
    if (!client) inProcess(null);
    else {
      client.exports.agentClient(argv.slice(2)).then((outcome) => {
        if (outcome.served) return finish(client)(0);
        client.settle();
        inProcess(outcome);
      });
    }
  } else if (argv[0] === 'hook') {
    const hook = loadBundle('hook/main.cjs');
    hook.exports.hookMain(argv.slice(1)).then(finish(hook));
  } else if (FAST_FIRST_WORDS.has(argv[0])) {
    const fast = loadFastBundle(loadBundle);
    if (!fast) full(false);
    else {
      fast.exports.fastMain(argv).then((code) => {
        if (code !== null) return finish(fast)(code);
        fast.settle();
        full(true);
      });
    }
  } else {
    full(false);
  }
}

/** The fast path's bundle, or null when it is missing or broken: the full CLI answers everything. */
function loadFastBundle(loadBundle) {
  return loadOptional(loadBundle, 'cli-fast-run.cjs');
}

/** A bundle that only saves time, or null when it is missing or broken. */
function loadOptional(loadBundle, name) {
  try {
    return loadBundle(name);
  } catch {
    return null;
  }
}
