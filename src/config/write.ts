// Writing `backup.*` keys to the repository's own config (`git config --local`), all or nothing:
// the caller validated the resulting configuration first; if a git write still fails part-way
// (disk full, a locked config file), the keys already written get their old local values back.
import { git, type RepoPaths } from '../git/exec.js';
import { findKey, fullName, type KeyDef } from '../core/config-keys.js';
import type { ConfigEntry } from '../core/config-parse.js';

/** New local values per key; an empty list unsets the key. */
export type LocalChanges = Map<KeyDef, string[]>;

async function replaceLocal(repo: RepoPaths, names: readonly string[], target: string, values: readonly string[]): Promise<void> {
  const cwd = repo.worktree;
  // Every spelling git kept for this key (`backup.Retention.created` is another subsection to git).
  for (const name of new Set(names)) await git(['config', '--local', '--unset-all', name], { cwd, okCodes: [5] });
  for (const value of values) await git(['config', '--local', '--add', target, value], { cwd });
}

/** Apply the changes; `entries` is what readEntries saw before (for the names and the rollback). */
export async function writeLocal(repo: RepoPaths, entries: readonly ConfigEntry[], changes: LocalChanges): Promise<void> {
  const local = (k: KeyDef) => entries.filter((e) => e.scope === 'local' && findKey(e.key) === k);
  const done: KeyDef[] = [];
  try {
    for (const [k, values] of changes) {
      done.push(k);
      await replaceLocal(repo, [...local(k).map((e) => e.key), fullName(k)], fullName(k), values);
    }
  } catch (e) {
    for (const k of done.reverse()) {
      const old = local(k);
      await replaceLocal(repo, [fullName(k)], old[0]?.key ?? fullName(k), old.map((o) => o.value ?? '')).catch(() => undefined);
    }
    throw e;
  }
}

/** Remove local entries of keys we do not know (typos), by their exact name. */
export async function unsetRaw(repo: RepoPaths, name: string): Promise<boolean> {
  const r = await git(['config', '--local', '--unset-all', name], { cwd: repo.worktree, okCodes: [5] });
  return r.code === 0;
}
