// Docs are part of the feature: every command the CLI knows is in --help, the README and the man page.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT, tempRepo } from '../helpers/repo.js';
import { BOOLEAN_OPTIONS } from '../../src/cli-parser.js';

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
  assert.match(readme, /npm install --global \./);
  assert.match(readme, /npm test/);
});

test('the man page documents every command', () => {
  for (const c of commands) assert.match(man, new RegExp(`\\\\fB${c}\\\\fR|\\.B ${c}\\b|\\b${c},`), `man page names ${c}`);
});

test('package.json ships the man page and the bin', () => {
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string>; man: string[] };
  assert.is(pkg.bin['git-backup'], 'bin/git-backup.js');
  assert.ok(pkg.man.includes('man/git-backup.1'));
});

test('--version prints the package version', () => {
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };
  assert.is(repo.cli(['--version']).stdout.trim(), pkg.version);
});

test('every boolean option in any --help is one the parser refuses a value for', () => {
  const found = new Set<string>();
  for (const c of commands) {
    const text = repo.cli([c, '--help']).stdout;
    for (const m of text.matchAll(/--([a-z-]+)[^\n]*\[boolean\]/g)) found.add(m[1]!);
  }
  found.delete('help');
  found.delete('version');
  assert.ok(found.has('json') && found.has('dry-run'), [...found].join(' '));
  for (const name of found) assert.ok(BOOLEAN_OPTIONS.has(name), `--${name} is boolean in --help but not in BOOLEAN_OPTIONS`);
});

test.run();
