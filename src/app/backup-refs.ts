// Git facts that verify and recover both check backups against.
import type { Context } from './context.js';
import { git } from '../git/exec.js';
import { existingObjects } from '../git/objects.js';
import { refValue } from '../git/ref-files.js';

/** refs/backups/<id> → the commit it points at. */
export async function backupRefs(ctx: Context): Promise<Map<string, string>> {
  const out = await git(['for-each-ref', '--format=%(refname:lstrip=2) %(objectname)', 'refs/backups/'], { cwd: ctx.repo.worktree });
  return new Map(out.stdout.split('\n').filter(Boolean).map((l) => l.split(' ') as [string, string]));
}

/**
 * refs/backups/<id> for these ids only. A few are read from the ref files (listing every backup's
 * ref took 1.4 s at 100,000); many, or a repository whose refs the files do not say (reftable),
 * are taken from the one listing.
 */
export async function backupRefsOf(ctx: Context, ids: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (ids.length <= 32) {
    let sure = true;
    for (const id of ids) {
      const value = await refValue(ctx.repo, `refs/backups/${id}`);
      if (value === undefined) {
        sure = false;
        break;
      }
      if (value !== null) out.set(id, value);
    }
    if (sure) return out;
    out.clear();
  }
  const all = await backupRefs(ctx);
  for (const id of ids) if (all.has(id)) out.set(id, all.get(id)!);
  return out;
}

/** Which of these snapshots still exist as commits. */
export async function existingCommits(ctx: Context, shas: string[]): Promise<Set<string>> {
  return new Set(await existingObjects(ctx.repo, shas, 'commit'));
}
