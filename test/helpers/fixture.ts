// Working trees with every kind of entry a backup must keep, and a byte-exact picture of a
// directory for comparing before/after.
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync, symlinkSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { isAbsolute } from 'node:path';
import { TEST_ENV, fromTemplate, type TestRepo } from './repo.js';

// Library calls run in this process: give them the same isolated HOME and identity as TestRepo.
Object.assign(process.env, TEST_ENV);

export type Entry = { kind: 'file'; sha256: string; exec: boolean } | { kind: 'link'; target: string };

/** Every file and symlink under dir (not .git, not empty dirs), keyed by relative path. */
export function treeState(dir: string, skip: (rel: string) => boolean = () => false): Map<string, Entry> {
  const out = new Map<string, Entry>();
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel))) {
      const r = rel ? `${rel}/${name}` : name;
      if (r === '.git' || skip(r)) continue;
      const st = lstatSync(join(dir, r));
      if (st.isSymbolicLink()) out.set(r, { kind: 'link', target: readlinkSync(join(dir, r)) });
      else if (st.isDirectory()) walk(r);
      else out.set(r, { kind: 'file', sha256: createHash('sha256').update(readFileSync(join(dir, r))).digest('hex'), exec: (st.mode & 0o100) !== 0 });
    }
  };
  walk('');
  return out;
}

export const sorted = (m: Map<string, Entry>) => JSON.stringify([...m].sort(([a], [b]) => (a < b ? -1 : 1)));

/** What of the user's must never change: index bytes, status, stash, refs, HEAD, reflog. */
export function userState(repo: TestRepo): string {
  let indexPath = repo.git(['rev-parse', '--git-path', 'index']);
  if (!isAbsolute(indexPath)) indexPath = join(repo.dir, indexPath);
  const index = existsSync(indexPath) ? createHash('sha256').update(readFileSync(indexPath)).digest('hex') : 'none';
  return JSON.stringify({
    index,
    // Without GIT_OPTIONAL_LOCKS=0 status itself would refresh and rewrite the index.
    status: repo.git(['status', '--porcelain=v2', '-z', '--branch', '--untracked-files=all', '--ignored'], { env: { GIT_OPTIONAL_LOCKS: '0' } }),
    stash: repo.git(['stash', 'list']),
    refs: repo.git(['for-each-ref']),
    head: repo.git(['symbolic-ref', '-q', 'HEAD']),
    reflog: repo.git(['reflog', 'show', '--all']),
    tree: sorted(treeState(repo.dir)),
  });
}

export const IGNORED = ['debug.log', 'build/out.bin'];

/**
 * A committed repository, then: a staged change overwritten again in the working tree, an unstaged
 * change, a deletion, a staged new file, an untracked file and two ignored files.
 */
export function richRepo(): TestRepo {
  return fromTemplate('rich', buildRich);
}

function buildRich(repo: TestRepo): void {
  repo.git(['init', '-q', '-b', 'main']);
  repo.write('README.md', '# test\n');
  repo.commitAll('initial');
  repo.write('.gitignore', '*.log\nbuild/\n');
  repo.write('a.txt', 'alpha\n');
  repo.write('bin/run.sh', '#!/bin/sh\necho run\n', 0o755);
  repo.write('dir/ünïcødé.txt', 'unicode\n');
  repo.write('dir/with space.txt', 'space\n');
  repo.write('-dash.txt', 'dash\n');
  repo.write('deep/x/y/z.txt', 'deep\n');
  symlinkSync('a.txt', join(repo.dir, 'link'));
  repo.commitAll('fixture');

  repo.write('a.txt', 'alpha staged\n');
  repo.git(['add', 'a.txt']);
  repo.write('a.txt', 'alpha staged then edited\n');
  repo.write('deep/x/y/z.txt', 'deep edited\n');
  rmSync(join(repo.dir, 'dir/with space.txt'));
  repo.write('new staged.txt', 'new\n');
  repo.git(['add', '--', 'new staged.txt']);
  repo.write('untracked file.txt', 'untracked\n');
  repo.write('-untracked-dash', 'dash untracked\n');
  repo.write('debug.log', 'ignored log\n');
  repo.write('build/out.bin', Buffer.from([0, 1, 2, 255, 10, 13, 0]));
}

/** Change the tree after a snapshot: edits, deletions, additions, a retargeted link. */
export function mutate(repo: TestRepo): void {
  repo.write('a.txt', 'clobbered\n');
  rmSync(join(repo.dir, 'bin/run.sh'));
  repo.write('deep/x/y/z.txt', 'clobbered deep\n');
  rmSync(join(repo.dir, 'untracked file.txt'));
  rmSync(join(repo.dir, 'debug.log'));
  rmSync(join(repo.dir, 'link'));
  symlinkSync('elsewhere', join(repo.dir, 'link'));
  repo.write('dir/ünïcødé.txt', 'changed unicode\n', 0o755);
  repo.write('brand new.txt', 'new after snapshot\n');
}
