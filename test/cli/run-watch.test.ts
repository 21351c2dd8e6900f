// `run --watch` end to end (issue 10): the real CLI around a real script that edits in bursts with
// pauses. A checkpoint per settled burst, holding the tree as that burst left it; none for a burst
// that touched only ignored files or changed no content; the run's labels on each; the after backup
// once the command ended. Once with inotify watches, once polling (the fallback when they run out).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tempRepo, type TestRepo } from '../helpers/repo.js';

interface Rec {
  id: string;
  snapshot: string;
  labels: string[];
  message: string;
}

// Three bursts; after each that changes content the script waits for its checkpoint's ref to
// appear, so a loaded machine slows the script down rather than merging bursts:
// 1. rewrites a tracked file: a checkpoint;
// 2. touches that file (no new content) and writes under the ignored build/: no checkpoint (1.3 s
//    for one to appear if it wrongly would: a burst settles after 0.4 s, 0.7 s when polling);
// 3. a new directory with a file in it: a checkpoint.
// Each burst's content lands in one rename from the ignored build/, so no checkpoint can see a
// burst half done however the script is scheduled. Reading refs touches only .git, which is not watched.
const SCRIPT = [
  'refs() { git for-each-ref refs/backups/ | wc -l; }',
  'settled() { i=0; while [ "$(refs)" -le "$1" ] && [ $i -lt 300 ]; do sleep 0.05; i=$((i+1)); done; }',
  'mkdir -p build; printf "base\\none\\none-more\\n" > build/a; n=$(refs); mv build/a a.txt; settled $n',
  'touch a.txt; echo junk > build/out.o; echo more >> build/out.o',
  'sleep 1.3',
  'mkdir -p build/sub; printf "c\\n" > build/sub/c.txt; n=$(refs); mv build/sub sub; settled $n',
  'echo finished',
].join('\n');

function project(): TestRepo {
  const repo = tempRepo();
  repo.write('a.txt', 'base\n');
  repo.write('.gitignore', 'build/\n');
  repo.commitAll('base');
  repo.write('edit.sh', SCRIPT);
  return repo;
}

const show = (repo: TestRepo, snap: string, path: string) => repo.git(['show', `${snap}:${path}`]);
const has = (repo: TestRepo, snap: string, path: string) => repo.git(['ls-tree', '-r', '--name-only', `${snap}^3`]).split('\n').includes(path);

test('run --watch, watching and polling at once: a checkpoint per settled burst, none for ignored or unchanged', async () => {
  const repos = { watch: project(), poll: project() };
  // Both at once: the script's pauses are most of the time.
  const runs = await Promise.all(
    (['watch', 'poll'] as const).map((how) =>
      repos[how].cliAsync(['run', '--watch', '--label', 'task', '--', 'sh', 'edit.sh'], { env: how === 'poll' ? { GIT_BACKUP_WATCH: 'poll' } : {} }),
    ),
  );
  for (const [i, how] of (['watch', 'poll'] as const).entries()) {
    const repo = repos[how];
    const r = runs[i]!;
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stdout, 'finished\n', `${how}: the command's output alone`);
    assert.is(r.stderr, '', `${how}: nothing of ours off a terminal`);
    const all = repo.json<Rec[]>(['list', '--label', 'task']).reverse(); // oldest first
    const session = all[0]!.labels.find((l) => /^run:[0-9a-f]{8}$/.test(l))!;
    assert.ok(session, 'a session label');
    assert.equal(
      all.map((b) => b.message.replace(/:.*/, '')),
      ['before', 'checkpoint 1', 'checkpoint 2', 'after'],
      `${how}: before, one checkpoint per burst that changed content, after`,
    );
    for (const b of all) assert.ok(b.labels.includes(session) && b.labels.includes('task'), `${b.message}: the run's labels`);
    const [, c1, c2] = all as [Rec, Rec, Rec, Rec];
    assert.ok(c1.labels.includes('run:checkpoint') && !c1.labels.includes('undo-point'), 'a checkpoint, not an undo point');
    assert.is(show(repo, c1.snapshot, 'a.txt'), 'base\none\none-more', `${how}: checkpoint 1 holds the first burst, settled`);
    assert.not.ok(has(repo, c1.snapshot, 'sub/c.txt'));
    assert.is(show(repo, c2.snapshot, 'a.txt'), 'base\none\none-more', `${how}: checkpoint 2 the third burst`);
    assert.ok(has(repo, c2.snapshot, 'sub/c.txt'));
    assert.not.ok(has(repo, c2.snapshot, 'build/out.o'), 'ignored files stay out');
  }
});

test.run();
