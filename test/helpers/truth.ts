// Shared by the issue-8 tests (truth-*.test.ts): one ARCHIVED and one live backup, and small asserts.
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { fromTemplate, tempRepo, type TestRepo } from './repo.js';

export type Rec = { id: string; state: string; snapshot: string; created_at: string; history: { at: string; from: string | null; to: string }[] };

export const dbPath = (repo: TestRepo) => join(repo.dir, '.git', 'backup', 'db.json');

export function ok(repo: TestRepo, args: string[]): string {
  const r = repo.cli(args);
  assert.is(r.code, 0, `git backup ${args.join(' ')}: ${r.stdout}${r.stderr}`);
  return r.stdout;
}

/**
 * One ARCHIVED backup and one CREATED one. The first is created and made CLEANABLE by the CLI once
 * per process and copied (fromTemplate: the copy's store is the template's, as in a moved
 * repository); the archive (its path is absolute) and the second backup are made in the copy.
 */
let toArchive: string | undefined;
export function archivedAndLive(): { repo: TestRepo; archived: string; live: string } {
  const repo = fromTemplate('truth-cleanable', (t) => {
    t.git(['init', '-q', '-b', 'main']);
    t.write('README.md', '# test\n');
    t.commitAll('initial');
    t.write('a.txt', 'archived work\n');
    toArchive = t.json<Rec>(['create', '--allow-empty', '-m', 'to archive']).id;
    ok(t, ['transition', toArchive, 'CLEANABLE']);
  }, { withStore: true });
  const archived = toArchive!;
  ok(repo, ['archive', archived]);
  repo.write('b.txt', 'live work\n');
  const live = repo.json<Rec>(['create', '--allow-empty', '-m', 'live']).id;
  return { repo, archived, live };
}

/** Where recover keeps the text it takes out of our notes. */
export const removedFile = (repo: TestRepo) => join(repo.dir, '.git', 'backup', 'removed-note-lines');
/** Our note on `object`, as `git notes show` prints it. */
export const note = (repo: TestRepo, object: string) => repo.git(['notes', '--ref=backups', 'show', object]);

/** One backup on a change of a.txt: its id and snapshot. */
export function oneBackup(message: string): { repo: TestRepo; id: string; snap: string } {
  const repo = tempRepo();
  repo.write('a.txt', `${message}\n`);
  const id = repo.json<Rec>(['create', '-m', message]).id;
  return { repo, id, snap: repo.git(['rev-parse', `refs/backups/${id}`]) };
}
