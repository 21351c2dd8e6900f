#!/usr/bin/env node
'use strict';
// Entry point. Kept tiny and CommonJS: hooks call this on every commit, and a CommonJS entry starts
// ~3 ms sooner than an ES module one. dist/bundle holds the esbuild bundles of dist/src
// (scripts/bundle.mjs), loaded with their V8 code cache (bin/code-cache.cjs). `git backup hook …`
// takes a fast path that never loads yargs (src/hook/main.ts).
const argv = process.argv.slice(2);
if (argv.length === 1 && argv[0] === '--version') {
  // The one answer that needs no code: the bundle (one file of ~0.5 MB) is not even read.
  process.stdout.write(`${require('../package.json').version}\n`);
} else {
  const hook = argv[0] === 'hook';
  const bundle = require('./code-cache.cjs').loadBundle(hook ? 'hook/main.cjs' : 'cli.cjs');
  const run = hook ? bundle.exports.hookMain(argv.slice(1)) : bundle.exports.main(argv);
  run.then((code) => {
    process.exitCode = code;
    bundle.settle();
  });
}
