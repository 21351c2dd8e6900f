// The guided set-up (`git backup config` on a terminal): answers checked one by one, a bad answer
// asked again, nothing written before the end; and once through a real pseudo-terminal.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, TEST_ENV, tempRepo, type TestRepo } from '../helpers/repo.js';
import { runConfigWizard } from '../../src/commands/config-wizard.js';
import { loadConfig } from '../../src/config/load.js';
import { findRepo } from '../../src/git/exec.js';
import type { Output } from '../../src/app/context.js';

Object.assign(process.env, { HOME: TEST_ENV.HOME, XDG_CONFIG_HOME: TEST_ENV.XDG_CONFIG_HOME, GIT_CONFIG_NOSYSTEM: '1' });

/** An Output that answers from a script and records what was asked and said. */
function scripted(answers: string[]): Output & { asked: string[]; said: string[] } {
  const asked: string[] = [];
  const said: string[] = [];
  return {
    asked,
    said,
    interactive: true,
    out: (t) => said.push(t),
    outParts: (groups) => said.push([...groups].map((g) => Buffer.concat(g).toString()).join('')),
    err: (t) => said.push(t),
    ask: async (q) => {
      asked.push(q);
      const a = answers.shift();
      if (a === undefined) throw new Error(`no answer scripted for: ${q}`);
      return a;
    },
  };
}

const run = async (r: TestRepo, answers: string[]) => {
  const io = scripted(answers);
  await runConfigWizard({ repo: await findRepo(r.dir), io });
  return io;
};
const load = async (r: TestRepo) => loadConfig(await findRepo(r.dir), { warn: () => undefined });

test('custom: each main choice asked with its current value; a bad answer is asked again', async () => {
  const r = tempRepo();
  const io = await run(r, ['custom', '3 weeks', '3w', '0.75', '12X', '2G', '', 'y']);
  assert.match(io.asked[1]!, /\[1w\]: $/, 'shows the current value');
  assert.ok(io.said.some((l) => /backup\.retention\.confirmed: "3 weeks" is not a duration/.test(l)));
  assert.ok(io.said.some((l) => /backup\.disk\.quota: "12X" is not a size/.test(l)));
  const c = await load(r);
  assert.is(c.retention.CONFIRMED, 21 * 86_400_000);
  assert.is(c.autoCleanupConfidence, 0.75);
  assert.is(c.disk.quota, 2 * 1024 ** 3);
  assert.not.match(readFileSync(join(r.dir, '.git', 'config'), 'utf8'), /strategy/, 'an unchanged answer is not written');
});

test('answering no at the end writes nothing; Enter everywhere changes nothing', async () => {
  const r = tempRepo();
  const before = readFileSync(join(r.dir, '.git', 'config'), 'utf8');
  await run(r, ['', '14d', '', '', 'nuclear', 'n']);
  assert.is(readFileSync(join(r.dir, '.git', 'config'), 'utf8'), before);
  const io = await run(r, ['', '', '', '', '']);
  assert.ok(io.said.includes('nothing changed'));
  assert.is(readFileSync(join(r.dir, '.git', 'config'), 'utf8'), before);
});

test('a template answer applies the template', async () => {
  const r = tempRepo();
  await run(r, ['Aggressive']);
  assert.is((await load(r)).autoCleanupConfidence, 0.6);
});

test('three bad answers in a row: exit 3, nothing written', async () => {
  const r = tempRepo();
  try {
    await run(r, ['custom', 'x', 'y', 'z']);
    assert.unreachable();
  } catch (e) {
    assert.match(String(e), /backup\.retention\.confirmed: "z"/);
  }
  assert.not.match(readFileSync(join(r.dir, '.git', 'config'), 'utf8'), /backup/);
});

const hasScript = spawnSync('script', ['--version']).status === 0;
test('on a real terminal, git backup config walks through the choices', () => {
  if (!hasScript) return; // util-linux script(1) gives the child a pseudo-terminal
  const r = tempRepo();
  const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} config`;
  const res = spawnSync('script', ['-qec', cmd, '/dev/null'], { cwd: r.dir, env: { ...TEST_ENV, TERM: 'dumb' }, input: 'development\n', encoding: 'utf8', timeout: 20_000 });
  assert.is(res.status, 0, res.stdout + res.stderr);
  assert.match(res.stdout, /Start from a template/);
  assert.is(r.git(['config', 'backup.check.interval']), '1m');
});

test.run();
