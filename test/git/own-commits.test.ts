// Our commits written without `git commit-tree` (src/git/loose-object.ts, src/core/own-commits.ts):
// the same object, byte for byte, that git writes for the same inputs; a loose object git reads and
// fsck accepts; and the identity the CLI picks is the one git would.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, statSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { tempRepo, TEST_ENV } from '../helpers/repo.js';
import { findRepo } from '../../src/git/exec.js';
import { freshLooseObject, writeCommitObject } from '../../src/git/loose-object.js';
import { commitText } from '../../src/core/own-commits.js';
import { readView } from '../../src/config/load.js';

const WHEN = '1767225600 +0000';

test('byte for byte what commit-tree writes: parents, identities, messages', async () => {
  const repo = tempRepo();
  const paths = await findRepo(repo.dir);
  const tree = repo.git(['rev-parse', 'HEAD^{tree}']);
  const head = repo.git(['rev-parse', 'HEAD']);
  const cases = [
    { parents: [], author: { name: 'Ann Author', email: 'ann@example.com' }, committer: { name: 'Ann Author', email: 'ann@example.com' }, message: 'one line\n' },
    { parents: [head], author: { name: 'Zoë Ñandú 山田', email: 'zoe+tag@example.org' }, committer: { name: 'Bot', email: 'bot@ci' }, message: 'On main: x\n\nbody\n\nBackup-Created: 2026-01-01T00:00:00.000Z\n' },
    { parents: [head, head, head], author: { name: 'A', email: 'a@b' }, committer: { name: 'C', email: 'c@d' }, message: 'no final newline' },
  ];
  for (const c of cases) {
    const ours = await writeCommitObject(paths, commitText({ tree, ...c, when: WHEN }));
    const env = { GIT_AUTHOR_NAME: c.author.name, GIT_AUTHOR_EMAIL: c.author.email, GIT_COMMITTER_NAME: c.committer.name, GIT_COMMITTER_EMAIL: c.committer.email, GIT_AUTHOR_DATE: WHEN, GIT_COMMITTER_DATE: WHEN };
    const gits = repo.git(['commit-tree', '--no-gpg-sign', tree, ...c.parents.flatMap((p) => ['-p', p]), '-F', '-'], { env, input: c.message });
    assert.is(ours, gits, c.author.name);
    assert.is(await writeCommitObject(paths, commitText({ tree, ...c, when: WHEN })), ours, 'written again: the same id, the object left as it was');
  }
});

test('a loose object git reads and fsck accepts, read-only, no temporary file left', async () => {
  const repo = tempRepo();
  const paths = await findRepo(repo.dir);
  const tree = repo.git(['rev-parse', 'HEAD^{tree}']);
  const id = await writeCommitObject(paths, commitText({ tree, parents: [repo.git(['rev-parse', 'HEAD'])], author: { name: 'A', email: 'a@b' }, committer: { name: 'A', email: 'a@b' }, when: WHEN, message: 'x\n' }));
  assert.is(repo.git(['cat-file', '-t', id]), 'commit');
  repo.git(['fsck', '--strict', '--no-dangling']);
  const dir = join(repo.dir, '.git', 'objects', id.slice(0, 2));
  assert.is(statSync(join(dir, id.slice(2))).mode & 0o777, 0o444);
  assert.equal(readdirSync(dir).filter((n) => n.startsWith('tmp_obj_')), []);
});

test('a loose object of some size is recognised by its type (its header comes after the Huffman tables)', async () => {
  const repo = tempRepo();
  for (let i = 0; i < 300; i++) repo.write(`dir/file-${i}.txt`, `line ${i}\n`.repeat(50));
  repo.write('random.bin', randomBytes(100_000));
  repo.commitAll('many');
  const paths = await findRepo(repo.dir);
  const tree = repo.git(['rev-parse', 'HEAD:dir']);
  const text = repo.git(['rev-parse', 'HEAD:dir/file-7.txt']);
  const random = repo.git(['rev-parse', 'HEAD:random.bin']);
  assert.ok(await freshLooseObject(paths, tree, 'tree'), 'a tree of 300 entries');
  assert.ok(await freshLooseObject(paths, text, 'blob'), 'compressible text');
  assert.ok(await freshLooseObject(paths, random, 'blob'), 'incompressible bytes (stored blocks)');
  assert.not.ok(await freshLooseObject(paths, tree, 'blob'), 'the wrong type');
  assert.not.ok(await freshLooseObject(paths, '0'.repeat(40), 'tree'), 'no such object');
});

