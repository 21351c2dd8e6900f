// Bundle the compiled CLI so each git backup command (and each hook) loads one file instead of
// hundreds of modules: measured ~45 ms less CPU per start (BENCHMARKS.md). One file per entry, no
// code splitting: a command loaded ~40 chunks of a split bundle (each resolved, read, linked, with
// its own require shim), and one file measured 10 % less wall time for `status` and 20 % less CPU
// for a hook drain (BENCHMARKS.md, start-up). V8 only pre-parses the functions a command does not
// call, and modules reached through import() are still evaluated only when imported (esbuild wraps
// them), so what a command does not use costs little. `--version` never loads it (bin/git-backup.js).
import { build } from 'esbuild';
import { existsSync, rmSync } from 'node:fs';

const entryPoints = ['dist/src/cli.js', 'dist/src/hook/main.js'].filter((p) => existsSync(p));
rmSync('dist/bundle', { recursive: true, force: true });
await build({
  entryPoints,
  outdir: 'dist/bundle',
  bundle: true,
  splitting: false,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outExtension: { '.js': '.mjs' },
  minifyWhitespace: true,
  minifySyntax: true,
  // A CommonJS dependency bundled into a chunk calls require(); give ESM chunks a real one.
  banner: { js: "import { createRequire as __gbCreateRequire } from 'node:module'; const require = __gbCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});

// `git backup -h` without yargs (issue 9): the help yargs prints, captured once here, non-TTY (so at
// its 100-column wrap). src/cli.ts prints it; test/cli/fast-args.test.ts checks it matches yargs.
{
  const { spawnSync } = await import('node:child_process');
  const { writeFileSync } = await import('node:fs');
  const r = spawnSync(process.execPath, ['-e', "const { buildParser } = await import('./dist/src/cli-parser.js'); buildParser(['--help']).exitProcess(false).parse(['--help'], (err, argv, output) => process.stdout.write(output + '\\n'));", '--input-type=module'], { encoding: 'utf8' });
  if (r.status === 0 && r.stdout.startsWith('git backup')) writeFileSync('dist/bundle/help.txt', r.stdout);
  else console.warn(`bundle: help text not captured (${r.stderr.split('\n')[0]}); -h goes through yargs`);
}
