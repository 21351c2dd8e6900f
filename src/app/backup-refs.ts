// Git facts that verify and recover both check backups against.
import type { Context } from './context.js';
import { git } from '../git/exec.js';
import { existingObjects } from '../git/objects.js';

/** refs/backups/<id> → the commit it points at. */
export async function backupRefs(ctx: Context): Promise<Map<string, string>> {
  const out = await git(['for-each-ref', '--format=%(refname:lstrip=2) %(objectname)', 'refs/backups/'], { cwd: ctx.repo.worktree });
  return new Map(out.stdout.split('\n').filter(Boolean).map((l) => l.split(' ') as [string, string]));
}

/** Which of these snapshots still exist as commits. */
export async function existingCommits(ctx: Context, shas: string[]): Promise<Set<string>> {
  return new Set(await existingObjects(ctx.repo, shas, 'commit'));
}
