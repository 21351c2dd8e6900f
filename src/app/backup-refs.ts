// Git facts that verify and recover both check backups against.
import type { Context } from './context.js';
import { git } from '../git/exec.js';

/** refs/backups/<id> → the commit it points at. */
export async function backupRefs(ctx: Context): Promise<Map<string, string>> {
  const out = await git(['for-each-ref', '--format=%(refname:lstrip=2) %(objectname)', 'refs/backups/'], { cwd: ctx.repo.worktree });
  return new Map(out.stdout.split('\n').filter(Boolean).map((l) => l.split(' ') as [string, string]));
}

/** Which of these snapshots still exist as commits (one cat-file for all; none when there are none). */
export async function existingCommits(ctx: Context, shas: string[]): Promise<Set<string>> {
  const commits = new Set<string>();
  if (shas.length === 0) return commits;
  const out = await git(['cat-file', '--batch-check=%(objectname) %(objecttype)'], { cwd: ctx.repo.worktree, input: shas.join('\n') + '\n' });
  for (const l of out.stdout.split('\n')) if (l.endsWith(' commit')) commits.add(l.split(' ')[0]!);
  return commits;
}
