// Configuration against real git: defaults, case, layering, unknown keys, rules between keys,
// export/import, templates, help, and the commands that read it. Each key's valid and invalid values
// (config get, config set, status) are in config-keys.test.ts.
import { test } from '../helpers/shard.js';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TEST_ENV, scratchDir, tempRepo, type TestRepo } from '../helpers/repo.js';
import { expectInvalid } from '../helpers/config.js';
import { loadConfig } from '../../src/config/load.js';
import { findRepo } from '../../src/git/exec.js';

// loadConfig runs in this process: give it the tests' private HOME, not the developer's.
Object.assign(process.env, { HOME: TEST_ENV.HOME, XDG_CONFIG_HOME: TEST_ENV.XDG_CONFIG_HOME, GIT_CONFIG_NOSYSTEM: '1' });

const H = 3_600_000;
const D = 24 * H;
const repo = tempRepo();
const load = async (r: TestRepo = repo) => loadConfig(await findRepo(r.dir), { warn: () => undefined });
const files = scratchDir('gb-config-files-');
const configBytes = (r: TestRepo = repo) => readFileSync(join(r.dir, '.git', 'config'), 'utf8');

test('the defaults with no backup.* key at all; config get marks them', async () => {
  const fresh = tempRepo();
  const c = await load(fresh);
  assert.is(c.retention.CONFIRMED, 7 * D);
  assert.is(fresh.cli(['config', 'get', 'retention.confirmed']).stdout, '1w (default)\n');
  const j = fresh.json<{ default: boolean; scope: string; value: number }>(['config', 'get', 'backup.retention.confirmed']);
  assert.equal([j.default, j.scope, j.value], [true, 'default', 7 * D]);
});

test('keys in any case: git lowercases them, we match them all', async () => {
  const r = tempRepo();
  r.git(['config', 'backup.AutoCleanupConfidence', '0.7']);
  r.git(['config', 'Backup.Disk.Quota', '1G']);
  assert.is((await load(r)).autoCleanupConfidence, 0.7);
  assert.is((await load(r)).disk.quota, 1024 ** 3);
  assert.is(r.cli(['config', 'get', 'AUTOCLEANUPCONFIDENCE']).stdout, '0.7\n');
  assert.is(r.cli(['config', 'set', 'BACKUP.KEEP.LAST', '4']).code, 0);
  assert.is(r.git(['config', '--get', 'backup.keep.last']), '4', 'written under the canonical name');
  assert.is(r.cli(['config', 'set', 'disk.quota', '2G']).code, 0);
  assert.is(r.git(['config', '--get-all', 'backup.disk.quota']), '2G', 'one value, the old spelling replaced');
});

test('layering: local over global; list and get --json say where a value came from', async () => {
  const r = tempRepo();
  r.git(['config', '--global', 'backup.keep.last', '9']);
  try {
    assert.is((await load(r)).keep.last, 9);
    r.git(['config', 'backup.keep.last', '2']);
    assert.is((await load(r)).keep.last, 2);
    const list = r.json<{ keys: { key: string; scope: string; text: string[] }[] }>(['config', 'list']);
    assert.equal(list.keys.find((k) => k.key === 'backup.keep.last'), { ...list.keys.find((k) => k.key === 'backup.keep.last')!, scope: 'local', text: ['2'] });
    assert.is(list.keys.find((k) => k.key === 'backup.keep.daily')!.scope, 'default');
    assert.is(list.keys.length, 27); // design.md §Configuration: 20 keys, alert.webhook, and the backup remote's 6 (issue 11)
    const unset = r.cli(['config', 'unset', 'keep.last']);
    assert.match(unset.stdout, /removed backup\.keep\.last.*now 9 \(global\)/);
    assert.is(r.json<{ scope: string }>(['config', 'get', 'keep.last']).scope, 'global');
    assert.match(r.cli(['config', 'list']).stdout, /backup\.keep\.last\s+9\s+global/);
  } finally {
    r.git(['config', '--global', '--unset-all', 'backup.keep.last']);
  }
});

