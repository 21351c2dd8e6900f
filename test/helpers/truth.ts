// Shared by the issue-8 tests (truth-*.test.ts): one ARCHIVED and one live backup, and small asserts.
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { fromTemplate, type TestRepo } from './repo.js';

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
