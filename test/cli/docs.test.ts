// Docs are part of the feature: every command the CLI knows is in --help, the README and the man page.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT, tempRepo } from '../helpers/repo.js';
import { helpTexts } from '../helpers/help.js';
import { BOOLEAN_OPTIONS } from '../../src/cli-parser.js';
import { KEYS, fullName } from '../../src/core/config-keys.js';

const repo = tempRepo();
const help = repo.cli(['--help']).stdout;
const commands = [...help.matchAll(/^\s+git backup (\S+)/gm)].map((m) => m[1]!);
const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
const man = readFileSync(join(PROJECT_ROOT, 'man', 'git-backup.1'), 'utf8');

test('--help lists commands', () => {
  assert.ok(commands.length >= 14, commands.join(' '));
});

test('README documents every command, with the two set-up commands', () => {
  for (const c of commands) assert.match(readme, new RegExp('`' + c + '\\b'), `README names ${c}`);
  // The quick start installs a packed tarball (a copy), never the clone itself (a link to it).
  const quick = /## Quick start[\s\S]*?```sh\n([^`]*)```/.exec(readme)?.[1] ?? '';
  assert.match(quick, /^npm ci && npm install --global --ignore-scripts "\.\/\$\(npm pack --silent\)"/, quick);
  assert.not.match(quick, /npm install --global \.(\s|$)/);
  assert.match(readme, /npm test/);
});

test('the man page describes each config key exactly once, and has examples', () => {
  // `.B backup.keep.last|daily|weekly` describes backup.keep.last, backup.keep.daily and backup.keep.weekly.
  const described: string[] = [];
  for (const m of man.matchAll(/^\.TP\n\.B (backup\.\S+)$/gm)) {
    const [head, ...alts] = m[1]!.split('|');
    const prefix = head!.slice(0, head!.lastIndexOf('.') + 1);
    described.push(head!, ...alts.map((a) => prefix + a));
  }
  const lower = described.map((k) => k.toLowerCase());
  for (const k of KEYS) assert.is(lower.filter((d) => d === fullName(k).toLowerCase()).length, 1, `${fullName(k)} described once`);
  for (const d of described) assert.ok(KEYS.some((k) => fullName(k).toLowerCase() === d.toLowerCase()), `${d} is a known key`);
  const examples = /^\.SH EXAMPLES\n([\s\S]*?)^\.SH /m.exec(man)?.[1] ?? '';
  const lines = [...examples.matchAll(/^git backup (\S+)/gm)].map((m) => m[1]!);
  assert.ok(lines.length >= 10, `examples: ${lines.join(' ')}`);
  for (const c of lines) assert.ok(commands.includes(c), `example of an unknown command: ${c}`);
});

test('the man page documents every command', () => {
  for (const c of commands) assert.match(man, new RegExp(`\\\\fB${c}\\\\fR|\\.B ${c}\\b|\\b${c},`), `man page names ${c}`);
});

test('package.json ships the man page and the bin', () => {
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string>; man: string[] };
  assert.is(pkg.bin['git-backup'], 'bin/git-backup.cjs');
  assert.ok(pkg.man.includes('man/git-backup.1'));
});

test('--version prints the package version', () => {
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };
  assert.is(repo.cli(['--version']).stdout.trim(), pkg.version);
});

test('every boolean option in any --help is one the parser refuses a value for', () => {
  const found = new Set<string>();
  for (const text of helpTexts(commands).values()) {
    for (const m of text.matchAll(/--([a-z-]+)[^\n]*\[boolean\]/g)) found.add(m[1]!);
  }
  found.delete('help');
  found.delete('version');
  assert.ok(found.has('json') && found.has('dry-run'), [...found].join(' '));
  for (const name of found) assert.ok(BOOLEAN_OPTIONS.has(name), `--${name} is boolean in --help but not in BOOLEAN_OPTIONS`);
});

test.run();
