// Every config key against real git, one case each: a valid value read through loadConfig; an
// invalid one refused by `config set` (nothing written) and, once written by hand, by loading (exit 3
// naming the key and the value); `config get` and `status` show that refusal for a few keys. The rest of the configuration
// tests (defaults, case, layering, import/export, templates, help) are in config.test.ts.
import { test } from '../helpers/shard.js';
import * as assert from 'uvu/assert';
import { appendFileSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { TEST_ENV, tempRepo, type TestRepo } from '../helpers/repo.js';
import { expectInvalid } from '../helpers/config.js';
import { loadConfig } from '../../src/config/load.js';
import { findRepo } from '../../src/git/exec.js';
import type { BackupConfig } from '../../src/core/config.js';
import type { BackupError } from '../../src/errors.js';

// loadConfig runs in this process: give it the tests' private HOME, not the developer's.
Object.assign(process.env, { HOME: TEST_ENV.HOME, XDG_CONFIG_HOME: TEST_ENV.XDG_CONFIG_HOME, GIT_CONFIG_NOSYSTEM: '1' });

const H = 3_600_000;
const D = 24 * H;
const repo = tempRepo();
const load = async (r: TestRepo = repo) => loadConfig(await findRepo(r.dir), { warn: () => undefined });
const configBytes = (r: TestRepo = repo) => readFileSync(join(r.dir, '.git', 'config'), 'utf8');

/** key, a valid value, what loadConfig must return for it, an invalid value (null: written without "="). */
const CASES: [string, string, (c: BackupConfig) => unknown, unknown, string | null][] = [
  ['integrationBranch', 'origin/release', (c) => c.integrationBranch, 'origin/release', 'bad..name'],
  ['retention.created', '90m', (c) => c.retention.CREATED, 90 * 60_000, '90 minutes'],
  ['retention.pending', '36h', (c) => c.retention.PENDING, 36 * H, '36'],
  ['retention.confirmed', '14d', (c) => c.retention.CONFIRMED, 14 * D, '2mo'],
  ['retention.cleanable', '2w', (c) => c.retention.CLEANABLE, 14 * D, '-1d'],
  ['retention.archived', '400d', (c) => c.retention.ARCHIVED, 400 * D, '1y'],
  ['keep.last', '12', (c) => c.keep.last, 12, '-1'],
  ['keep.daily', '0', (c) => c.keep.daily, 0, 'seven'],
  ['keep.weekly', '3', (c) => c.keep.weekly, 3, '2.5'],
  ['autoCleanupConfidence', '0.65', (c) => c.autoCleanupConfidence, 0.65, '1.5'],
  ['disk.warning', '70%', (c) => c.disk.warning, 70, '120'],
  ['disk.critical', '85', (c) => c.disk.critical, 85, 'high'],
  ['disk.emergency', '99.5%', (c) => c.disk.emergency, 99.5, '-3'],
  ['disk.quota', '500M', (c) => c.disk.quota, 500 * 1024 * 1024, '12X'],
  ['disk.strategy', 'Nuclear', (c) => c.disk.strategy, 'nuclear', 'reckless'],
  ['check.interval', '30m', (c) => c.check.interval, 30 * 60_000, 'hourly'],
  ['archiveDir', '../archive', (c) => c.archiveDir, join(dirname(repo.dir), 'archive'), 'inside-the-tree'],
  ['sensitive', '*.pem', (c) => c.sensitive, ['*.pem'], '[unclosed'],
  ['alert.command', 'logger -t backup', (c) => c.alertCommand, 'logger -t backup', null],
  ['hooks.preRebase', 'yes', (c) => c.hooks.preRebase, true, 'maybe'],
  ['remote', 'ssh://nas/srv/backups.git', (c) => c.remote.name, 'ssh://nas/srv/backups.git', 'two words'],
  ['copies', '1', (c) => c.copies, 1, 'one'],
  ['cloneId', 'laptop-work', (c) => c.cloneId, 'laptop-work', 'no/slashes'],
];

/** loadConfig's refusal, in this process: exit 3 naming the key (and the value). */
async function expectLoadRefused(key: string, value?: string): Promise<void> {
  try {
    await load();
  } catch (e) {
    expectInvalid({ code: (e as BackupError).exitCode, stdout: '', stderr: `${(e as Error).message}\n` }, key, value);
    return;
  }
  assert.unreachable(`a bad ${key} was accepted`);
}

/** Write a refused value by hand (config set would not), as a user editing .git/config does. */
function writeByHand(full: string, invalid: string | null): void {
  if (invalid !== null) repo.git(['config', full, invalid]);
  else appendFileSync(join(repo.dir, '.git', 'config'), '[backup "alert"]\n\tcommand\n');
}

for (const [key, valid, get, expected, invalid] of CASES) {
  const full = `backup.${key}`;
  // One CLI call per key (config set); loading is the same code for every key, so `config get`
  // and `status` on a bad value are run through the CLI for a few keys below, not for each.
  test(`${full}: a valid value is used; an invalid one is refused by config set (nothing written) and by loading (exit 3 naming it)`, async () => {
    repo.git(['config', full, valid]);
    assert.equal(get(await load()), expected);
    repo.git(['config', '--unset-all', full]);

    const before = configBytes();
    // `--` before the value, since some bad values start with "-".
    const set = repo.cli(['config', 'set', full, '--', invalid ?? '']);
    if (invalid !== null) {
      expectInvalid(set, full, invalid);
      assert.is(configBytes(), before, 'config set wrote nothing');
    } else {
      assert.is(set.code, 0, 'an empty alert command means none');
      repo.git(['config', '--unset-all', full]);
    }
    writeByHand(full, invalid);
    try {
      await expectLoadRefused(full, invalid ?? undefined);
    } finally {
      repo.git(['config', '--unset-all', full]);
    }
  });
}

for (const [key, , , , invalid] of CASES.filter(([k]) => ['retention.pending', 'disk.strategy', 'alert.command'].includes(k))) {
  const full = `backup.${key}`;
  test(`${full} written bad by hand: config get and status exit 3 with one line naming it`, () => {
    writeByHand(full, invalid);
    try {
      expectInvalid(repo.cli(['config', 'get', key]), full, invalid ?? undefined);
      expectInvalid(repo.cli(['status']), full, invalid ?? undefined);
    } finally {
      repo.git(['config', '--unset-all', full]);
    }
  });
}

test.run();
