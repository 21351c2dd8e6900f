// Shared by the issue-8 tests (truth-*.test.ts): one ARCHIVED and one live backup, and small asserts.
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { tempRepo, type TestRepo } from './repo.js';

export type Rec = { id: string; state: string; snapshot: string; created_at: string; history: { at: string; from: string | null; to: string }[] };

export const dbPath = (repo: TestRepo) => join(repo.dir, '.git', 'backup', 'db.json');

export function ok(repo: TestRepo, args: string[]): string {
  const r = repo.cli(args);
  assert.is(r.code, 0, `git backup ${args.join(' ')}: ${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** One ARCHIVED backup and one CREATED one. */
export function archivedAndLive(): { repo: TestRepo; archived: string; live: string } {
  const repo = tempRepo();
  repo.write('a.txt', 'archived work\n');
  const archived = repo.json<Rec>(['create', '--allow-empty', '-m', 'to archive']).id;
  ok(repo, ['transition', archived, 'CLEANABLE']);
  ok(repo, ['archive', archived]);
  repo.write('b.txt', 'live work\n');
  const live = repo.json<Rec>(['create', '--allow-empty', '-m', 'live']).id;
  return { repo, archived, live };
}
