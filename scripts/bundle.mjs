// Bundle the compiled CLI so each git backup command (and each hook) loads one file instead of
// hundreds of modules: measured ~45 ms less CPU per start (BENCHMARKS.md). One file per entry, no
// code splitting: a command loaded ~40 chunks of a split bundle (each resolved, read, linked, with
// its own require shim), and one file measured 10 % less wall time for `status` and 20 % less CPU
// for a hook drain (BENCHMARKS.md, start-up). V8 only pre-parses the functions a command does not
// call, and modules reached through import() are still evaluated only when imported (esbuild wraps
// them), so what a command does not use costs little. `--version` never loads it (bin/git-backup.cjs).
//
// CommonJS, not ES modules: bin/code-cache.cjs runs it through vm.Script with V8's code cache, which
// Node 20 offers for scripts only; node builtins are then required where a module first needs them
// instead of all at start. The caches are made by a training run of the built bundles.
import { build } from 'esbuild';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const entryPoints = ['dist/src/cli.js', 'dist/src/cli-fast-run.js', 'dist/src/hook/main.js', 'dist/src/hook/agent-client.js'].filter((p) => {
  if (!existsSync(p)) console.warn(`bundle: ${p} is missing (run tsc first); its bundle is not made`);
  return existsSync(p);
});

// A script run through vm.Script has no import(): `await import('node:os')` (loaded where first
// needed) becomes a require of the builtin, still made only when that code runs.
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => (args.kind === 'dynamic-import' ? { path: args.path, namespace: 'lazy-builtin' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
  },
};
// yargs measures its help text with string-width, which builds an Intl.Segmenter and Unicode-property
// regexes when its module loads: ~30 ms of every command that goes through yargs, help or not
// (two copies, yargs' and cliui's; BENCHMARKS.md, start-up). Printable ASCII is one column a
// character, which is all our help holds; anything else (an escape, a tab, any non-ASCII text)
// goes to the real string-width, loaded at its first such call.
const lazyStringWidth = {
  name: 'lazy-string-width',
  setup(b) {
    b.onResolve({ filter: /^string-width$/ }, async (args) => {
      if (args.pluginData?.real) return undefined;
      const real = await b.resolve('string-width', { resolveDir: args.resolveDir, kind: args.kind, pluginData: { real: true } });
      if (real.errors.length) return { errors: real.errors };
      // Named relatively: the bundle names no directory of the machine that built it.
      return { path: relative(process.cwd(), real.path), namespace: 'lazy-string-width', pluginData: { real: real.path } };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy-string-width' }, (args) => ({
      contents: `const ascii = /^[\\x20-\\x7e]*$/;
export default function stringWidth(text, options) {
  if (typeof text === 'string' && ascii.test(text)) return text.length;
  return require(${JSON.stringify(args.pluginData.real)}).default(text, options);
}`,
      loader: 'js',
      resolveDir: '/',
    }));
  },
};
rmSync('dist/bundle', { recursive: true, force: true });
await build({
  entryPoints,
  outdir: 'dist/bundle',
  bundle: true,
  splitting: false,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  outExtension: { '.js': '.cjs' },
  minifyWhitespace: true,
  minifySyntax: true,
  // The sources find the package's files from their own location (src/package-root.ts, help.txt).
  define: { 'import.meta.url': '__gbModuleUrl' },
  banner: { js: "var __gbModuleUrl=require('node:url').pathToFileURL(__filename).href;" },
  plugins: [lazyBuiltins, lazyStringWidth],
  logLevel: 'warning',
});
// `git backup -h` without yargs (issue 9): the help yargs prints, captured once here, non-TTY (so at
// its 100-column wrap). src/cli.ts prints it; test/cli/fast-args.test.ts checks it matches yargs.
{
  const r = spawnSync(process.execPath, ['-e', "const { buildParser } = await import('./dist/src/cli-parser.js'); buildParser(['--help']).exitProcess(false).parse(['--help'], (err, argv, output) => process.stdout.write(output + '\\n'));", '--input-type=module'], { encoding: 'utf8' });
  if (r.status === 0 && r.stdout.startsWith('git backup')) writeFileSync('dist/bundle/help.txt', r.stdout);
  else console.warn(`bundle: help text not captured (${r.stderr.split('\n')[0]}); -h goes through yargs`);
}

// The code caches (bin/code-cache.cjs), after a run of the everyday commands and a hook drain.
{
  const r = spawnSync(process.execPath, ['scripts/train-code-cache.cjs'], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) console.warn(`bundle: code cache not made (${(r.stderr ?? '').trim().split('\n').pop()}); the first command makes it`);
}