test('the identity read from the configuration is the one git puts in its commits', async () => {
  const repo = tempRepo();
  const paths = await findRepo(repo.dir);
  repo.git(['config', 'user.name', 'Config Name']);
  repo.git(['config', 'user.email', 'config@example.com']);
  repo.git(['config', 'committer.name', 'Committer Key']);
  const env = { ...TEST_ENV };
  for (const k of ['GIT_AUTHOR_NAME', 'GIT_AUTHOR_EMAIL', 'GIT_COMMITTER_NAME', 'GIT_COMMITTER_EMAIL']) delete env[k];
  const saved = { ...process.env };
  try {
    for (const k of Object.keys(process.env)) delete process.env[k];
    Object.assign(process.env, env, { GIT_AUTHOR_NAME: 'Env Author' });
    const view = await readView(paths, null);
    assert.equal(view.ownCommits, { author: { name: 'Env Author', email: 'config@example.com' }, committer: { name: 'Committer Key', email: 'config@example.com' } });
    const tree = repo.git(['rev-parse', 'HEAD^{tree}']);
    const ours = await writeCommitObject(paths, commitText({ tree, parents: [], ...view.ownCommits!, when: WHEN, message: 'm\n' }));
    // Not repo.git(): that puts the suite's identity variables back.
    const gits = execFileSync('git', ['commit-tree', tree, '-m', 'm'], { cwd: repo.dir, encoding: 'utf8', env: { ...env, GIT_AUTHOR_NAME: 'Env Author', GIT_AUTHOR_DATE: WHEN, GIT_COMMITTER_DATE: WHEN } }).trim();
    assert.is(ours, gits);
  } finally {
    for (const k of Object.keys(process.env)) delete process.env[k];
    Object.assign(process.env, saved);
  }
});

test('a backup made by the CLI: its three commits carry the identity git would have used', () => {
  const repo = tempRepo();
  repo.write('README.md', 'changed\n');
  repo.write('new.txt', 'untracked\n');
  const made = repo.json<{ id: string }>(['create', '-m', 'm']);
  const commits = repo.git(['rev-list', '--format=%an <%ae>|%cn <%ce>', '--no-walk', `refs/backups/${made.id}`, `refs/backups/${made.id}^2`, `refs/backups/${made.id}^3`]).split('\n').filter((l) => !l.startsWith('commit '));
  assert.equal(commits, Array(3).fill('Test Author <author@example.com>|Test Committer <committer@example.com>'));
  repo.git(['fsck', '--strict', '--no-dangling']);
});

test('user.useConfigOnly with an address only in EMAIL: git refuses it, and the backup takes the fallback identity as before', () => {
  const repo = tempRepo();
  repo.git(['config', 'user.name', 'Config Name']);
  repo.git(['config', 'user.useConfigOnly', 'true']);
  repo.write('README.md', 'changed\n');
  const env = { GIT_AUTHOR_EMAIL: undefined, GIT_COMMITTER_EMAIL: undefined, GIT_AUTHOR_NAME: undefined, GIT_COMMITTER_NAME: undefined, EMAIL: 'env@example.com' };
  const refused = spawnSync('git', ['commit-tree', repo.git(['rev-parse', 'HEAD^{tree}']), '-m', 'm'], { cwd: repo.dir, env: { ...TEST_ENV, ...env }, encoding: 'utf8' });
  assert.is(refused.status, 128, 'git itself refuses this identity');
  const made = repo.json<{ id: string }>(['create', '-m', 'm'], { env });
  assert.is(repo.git(['log', '-1', '--format=%an <%ae>|%cn <%ce>', `refs/backups/${made.id}`]), 'git-backup <git-backup@localhost>|git-backup <git-backup@localhost>');
});

test('a name or message git re-encodes (a noncharacter), or refuses (a NUL): git writes it, not us', () => {
  const repo = tempRepo();
  // git's UTF-8 check reads U+FFFF and U+FDD0 as Latin-1 bytes and re-encodes them: the commit that
  // git writes is the one a backup must be, and an agent's tool name with a NUL makes no commit fsck refuses.
  repo.write('README.md', 'changed\n');
  const made = repo.json<{ id: string }>(['create', '-m', 'odd \uFFFF \uFDD0 message'], { env: { GIT_AUTHOR_NAME: 'Ann \uFFFF' } });
  const snapshot = repo.git(['rev-parse', `refs/backups/${made.id}`]);
  for (const c of [snapshot, repo.git(['rev-parse', `${snapshot}^2`])]) {
    const raw = execFileSync('git', ['cat-file', 'commit', c], { cwd: repo.dir });
    const [head, ...body] = raw.toString('latin1').split('\n\n');
    const date = /^committer .* (\d+ [+-]\d{4})$/m.exec(head!)![1]!;
    const parents = [...head!.matchAll(/^parent (\S+)$/gm)].map((m) => m[1]!);
    const gits = execFileSync('git', ['commit-tree', '--no-gpg-sign', repo.git(['rev-parse', `${c}^{tree}`]), ...parents.flatMap((p) => ['-p', p]), '-F', '-'], {
      cwd: repo.dir,
      env: { ...TEST_ENV, GIT_AUTHOR_NAME: 'Ann \uFFFF', GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
      input: Buffer.from(body.join('\n\n'), 'latin1'),
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'], // git warns that the message is not UTF-8: that is the point
    }).trim();
    assert.is(c, gits, 'the commit git writes');
  }
  repo.write('README.md', 'changed again\n');
  const hook = repo.cli(['hook', 'agent', 'claude-code'], { input: JSON.stringify({ hook_event_name: 'PreToolUse', tool_name: 'Ed\u0000it', cwd: repo.dir }) });
  assert.is(hook.code, 0);
  repo.git(['fsck', '--strict', '--no-dangling']); // every object, reachable or not
  const checkpoints = repo.json<{ message: string }[]>(['list']).filter((b) => /checkpoint/.test(b.message));
  assert.equal(checkpoints.map((b) => b.message), ['checkpoint before Edit (claude-code)'], 'the control character dropped, the checkpoint taken');
});

test.run();
