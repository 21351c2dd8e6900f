// zsh completion (issue 10): completion/_git-backup lists every command and flag of --help, and
// completes through zsh's own git completion on a pseudo-terminal as a user's shell does (the
// installed zsh, or Debian's taken by test/helpers/zsh.ts where none is: never skipped).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, PROJECT_ROOT, TEST_ENV, scratchDir, tempRepo } from '../helpers/repo.js';
import { helpTexts } from '../helpers/help.js';
import { zsh } from '../helpers/zsh.js';

const DIR = join(PROJECT_ROOT, 'completion');
const script = readFileSync(join(DIR, '_git-backup'), 'utf8');

/** Each command the completion handles, with the flags its branch offers. */
function branches(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const body = script.slice(script.indexOf('case $words[1] in'));
  for (const m of body.matchAll(/^ {8}\(([a-z|-]+)\)\n([\s\S]*?)\n {10};;$/gm)) {
    const flags = [...new Set([...m[2]!.matchAll(/--[a-z][a-z-]*/g)].map((f) => f[0]).concat(m[2]!.includes('$json') ? ['--json'] : []))];
    for (const c of m[1]!.split('|')) out.set(c, flags);
  }
  return out;
}

test('every command and flag of --help is in the zsh completion, and it ships', () => {
  const repo = tempRepo();
  const help = repo.cli(['--help']).stdout;
  const commands = [...new Set([...help.matchAll(/^\s+git backup (\S+)/gm)].map((m) => m[1]!))].filter((c) => c !== 'hook');
  const listed = [...script.matchAll(/^ {8}'([a-z-]+):/gm), ...script.matchAll(/^ {8}"([a-z-]+):/gm)].map((m) => m[1]!);
  assert.equal([...listed].sort(), [...commands].sort(), 'the same commands (hook is internal)');
  const offered = branches();
  const helps = helpTexts(commands);
  for (const c of commands) {
    const flags = [...helps.get(c)!.matchAll(/^\s+(?:-\w, )?(--[a-z-]+)/gm)].map((m) => m[1]!).filter((f) => f !== '--help' && f !== '--version');
    const spelled = flags.map((f) => (f === '--sparse' ? '--no-sparse' : f)).sort(); // a default-true flag is typed as its negation
    assert.equal([...(offered.get(c) ?? [])].sort(), spelled, `${c}: the flags of its --help, no more`);
  }
  assert.match(script, /^#compdef git-backup\n#description /, 'autoloaded for git-backup; _git lists it among git commands');
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { files: string[] };
  assert.ok(pkg.files.includes('completion'), 'installed with the package');
});

test('zsh: commands, flags, states and ids complete through zsh\'s git completion', () => {
  const shell = zsh();
  assert.is(spawnSync(shell.bin, ['-n', join(DIR, '_git-backup')]).status, 0, 'parses');
  const repo = tempRepo();
  repo.write('a.txt', 'x\n');
  const { id } = repo.json<{ id: string }>(['create']);
  // git-backup on PATH, as the package installs it: zsh's _git then lists `backup` among git's commands.
  const bin = join(scratchDir('gb-bin-'), 'bin');
  mkdirSync(bin);
  symlinkSync(CLI, join(bin, 'git-backup'));
  const lines = ['git backup cr', 'git backup list --sort ', 'git backup show ', `git backup transition ${id} CL`, 'git backup run --w', 'git backu', 'git backup install --agent ', 'git backup run -- gre'];
  const out = execFileSync(shell.bin, ['-f', join(PROJECT_ROOT, 'test', 'helpers', 'zsh-complete.zsh'), DIR, ...lines], {
    cwd: repo.dir,
    env: { ...TEST_ENV, ...shell.env, PATH: `${bin}:${TEST_ENV.PATH}` },
    encoding: 'utf8',
    timeout: 20_000,
  });
  const got = out.split('::end::\n').map((b) => b.split('\n').filter(Boolean));
  assert.equal(got[0], ['create']);
  assert.equal(got[1], ['age', 'size', 'confidence']);
  assert.equal(got[2], [id]);
  assert.equal(got[3], ['CLEANABLE']);
  assert.equal(got[4], ['--watch']);
  assert.equal(got[5], ['backup'], 'git backu<TAB>: our command among git\'s');
  assert.equal(got[6], ['claude-code']);
  assert.ok(got[7]!.includes('grep'), 'after run --: a command');
});

test.run();
