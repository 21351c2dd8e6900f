// The lock with real processes: stale takeover (hand-made and SIGKILLed holder), timeout, compromise.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { scratchDir } from '../helpers/repo.js';
import { openStore } from '../../src/store/store.js';
import { withLock, staleMs, lockTimeoutMs } from '../../src/store/lock.js';
import { BackupError, ExitCode } from '../../src/errors.js';
import { makeRecord } from './fixtures/records.js';
import { captureStderr, runFixture, waitFor } from './fixtures/util.js';

const STALE = 2000;

function withEnv<T>(env: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  return fn().finally(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
}

test('stale time and timeout come from the environment, clamped to at least 2 s', async () => {
  await withEnv({ GIT_BACKUP_LOCK_STALE_MS: '500', GIT_BACKUP_LOCK_TIMEOUT_MS: '' }, async () => {
    assert.is(staleMs(), 2000);
    assert.is(lockTimeoutMs(), 15000);
  });
  await withEnv({ GIT_BACKUP_LOCK_STALE_MS: '20000', GIT_BACKUP_LOCK_TIMEOUT_MS: '1500' }, async () => {
    assert.is(staleMs(), 20000);
    assert.is(lockTimeoutMs(), 1500);
  });
  await withEnv({ GIT_BACKUP_LOCK_STALE_MS: '', GIT_BACKUP_LOCK_TIMEOUT_MS: '' }, async () => {
    assert.is(staleMs(), 10000);
    assert.ok(lockTimeoutMs() > staleMs(), 'waiting outlasts the stale time');
  });
});

/** A lock held by a process of another host: it cannot be asked, so it is judged by its age alone. */
function otherHostLock(dir: string): void {
  mkdirSync(dir);
  writeFileSync(join(dir, 'owner'), `cafe 999999 another-host.example\n`);
}

test('a lock left by a dead process (old mtime) is taken over, with one line', async () => {
  const store = await openStore(scratchDir());
  otherHostLock(store.paths.lock);
  const old = new Date(Date.now() - 60_000);
  utimesSync(store.paths.lock, old, old);
  const { error, stderr } = await captureStderr(() => store.update((d) => void d.backups.push(makeRecord('a'))));
  assert.is(error, undefined);
  assert.is(stderr.split('\n').filter(Boolean).length, 1);
  assert.match(stderr, /taking over a stale lock left by a dead process \(.*db\.json\.lock, untouched for 60s\)/);
  assert.is((await store.read()).generation, 1);
  assert.not.ok(existsSync(store.paths.lock));
});

test('a fresh lock of another host is waited for until it goes stale, then taken over', async () => {
  await withEnv({ GIT_BACKUP_LOCK_STALE_MS: String(STALE), GIT_BACKUP_LOCK_TIMEOUT_MS: '' }, async () => {
    const store = await openStore(scratchDir());
    otherHostLock(store.paths.lock);
    const started = Date.now();
    const { error, stderr } = await captureStderr(() => store.update((d) => void d.backups.push(makeRecord('a'))));
    assert.is(error, undefined);
    assert.ok(Date.now() - started >= STALE - 100, 'waited for the stale time');
    assert.match(stderr, /taking over a stale lock/);
  });
});

test('a lock of another host with an mtime in the future (clock skew) is no evidence of life: taken over once unchanged for the stale time', async () => {
  await withEnv({ GIT_BACKUP_LOCK_STALE_MS: String(STALE), GIT_BACKUP_LOCK_TIMEOUT_MS: String(4 * STALE) }, async () => {
    const store = await openStore(scratchDir());
    otherHostLock(store.paths.lock);
    const ahead = new Date(Date.now() + 3_600_000);
    utimesSync(store.paths.lock, ahead, ahead);
    const started = Date.now();
    const { error, stderr } = await captureStderr(() => store.update((d) => void d.backups.push(makeRecord('a'))));
    assert.is(error, undefined, 'not a timeout until the clock catches up');
    assert.ok(Date.now() - started >= STALE - 100, 'waited for the stale time, as for any lock of another host');
    assert.match(stderr, /taking over a stale lock .*untouched for 2s/);
    assert.is((await store.read()).generation, 1);
  });
});

test('a lock directory without owner (a release killed halfway) is replaced at once, and a claim killed halfway leaves nothing in the way', async () => {
  await withEnv({ GIT_BACKUP_LOCK_STALE_MS: String(STALE), GIT_BACKUP_LOCK_TIMEOUT_MS: '' }, async () => {
    const store = await openStore(scratchDir());
    mkdirSync(store.paths.lock);
    // What a claimant killed before its rename leaves: its directory beside the lock, owner and all.
    const claimed = `${store.paths.lock}.new-0123456789abcdef`;
    mkdirSync(claimed);
    writeFileSync(join(claimed, 'owner'), `0123456789abcdef 999999 ${hostname()}\n`);
    const old = new Date(Date.now() - 60_000);
    utimesSync(claimed, old, old);
    const started = Date.now();
    const { error, stderr } = await captureStderr(() => store.update((d) => void d.backups.push(makeRecord('a'))));
    assert.is(error, undefined);
    assert.ok(Date.now() - started < STALE / 2, `not waited for (${Date.now() - started} ms)`);
    assert.is(stderr, '');
    assert.is((await store.read()).generation, 1);
    assert.not.ok(existsSync(store.paths.lock), 'released');
    assert.not.ok(existsSync(claimed), 'the killed claim is removed with the leftovers');
  });
});

test('a regular file where the lock goes is judged by its age like any lock, and taken over when stale', async () => {
  const store = await openStore(scratchDir());
  writeFileSync(store.paths.lock, 'not a lock\n');
  const old = new Date(Date.now() - 3_600_000);
  utimesSync(store.paths.lock, old, old);
  const { error, stderr } = await captureStderr(() => store.update((d) => void d.backups.push(makeRecord('a'))));
  assert.is(error, undefined);
  assert.match(stderr, /taking over a stale lock .*untouched for 3600s/);
  assert.is((await store.read()).generation, 1);
});

test('a holder killed with SIGKILL: another process takes its lock over at once', async () => {
  const common = scratchDir();
  const store = await openStore(common);
  const env = { GIT_BACKUP_LOCK_STALE_MS: String(STALE), GIT_BACKUP_LOCK_TIMEOUT_MS: '' };
  const holder = runFixture('holder', [common], env);
  await waitFor(holder.child, 'locked');
  assert.ok(existsSync(store.paths.lock));
  holder.child.kill('SIGKILL');
  const h = await holder.done;
  assert.is(h.signal, 'SIGKILL');
  assert.ok(existsSync(store.paths.lock), 'the dead holder left its lock');
  const started = Date.now();
  const writer = await runFixture('writer', [common, 'after-kill', '1'], env).done;
  assert.is(writer.code, 0, writer.stderr);
  assert.is(writer.stderr.split('\n').filter(Boolean).length, 1);
  assert.match(writer.stderr, /taking over a stale lock left by a dead process/);
  assert.ok(Date.now() - started < STALE, 'no wait for the stale time');
  assert.equal((await store.read()).backups.map((b) => b.id), ['after-kill-0']);
});

test('a lock held by a live process: update fails with exit 5 after the timeout', async () => {
  const common = scratchDir();
  const store = await openStore(common);
  await store.update((d) => void d.backups.push(makeRecord('a')));
  const holder = runFixture('holder', [common], { GIT_BACKUP_LOCK_STALE_MS: String(STALE) });
  await waitFor(holder.child, 'locked');
  try {
    // Longer than the stale time: the live holder keeps refreshing its lock, so it never goes stale.
    await withEnv({ GIT_BACKUP_LOCK_STALE_MS: String(STALE), GIT_BACKUP_LOCK_TIMEOUT_MS: '3000' }, async () => {
      const started = Date.now();
      const { error, stderr } = await captureStderr(() => store.update((d) => void d.backups.push(makeRecord('b'))));
      assert.instance(error, BackupError);
      assert.is((error as BackupError).exitCode, ExitCode.LOCK_TIMEOUT);
      assert.match(
        (error as Error).message,
        /^could not lock the backup store at .*db\.json\.lock within 3s: another git backup is running; retry$/,
      );
      assert.ok(Date.now() - started >= 2900);
      assert.is(stderr, '');
    });
    await withEnv({ GIT_BACKUP_LOCK_TIMEOUT_MS: '1500' }, async () => {
      const { error } = await captureStderr(() => store.update(() => undefined));
      assert.is((error as BackupError).exitCode, ExitCode.LOCK_TIMEOUT);
      assert.match((error as Error).message, /within 1\.5s/);
    });
  } finally {
    holder.child.stdin!.end();
  }
  const h = await holder.done;
  assert.is(h.code, 0, h.stderr);
  assert.not.ok(existsSync(store.paths.lock), 'the holder released on exit');
  assert.is((await store.read()).generation, 1, 'nothing written by the timed-out updates');
});

test('a holder whose lock was replaced writes nothing, waits for the lock again, and then writes', async () => {
  await withEnv({ GIT_BACKUP_LOCK_STALE_MS: String(STALE), GIT_BACKUP_LOCK_TIMEOUT_MS: '' }, async () => {
    const store = await openStore(scratchDir());
    await store.update((d) => void d.backups.push(makeRecord('a')));
    let calls = 0;
    let foreignGone = false;
    const { error } = await captureStderr(() =>
      store.update(async (d) => {
        calls++;
        d.backups.push(makeRecord('b'));
        if (calls > 1) return;
        // Another process takes our lock over (as a racing stale takeover would) and holds it a while.
        renameSync(store.paths.lock, `${store.paths.lock}.gone`);
        rmSync(`${store.paths.lock}.gone`, { recursive: true });
        mkdirSync(store.paths.lock);
        writeFileSync(join(store.paths.lock, 'owner'), `someoneelse ${process.pid} ${hostname()}\n`);
        setTimeout(() => {
          // That process writes nothing and lets go.
          rmSync(store.paths.lock, { recursive: true });
          foreignGone = true;
        }, 300);
      }),
    );
    assert.is(error, undefined);
    assert.ok(foreignGone, 'the second run waited for the other holder');
    assert.is(calls, 2, 'fn ran again on the store read under the lock it then held');
    const data = await store.read();
    assert.is(data.generation, 2);
    assert.equal(data.backups.map((b) => b.id), ['a', 'b']);
  });
});

test('a holder that keeps losing its lock gives up with exit 5, writing nothing and leaving the lock alone', async () => {
  await withEnv({ GIT_BACKUP_LOCK_STALE_MS: String(STALE), GIT_BACKUP_LOCK_TIMEOUT_MS: '' }, async () => {
    const store = await openStore(scratchDir());
    await store.update((d) => void d.backups.push(makeRecord('a')));
    const { error } = await captureStderr(() =>
      store.update(async (d) => {
        d.backups.push(makeRecord('b'));
        // Someone else's token in our owner file: the lock is no longer ours.
        writeFileSync(join(store.paths.lock, 'owner'), `someoneelse ${process.pid} ${hostname()}\n`);
        setTimeout(() => rmSync(store.paths.lock, { recursive: true, force: true }), 100);
      }),
    );
    assert.instance(error, BackupError);
    assert.is((error as BackupError).exitCode, ExitCode.LOCK_TIMEOUT);
    assert.match((error as Error).message, /lost the lock .* nothing was written; retry/);
    const data = await store.read();
    assert.is(data.generation, 1);
    assert.equal(data.backups.map((b) => b.id), ['a']);
  });
});

test('a refresh that finds another owner marks the lock lost', async () => {
  await withEnv({ GIT_BACKUP_LOCK_STALE_MS: String(STALE) }, async () => {
    const dir = scratchDir();
    const lock = `${dir}/thing.lock`;
    const seen = await withLock(`${dir}/thing`, async (signal) => {
      writeFileSync(join(lock, 'owner'), `someoneelse 1 ${hostname()}\n`);
      await new Promise((r) => setTimeout(r, STALE / 3 + 300));
      return signal.compromised;
    });
    assert.ok(seen, 'the refresh timer noticed');
    assert.ok(existsSync(lock), 'the lock that is no longer ours was not removed');
  });
});

test('a lock whose owner is a process of this host that is gone is taken over at once', async () => {
  const store = await openStore(scratchDir());
  mkdirSync(store.paths.lock);
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  writeFileSync(join(store.paths.lock, 'owner'), `deadbeef ${dead.stdout} ${hostname()}\n`);
  const started = Date.now();
  const { error, stderr } = await captureStderr(() => store.update((d) => void d.backups.push(makeRecord('a'))));
  assert.is(error, undefined);
  assert.ok(Date.now() - started < 2000, 'no wait for the stale time');
  assert.match(stderr, new RegExp(`taking over a stale lock left by a dead process \\(.*db\\.json\\.lock, its process ${dead.stdout} is gone\\)`));
  assert.is((await store.read()).generation, 1);
});

test('a fresh lock of another host is not judged by pid: it is waited for', async () => {
  await withEnv({ GIT_BACKUP_LOCK_STALE_MS: String(STALE), GIT_BACKUP_LOCK_TIMEOUT_MS: '600' }, async () => {
    const store = await openStore(scratchDir());
    mkdirSync(store.paths.lock);
    writeFileSync(join(store.paths.lock, 'owner'), `cafe 999999 another-host.example\n`);
    const { error } = await captureStderr(() => store.update((d) => void d.backups.push(makeRecord('a'))));
    assert.is((error as BackupError).exitCode, ExitCode.LOCK_TIMEOUT);
    assert.ok(existsSync(join(store.paths.lock, 'owner')));
  });
});

test('a stale lock left aside by a takeover killed halfway is removed by the next update', async () => {
  const store = await openStore(scratchDir());
  const aside = `${store.paths.lock}.stale-0123456789abcdef`;
  mkdirSync(aside);
  writeFileSync(join(aside, 'owner'), `0123456789abcdef 1 ${hostname()}\n`);
  const old = new Date(Date.now() - 60_000);
  utimesSync(aside, old, old);
  await store.update((d) => void d.backups.push(makeRecord('a')));
  assert.not.ok(existsSync(aside));
});

test('withLock returns the value of fn and releases on throw', async () => {
  const dir = scratchDir();
  const target = `${dir}/thing`;
  assert.is(await withLock(target, async (s) => (s.compromised ? 'no' : 'yes')), 'yes');
  assert.not.ok(existsSync(`${target}.lock`));
  try {
    await withLock(target, async () => {
      throw new Error('inner');
    });
  } catch (e) {
    assert.is((e as Error).message, 'inner');
  }
  assert.not.ok(existsSync(`${target}.lock`));
});

test.run();