test('set validates the result as a whole: a value that breaks the threshold order is refused', () => {
  const r = tempRepo();
  const before = configBytes(r);
  expectInvalid(r.cli(['config', 'set', 'disk.warning', '95']), 'backup.disk.warning');
  assert.is(configBytes(r), before);
  expectInvalid(r.cli(['config', 'set', 'disk.critical', '97']), 'backup.disk.critical');
  assert.is(r.cli(['config', 'set', 'disk.emergency', '99']).code, 0);
  assert.is(r.cli(['config', 'set', 'disk.critical', '97']).code, 0);
  assert.is(r.cli(['config', 'set', 'disk.warning', '95']).code, 0);
  expectInvalid(r.cli(['config', 'unset', 'disk.critical']), 'backup.disk.warning');
  assert.is(r.git(['config', 'backup.disk.critical']), '97', 'unset refused too: it would break the order');
});

test('config list shows an invalid value, names it on stderr, exit 3', () => {
  const r = tempRepo();
  r.git(['config', 'backup.disk.quota', '12X']);
  const list = r.cli(['config', 'list']);
  expectInvalid(list, 'backup.disk.quota', '12X');
  assert.match(list.stdout, /backup\.disk\.quota\s+"12X" INVALID\s+local/);
  assert.match(list.stdout, /backup\.keep\.last\s+5\s+default/);
});

test('unknown keys: a warning naming the closest key, never a failure; unset removes the typo', () => {
  const r = tempRepo();
  r.git(['config', 'backup.retension.created', '1d']);
  const status = r.cli(['status']);
  assert.is(status.code, 0, status.stderr);
  assert.match(status.stderr, /unknown config key backup\.retension\.created is ignored; did you mean backup\.retention\.created\?/);
  assert.is(status.stderr.split('\n').filter(Boolean).length, 1);
  const json = r.cli(['status', '--json']);
  assert.ok(JSON.parse(json.stdout).config, 'status --json stdout stays one document');
  assert.match(r.cli(['config', 'list']).stdout, /backup\.retension\.created\s+1d\s+local: UNKNOWN, did you mean backup\.retention\.created\?/);
  const set = r.cli(['config', 'set', 'retension.created', '1d']);
  assert.is(set.code, 2);
  assert.match(set.stderr, /did you mean backup\.retention\.created\?/);
  assert.is(r.cli(['config', 'get', 'nope']).code, 2);
  assert.is(r.cli(['config', 'unset', 'backup.retension.created']).code, 0);
  assert.is(r.cli(['status']).stderr, '');
});

test('export then import: a round trip, in git-config syntax and in JSON', async () => {
  const a = tempRepo();
  assert.is(a.cli(['config', 'template', 'conservative']).code, 0);
  for (const [k, val] of [['sensitive', '*.pem'], ['alert.command', 'printf "%s" \'x;y # z\' \\ end'], ['disk.quota', '1536K'], ['integrationBranch', 'origin/main']]) {
    a.git(['config', '--add', `backup.${k}`, val!]);
  }
  a.git(['config', '--add', 'backup.sensitive', 'secrets/**']);
  const file = join(files, 'exported.gitconfig');
  assert.is(a.cli(['config', 'export', file]).code, 0);
  const exported = readFileSync(file, 'utf8');
  assert.match(exported, /\[backup "disk"\]/);
  assert.is(a.git(['config', '--file', file, 'backup.alert.command']), 'printf "%s" \'x;y # z\' \\ end', 'git itself reads the file');

  const b = tempRepo();
  const imp = b.cli(['config', 'import', file]);
  assert.is(imp.code, 0, imp.stderr);
  assert.match(imp.stdout, /set backup\.autoCleanupConfidence = 0\.9/);
  assert.equal(await load(b), await load(a));
  assert.is(b.cli(['config', 'export']).stdout, a.cli(['config', 'export']).stdout);

  const c = tempRepo();
  const jsonFile = join(files, 'exported.json');
  writeFileSync(jsonFile, a.cli(['config', 'export', '--json']).stdout);
  assert.is(c.cli(['config', 'import', jsonFile]).code, 0);
  assert.equal(await load(c), await load(a));
  assert.equal((await load(c)).sensitive, ['*.pem', 'secrets/**']);
});

