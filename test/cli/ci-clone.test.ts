// `git backup ci` in a fresh clone, the way a pipeline runs it (issue 7): the notes lag behind a
// merge made elsewhere, and ci judges PENDING work from the clone's own history.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { scratchDir, TestRepo } from '../helpers/repo.js';
import { install, withShim } from '../helpers/hooks.js';

const DAY = 86_400_000;

test('fresh CI clone: merged work whose notes still say PENDING passes --max-age; unmerged work fails it', () => {
  const root = scratchDir('gb-ci-');
  const env = withShim();
  const at = (cwd: string) => new TestRepo(cwd);
  at(root).git(['init', '-q', '--bare', '-b', 'main', 'origin.git'], { env });
  at(root).git(['clone', '-q', join(root, 'origin.git'), 'dev'], { env });
  const dev = at(join(root, 'dev'));
  dev.write('README', 'hello\n');
  dev.commitAll('initial');
  dev.git(['push', '-q', 'origin', 'main'], { env });
  install(dev);
  const git = (args: string[]) => dev.git(args, { env });

  // Two backups on two feature branches, both committed (PENDING), notes shared with sync.
  const ids: string[] = [];
  for (const name of ['merged', 'open']) {
    git(['checkout', '-q', '-b', name, 'main']);
    dev.write(`${name}.txt`, `${name} work\n`);
    ids.push(dev.json<{ id: string }>(['create', '--allow-empty'], { env }).id);
    git(['add', `${name}.txt`]);
    git(['commit', '-q', '-m', name]);
    git(['push', '-q', 'origin', name]);
  }
  const sync = dev.cli(['sync'], { env });
  assert.is(sync.code, 0, sync.stderr);

  // The merge happens on the server side (another clone), and dev never reconciles again.
  at(root).git(['clone', '-q', join(root, 'origin.git'), 'server'], { env });
  const server = at(join(root, 'server'));
  server.git(['merge', '-q', '--no-ff', '-m', 'merge', 'origin/merged'], { env });
  server.git(['push', '-q', 'origin', 'main'], { env });

  // The pipeline: a fresh clone, the notes fetched, ci with a limit the backups exceed.
  at(root).git(['clone', '-q', join(root, 'origin.git'), 'ci'], { env });
  const ci = at(join(root, 'ci'));
  ci.git(['fetch', '-q', 'origin', 'refs/notes/backups:refs/notes/backups'], { env });
  const later = { GIT_BACKUP_NOW: new Date(Date.now() + 20 * DAY).toISOString() };
  const r = ci.cli(['ci', '--max-age', 'PENDING=14d', '--json'], { env: withShim(later) });
  assert.is(r.code, 8, r.stderr);
  const report = JSON.parse(r.stdout) as { states: Record<string, number>; problems: { id: string; check: string }[]; merged_here: string[] };
  assert.equal(report.states, { PENDING: 2 });
  assert.equal(report.merged_here, [ids[0]]);
  assert.equal(report.problems.map((p) => [p.id, p.check]), [[ids[1], 'max-age']]);

  // Once the open branch is merged too, the same pipeline passes.
  server.git(['fetch', '-q', 'origin'], { env });
  server.git(['merge', '-q', '--no-ff', '-m', 'merge open', 'origin/open'], { env });
  server.git(['push', '-q', 'origin', 'main'], { env });
  ci.git(['pull', '-q', '--ff-only'], { env });
  const ok = ci.cli(['ci', '--max-age', 'PENDING=14d'], { env: withShim(later) });
  assert.is(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /in this clone's integration branch/);
});

test.run();
