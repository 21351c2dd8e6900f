// Imports run one way: every relative import in src/**/*.ts must follow the table of allowed
// folder → folder edges below (the rules each src/<folder>/README.md states in words), the folders
// must not import each other in a circle, and every folder has its README. Reads the sources as
// text (no build needed beyond this file), so it costs a few milliseconds.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const SRC = join(ROOT, 'src');

/** Files at the top of src/: the command line's entry, and small leaves every layer may use. */
const ENTRY = new Set(['cli.ts', 'cli-fast.ts', 'cli-fast-run.ts', 'cli-errors.ts', 'cli-parser.ts']);
const SHARED = new Set(['errors.ts', 'clock.ts', 'package-root.ts', 'test-pause.ts', 'builtins.ts']);

/** Folder → the folders it may import (itself always). Lower layers first. */
const ALLOWED: Record<string, readonly string[]> = {
  core: [],
  shared: ['core'],
  fs: ['core', 'shared'],
  git: ['core', 'shared', 'fs'],
  store: ['core', 'shared', 'fs', 'git'],
  config: ['core', 'shared', 'fs', 'git'],
  app: ['core', 'shared', 'fs', 'git', 'store', 'config'],
  hook: ['core', 'shared', 'fs', 'git', 'store', 'config', 'app'],
  install: ['core', 'shared', 'fs', 'git', 'store', 'app'],
  commands: ['core', 'shared', 'config', 'app', 'hook', 'install'],
  entry: ['core', 'shared', 'fs', 'app', 'hook', 'commands'],
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** The layer a file under src/ belongs to. */
function layerOf(file: string): string {
  const rel = relative(SRC, file).split(/[\\/]/);
  if (rel.length > 1) return rel[0] ?? '';
  const name = rel[0] ?? '';
  if (ENTRY.has(name)) return 'entry';
  if (SHARED.has(name)) return 'shared';
  return `unplaced top-level file ${name}`;
}

interface Edge {
  from: string;
  to: string;
  where: string;
}

/** Static `import … from`, `export … from` and dynamic `import('…')` of a relative path. */
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*)'(\.{1,2}\/[^']+)'/g;

function edges(): Edge[] {
  const out: Edge[] = [];
  for (const file of sources(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? '';
      const target = posix.join(posix.dirname(relative(ROOT, file).split('\\').join('/')), spec).replace(/\.js$/, '.ts');
      const from = layerOf(file);
      const to = layerOf(join(ROOT, target));
      const line = text.slice(0, m.index).split('\n').length;
      if (from !== to) out.push({ from, to, where: `${relative(ROOT, file)}:${line} imports ${spec}` });
    }
  }
  return out;
}

test('every file under src/ belongs to a known folder', () => {
  const unknown = sources(SRC).map(layerOf).filter((l) => !(l in ALLOWED));
  assert.equal([...new Set(unknown)], [], 'add the folder to ALLOWED and write its README.md');
});

test('imports run the allowed way (see each src/<folder>/README.md)', () => {
  const wrong = edges()
    .filter((e) => !(ALLOWED[e.from] ?? []).includes(e.to))
    .map((e) => `${e.from} -> ${e.to}: ${e.where}`);
  assert.equal(wrong, []);
});

test('core imports nothing outside core (node built-ins aside)', () => {
  const outside = edges().filter((e) => e.from === 'core');
  assert.equal(outside.map((e) => e.where), []);
  for (const file of sources(join(SRC, 'core'))) {
    const text = readFileSync(file, 'utf8');
    assert.not.match(text, /from\s*'node:(fs|child_process|net|http|https|os)(\/promises)?'/, `${relative(ROOT, file)} does I/O`);
  }
});

test('no circle between folders', () => {
  const graph = new Map<string, Set<string>>();
  for (const e of edges()) {
    if (e.from === 'shared' || e.to === 'shared') continue; // leaves: import only core
    const next = graph.get(e.from) ?? new Set<string>();
    next.add(e.to);
    graph.set(e.from, next);
  }
  const done = new Set<string>();
  const onPath: string[] = [];
  const visit = (n: string): void => {
    if (onPath.includes(n)) assert.unreachable(`circle: ${[...onPath.slice(onPath.indexOf(n)), n].join(' -> ')}`);
    if (done.has(n)) return;
    onPath.push(n);
    for (const m of graph.get(n) ?? []) visit(m);
    onPath.pop();
    done.add(n);
  };
  for (const n of graph.keys()) visit(n);
});

test('every folder under src/ has a README.md saying what lives there and what it may import', () => {
  const missing = readdirSync(SRC).filter((name) => statSync(join(SRC, name)).isDirectory() && !existsSync(join(SRC, name, 'README.md')));
  assert.equal(missing, []);
});

test.run();