test('import is all or nothing: one bad value or unknown key, nothing written', () => {
  const r = tempRepo();
  r.git(['config', 'backup.keep.last', '1']);
  const before = configBytes(r);
  const bad = join(files, 'bad.gitconfig');
  writeFileSync(bad, '[backup "keep"]\n\tlast = 8\n\tdaily = 8\n[backup "disk"]\n\tquota = 12X\n');
  expectInvalid(r.cli(['config', 'import', bad]), 'backup.disk.quota', '12X');
  assert.is(configBytes(r), before);
  const typo = join(files, 'typo.json');
  writeFileSync(typo, '{"backup.keep.last": "8", "backup.dsk.quota": "1G"}');
  const t = r.cli(['config', 'import', typo]);
  assert.is(t.code, 3);
  assert.match(t.stderr, /unknown config key backup\.dsk\.quota; did you mean backup\.disk\.quota\?; nothing imported/);
  assert.is(configBytes(r), before);
  assert.is(r.cli(['config', 'import', join(r.dir, 'no-such-file')]).code, 4);
  const broken = join(files, 'broken.gitconfig');
  writeFileSync(broken, '[backup\n');
  assert.is(r.cli(['config', 'import', broken]).code, 3);
  assert.is(configBytes(r), before);
});

test('templates: each sets its keys, prints them, and loadConfig sees them', async () => {
  const r = tempRepo();
  const out = r.cli(['config', 'template', 'aggressive']);
  assert.is(out.code, 0);
  assert.match(out.stdout, /^template aggressive: /);
  assert.match(out.stdout, /set backup\.autoCleanupConfidence = 0\.6/);
  assert.is((await load(r)).disk.strategy, 'aggressive');
  assert.is(r.json<{ set: Record<string, unknown> }>(['config', 'template', 'conservative']).set['backup.autoCleanupConfidence'], 0.9);
  assert.is((await load(r)).retention.CONFIRMED, 30 * D);
  r.cli(['config', 'template', 'development']);
  const dev = await load(r);
  assert.ok(dev.check.interval <= 60_000 && dev.retention.CONFIRMED <= H);
  assert.is(r.cli(['config', 'template', 'nope']).code, 2);
});

test('without a terminal, config alone lists; --help names every subcommand and key', () => {
  const r = tempRepo();
  const plain = r.cli(['config']);
  assert.is(plain.code, 0);
  assert.is(plain.stdout, r.cli(['config', 'list']).stdout);
  const help = r.cli(['config', '--help']).stdout;
  for (const sub of ['get', 'set', 'unset', 'list', 'export', 'import', 'template']) assert.match(help, new RegExp(`config ${sub}`));
  assert.match(help, /backup\.disk\.quota\s+a size, default none/);
  assert.match(r.cli(['config', 'set', '--help']).stdout, /nothing is written/);
  assert.is(r.cli(['config', 'bogus']).code, 2);
  assert.is(r.cli(['config', 'set', 'keep.last']).code, 2);
  assert.is(r.cli(['config', 'set', 'keep.last', '--', '-1']).code, 3);
  assert.is(r.cli(['config', 'set', 'keep.last', '--', '6']).code, 0);
});

test('reconcile and the pre-rebase hook read through loadConfig (validated)', () => {
  const r = tempRepo();
  r.write('work.txt', 'work\n'); // something to protect: a clean tree gets no backup
  r.json(['create', '--allow-empty', '-m', 'x']);
  r.git(['config', 'backup.integrationBranch', 'bad..name']);
  expectInvalid(r.cli(['reconcile']), 'backup.integrationBranch', 'bad..name');
  r.git(['config', 'backup.integrationBranch', 'main']);
  assert.is(r.cli(['reconcile']).code, 0);
  const count = () => r.json<unknown[]>(['list']).length;
  const n = count();
  r.git(['config', 'backup.hooks.preRebase', 'off']);
  assert.is(r.cli(['hook', 'pre-rebase']).code, 0);
  assert.is(count(), n);
  r.git(['config', 'backup.hooks.preRebase', 'On']);
  r.write('work.txt', 'more work\n'); // the newest backup would hold the same: it would be reused
  assert.is(r.cli(['hook', 'pre-rebase']).code, 0);
  assert.is(count(), n + 1, 'git booleans (on) count, as git --bool reads them');
});

test.run();
