// Who this clone is, as other clones see its backups (docs/remote.md): backup.cloneId, else a name
// made once, `<host>-<4 hex>`, kept in <store>/clone-id (so a copy of the repository, a template,
// keeps it). And the form a working tree is recorded in: relative to the top of the main working
// tree (`.` for it), so notes pushed or synced never carry an absolute path.
import { openSync, readFileSync, writeSync, closeSync } from 'node:fs';
import { hostname } from 'node:os';
import { nodeCrypto } from '../builtins.js';
import { join, relative } from 'node:path';
import type { Context } from './context.js';
import type { RepoPaths } from '../git/exec.js';
import { mainTop } from '../config/load.js';

const cache = new WeakMap<Context, string>();

export async function cloneIdOf(ctx: Context): Promise<string> {
  const known = cache.get(ctx);
  if (known) return known;
  // An invalid backup.* value elsewhere must not stop a create (the commands that read the
  // configuration report it): the stored id then.
  const configured = await ctx.config().then((c) => c.cloneId, () => null);
  const id = configured ?? storedCloneId(ctx.store.paths.dir);
  cache.set(ctx, id);
  return id;
}

function storedCloneId(dir: string): string {
  const file = join(dir, 'clone-id');
  const read = () => readFileSync(file, 'utf8').trim();
  try {
    const id = read();
    if (id) return id;
  } catch {
    // not made yet
  }
  const host = hostname().replace(/[^A-Za-z0-9._-]/g, '').replace(/^[^A-Za-z0-9]+/, '').slice(0, 40) || 'clone';
  const id = `${host}-${nodeCrypto().randomBytes(2).toString('hex')}`;
  try {
    const fd = openSync(file, 'wx', 0o600);
    writeSync(fd, `${id}\n`);
    closeSync(fd);
    return id;
  } catch {
    // another process made it first (or the store cannot be written: the name is still usable for this run)
    try {
      return read() || id;
    } catch {
      return id;
    }
  }
}

/** A working tree as records and notes name it: relative to the main working tree's top, `.` for that one. */
export function worktreeKey(repo: RepoPaths): string {
  return relative(mainTop(repo), repo.worktree) || '.';
}

/** Whether a recorded worktree is this one (records from before hold the absolute path). */
export function isThisWorktree(recorded: string, repo: RepoPaths): boolean {
  return recorded === worktreeKey(repo) || recorded === repo.worktree;
}
