// Coding agents (issue 10): `install --agent claude-code` merges our hook entries into the user's
// .claude/settings.local.json and `uninstall --agent` takes exactly them out; the hook command
// takes a checkpoint per call from the agent's JSON on stdin, always exits 0 and prints nothing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, openSync, readFileSync, writeFileSync, mkdirSync, lstatSync, symlinkSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, TEST_ENV, scratchDir, tempRepo, type TestRepo } from '../helpers/repo.js';

const settingsFile = (repo: TestRepo) => join(repo.dir, '.claude', 'settings.local.json');

const USER_SETTINGS = {
  permissions: { allow: ['Bash(npm test:*)'] },
  hooks: {
    PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: 'echo user-hook' }] }],
    Stop: [],
  },
};

/** What Claude Code would do: run the hook command with its JSON on stdin. */
function agentHook(cwd: string, event: Record<string, unknown>) {
  const r = spawnSync(process.execPath, [CLI, 'hook', 'agent', 'claude-code'], { cwd, env: TEST_ENV, input: JSON.stringify(event), encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('install --agent merges into the user settings; uninstall --agent removes exactly ours', () => {
  const repo = tempRepo();
  mkdirSync(join(repo.dir, '.claude'));
  const original = JSON.stringify(USER_SETTINGS, null, 2) + '\n';
  writeFileSync(settingsFile(repo), original);
  const r = repo.cli(['install', '--agent', 'claude-code']);
  assert.is(r.code, 0, r.stderr);
  const merged = JSON.parse(readFileSync(settingsFile(repo), 'utf8'));
  assert.equal(merged.permissions, USER_SETTINGS.permissions);
  assert.equal(merged.hooks.Stop, []);
  assert.is(merged.hooks.PreToolUse.length, 2, 'the user entry stays, ours is added beside it');
  assert.equal(merged.hooks.PreToolUse[0], USER_SETTINGS.hooks.PreToolUse[0]);
  assert.match(merged.hooks.PreToolUse[1].matcher, /Bash/);
  assert.match(merged.hooks.PreToolUse[1].hooks[0].command, /^git backup hook agent claude-code #/);
  assert.match(merged.hooks.UserPromptSubmit[0].hooks[0].command, /^git backup hook agent claude-code #/);
  const again = repo.json<{ action: string }>(['install', '--agent', 'claude-code']);
  assert.is(again.action, 'unchanged', 'idempotent');
  const un = repo.json<{ action: string }>(['uninstall', '--agent', 'claude-code']);
  assert.is(un.action, 'removed');
  assert.is(readFileSync(settingsFile(repo), 'utf8'), original, 'byte-identical to before');
});

test('no settings file: created, then removed with the folder; bad input changes nothing', () => {
  const repo = tempRepo();
  assert.is(repo.json<{ action: string }>(['install', '--agent', 'claude-code']).action, 'added');
  assert.is(repo.json<{ action: string }>(['uninstall', '--agent', 'claude-code']).action, 'deleted');
  assert.not.ok(existsSync(join(repo.dir, '.claude')));
  mkdirSync(join(repo.dir, '.claude'));
  writeFileSync(settingsFile(repo), '{ "hooks": ');
  const bad = repo.cli(['install', '--agent', 'claude-code']);
  assert.is(bad.code, 3);
  assert.match(bad.stderr, /not valid JSON/);
  assert.is(readFileSync(settingsFile(repo), 'utf8'), '{ "hooks": ');
  const unknown = repo.cli(['install', '--agent', 'cursor']);
  assert.is(unknown.code, 2);
  assert.match(unknown.stderr, /unknown agent "cursor"/);
});

test("uninstall --agent leaves the user's own entries for our hook, and the file holding them", () => {
  const repo = tempRepo();
  mkdirSync(join(repo.dir, '.claude'));
  // Written by the user before install: a Stop checkpoint, and a UserPromptSubmit one with a timeout.
  const own = {
    hooks: {
      Stop: [{ hooks: [{ type: 'command', command: 'git backup hook agent claude-code' }] }],
      UserPromptSubmit: [{ hooks: [{ type: 'command', command: 'git backup hook agent claude-code', timeout: 30 }] }],
    },
  };
  const original = JSON.stringify(own, null, 2) + '\n';
  writeFileSync(settingsFile(repo), original);
  assert.is(repo.json<{ action: string }>(['install', '--agent', 'claude-code']).action, 'added');
  const merged = JSON.parse(readFileSync(settingsFile(repo), 'utf8'));
  assert.is(merged.hooks.UserPromptSubmit.length, 1, 'the prompt already takes a checkpoint: nothing added beside it');
  assert.is(merged.hooks.PreToolUse.length, 1);
  assert.is(repo.json<{ action: string }>(['uninstall', '--agent', 'claude-code']).action, 'removed');
  assert.is(readFileSync(settingsFile(repo), 'utf8'), original, 'byte-identical to before');
  // A file the user had, empty lists and all, stays when only our entries were in it.
  writeFileSync(settingsFile(repo), '{\n  "hooks": {\n    "PreToolUse": []\n  }\n}\n');
  repo.json(['install', '--agent', 'claude-code']);
  assert.is(repo.json<{ action: string }>(['uninstall', '--agent', 'claude-code']).action, 'removed');
  assert.is(readFileSync(settingsFile(repo), 'utf8'), '{\n  "hooks": {\n    "PreToolUse": []\n  }\n}\n');
});

test('a symlinked settings file (dotfiles) is written through: the link stays, the target gets the entries', () => {
  const repo = tempRepo();
  const dotfiles = scratchDir();
  const target = join(dotfiles, 'claude.json');
  writeFileSync(target, '{"env":{"A":"1"}}');
  mkdirSync(join(repo.dir, '.claude'));
  symlinkSync(target, settingsFile(repo));
  assert.is(repo.json<{ action: string }>(['install', '--agent', 'claude-code']).action, 'added');
  assert.ok(lstatSync(settingsFile(repo)).isSymbolicLink(), 'still a link');
  const merged = JSON.parse(readFileSync(target, 'utf8'));
  assert.equal(merged.env, { A: '1' });
  assert.is(merged.hooks.PreToolUse.length, 1);
  assert.equal(readdirSync(dotfiles), ['claude.json'], 'no temp file left beside the target');
  assert.is(repo.json<{ action: string }>(['uninstall', '--agent', 'claude-code']).action, 'removed');
  assert.ok(lstatSync(settingsFile(repo)).isSymbolicLink());
  assert.equal(JSON.parse(readFileSync(target, 'utf8')), { env: { A: '1' } });
});

test('the hook: a checkpoint per call, none for an unchanged tree, undo rewinds the last step, always exit 0', () => {
  const repo = tempRepo();
  const first = agentHook(repo.dir, { session_id: 'sess-1', hook_event_name: 'UserPromptSubmit', cwd: repo.dir });
  assert.equal([first.code, first.stdout, first.stderr], [0, '', '']);
  const again = agentHook(repo.dir, { session_id: 'sess-1', hook_event_name: 'PreToolUse', tool_name: 'Bash', cwd: repo.dir });
  assert.is(again.code, 0);
  let list = repo.json<{ id: string; labels: string[]; message: string }[]>(['list']);
  assert.is(list.length, 1, 'nothing changed: no second checkpoint');
  assert.ok(list[0]!.labels.includes('agent:claude-code') && list[0]!.labels.includes('session:sess-1'));
  // The agent edits through Bash: the next checkpoint sees it.
  repo.write('made-by-bash.txt', 'x\n');
  agentHook(repo.dir, { session_id: 'sess-1', hook_event_name: 'PreToolUse', tool_name: 'Edit', cwd: repo.dir });
  list = repo.json(['list']);
  assert.is(list.length, 2);
  assert.match(list[0]!.message, /checkpoint before Edit/);
  repo.write('made-by-edit.txt', 'y\n');
  repo.json(['undo']);
  assert.not.ok(existsSync(join(repo.dir, 'made-by-edit.txt')), 'undo rewinds to before the last tool call');
  assert.ok(existsSync(join(repo.dir, 'made-by-bash.txt')));
  // Garbage on stdin, no repository, an unknown agent: still exit 0, still silent.
  const outside = scratchDir();
  for (const [cwd, input, args] of [
    [repo.dir, 'not json', ['hook', 'agent', 'claude-code']],
    [outside, '{}', ['hook', 'agent', 'claude-code']],
    [repo.dir, '{}', ['hook', 'agent', 'nobody']],
  ] as const) {
    const r = spawnSync(process.execPath, [CLI, ...args], { cwd, env: TEST_ENV, input, encoding: 'utf8' });
    assert.equal([r.status, r.stdout], [0, ''], `${cwd} ${input} ${args.join(' ')}`);
  }
});

test("a new session on an unchanged tree: its first checkpoint carries its own label, not the last session's", () => {
  const repo = tempRepo();
  repo.write('a.txt', 'work\n');
  agentHook(repo.dir, { session_id: 'sess-1', hook_event_name: 'UserPromptSubmit', cwd: repo.dir });
  agentHook(repo.dir, { session_id: 'sess-2', hook_event_name: 'UserPromptSubmit', cwd: repo.dir });
  agentHook(repo.dir, { session_id: 'sess-2', hook_event_name: 'PreToolUse', tool_name: 'Edit', cwd: repo.dir });
  assert.is(repo.json<unknown[]>(['list', '--label', 'session:sess-1']).length, 1);
  assert.is(repo.json<unknown[]>(['list', '--label', 'session:sess-2']).length, 1, 'one of its own, then reused');
});

test('stdin never closed, or /dev/null: the checkpoint is taken and the hook still ends', async () => {
  const repo = tempRepo();
  repo.write('work.txt', 'w\n');
  // A writer that keeps its end open: the hook gives up on stdin after a moment and ends by itself.
  const child = spawn(process.execPath, [CLI, 'hook', 'agent', 'claude-code'], { cwd: repo.dir, env: TEST_ENV, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.write('{"session_id": "open');
  const code = await new Promise<number | null>((resolve) => {
    const guard = setTimeout(() => (child.kill('SIGKILL'), resolve(-1)), 20_000);
    child.on('exit', (c) => (clearTimeout(guard), resolve(c)));
  });
  child.stdin.destroy();
  assert.is(code, 0, 'ended on its own, exit 0');
  assert.is(repo.json<unknown[]>(['list']).length, 1, 'the checkpoint was taken (cwd: where it runs)');
  repo.write('work.txt', 'w2\n');
  const fromNull = spawnSync(process.execPath, [CLI, 'hook', 'agent', 'claude-code'], { cwd: repo.dir, env: TEST_ENV, stdio: [openSync('/dev/null', 'r'), 'pipe', 'pipe'] });
  assert.is(fromNull.status, 0);
  assert.is(repo.json<unknown[]>(['list']).length, 2);
});

test('the hook never reuses a backup that is not an undo point: undo still rewinds only the last step', () => {
  // A plain `create` (or a run's after backup) of the same tree was reused as the turn's
  // checkpoint; it is no undo point, so undo went back past it, to the step before.
  const repo = tempRepo();
  repo.write('a.txt', 't1\n');
  repo.commitAll('t1');
  const event = { session_id: 's', hook_event_name: 'PreToolUse', tool_name: 'Edit', cwd: repo.dir };
  agentHook(repo.dir, event);
  repo.write('a.txt', 't2\n');
  agentHook(repo.dir, event);
  repo.write('a.txt', 't3\n');
  repo.json(['create', '-m', 'mine']);
  agentHook(repo.dir, event);
  repo.write('a.txt', 't4\n');
  repo.json(['undo', '--yes']);
  assert.is(repo.read('a.txt'), 't3\n', 'back to before the last tool call, not the one before');
});

test.run();
