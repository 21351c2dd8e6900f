#!/usr/bin/env node
// Entry point. Kept tiny: hooks call this on every commit, so nothing heavy is imported here.
// dist/bundle is the esbuild bundle of dist/src (scripts/bundle.mjs). `git backup hook …` takes a
// fast path that never loads yargs (src/hook/main.ts).
const argv = process.argv.slice(2);
if (argv.length === 1 && argv[0] === '--version') {
  // The one answer that needs no code: the bundle (one file of ~0.5 MB) is not even parsed.
  const { readFileSync } = await import('node:fs');
  process.stdout.write(`${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
} else if (argv[0] === 'hook') {
  const { hookMain } = await import('../dist/bundle/hook/main.mjs');
  process.exitCode = await hookMain(argv.slice(1));
} else {
  const { main } = await import('../dist/bundle/cli.mjs');
  process.exitCode = await main(argv);
}
