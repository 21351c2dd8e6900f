#!/usr/bin/env node
// Entry point. Kept tiny: hooks call this on every commit, so nothing heavy is imported here.
// dist/bundle is the esbuild bundle of dist/src (scripts/bundle.mjs). `git backup hook …` takes a
// fast path that never loads yargs (src/hook/main.ts).
const argv = process.argv.slice(2);
if (argv[0] === 'hook') {
  const { hookMain } = await import('../dist/bundle/hook/main.mjs');
  process.exitCode = await hookMain(argv.slice(1));
} else {
  const { main } = await import('../dist/bundle/cli.mjs');
  process.exitCode = await main(argv);
}
