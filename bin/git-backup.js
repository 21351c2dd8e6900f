#!/usr/bin/env node
// Entry point. Kept tiny: hooks call this on every commit, so nothing heavy is imported here.
// `git backup hook …` takes a fast path that never loads yargs (see src/hook/main.ts).
const argv = process.argv.slice(2);
if (argv[0] === 'hook') {
  const { hookMain } = await import('../dist/src/hook/main.js');
  process.exitCode = await hookMain(argv.slice(1));
} else {
  const { main } = await import('../dist/src/cli.js');
  process.exitCode = await main(argv);
}
