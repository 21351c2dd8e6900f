// A ref's value read from the files backend without a git process: the loose file under the common
// directory, else packed-refs. Anything this reader is not sure of (a reftable repository, a
// symbolic ref where a value should be, a file it cannot read) is `undefined`: ask git.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { RepoPaths } from './exec.js';
import { isObjectId } from '../core/ids.js';


/** The object id `ref` (a full name under refs/, shared by every worktree) points at; null when there is no such ref. */
export async function refValue(repo: RepoPaths, ref: string): Promise<string | null | undefined> {
  const common = repo.commonDir;
  if (await stat(join(common, 'reftable')).then(() => true, () => false)) return undefined;
  try {
    const loose = (await readFile(join(common, ref), 'utf8')).trim();
    return isObjectId(loose) ? loose : undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') return undefined;
  }
  let packed: string;
  try {
    packed = await readFile(join(common, 'packed-refs'), 'utf8');
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? null : undefined;
  }
  for (const line of packed.split('\n')) {
    const sp = line.indexOf(' ');
    if (sp > 0 && line.slice(sp + 1) === ref) return isObjectId(line.slice(0, sp)) ? line.slice(0, sp) : undefined;
  }
  return null;
}

/**
 * The commit HEAD names in this worktree: its own HEAD file, a branch under refs/heads/ (null on
 * an unborn branch), or a detached id; undefined where git must be asked.
 */
export async function headValue(repo: RepoPaths): Promise<string | null | undefined> {
  const text = await readFile(join(repo.gitDir, 'HEAD'), 'utf8').catch(() => '');
  const ref = /^ref: (refs\/heads\/[^\n]+)\n?$/.exec(text);
  if (ref) return refValue(repo, ref[1]!);
  const id = text.trim();
  return isObjectId(id) ? id : undefined;
}
