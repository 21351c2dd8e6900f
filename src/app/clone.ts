// Who this clone is, as other clones see its backups (docs/remote.md): backup.cloneId, else a name
// made once, `<host>-<4 hex>`, kept in <store>/clone-id; a copy of the repository (`cp -a`, a
// template) takes an id of its own the first time it runs while the original is still there.
// And the form a working tree is recorded in: relative to the top of the main working tree (`.`
// for it), so notes pushed or synced never carry an absolute path.
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { createDurably, writeDurably } from '../fs/durable-write.js';
import { hostname } from 'node:os';
import { nodeCrypto } from '../builtins.js';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { isForeign } from '../core/record.js';
import type { BackupRecord } from '../core/types.js';
import type { Context } from './context.js';
import type { RepoPaths } from '../git/exec.js';
import { mainTop } from '../config/load.js';
import { sameFile } from '../fs/regular-file.js';

const cache = new WeakMap<Context, string>();

export async function cloneIdOf(ctx: Context): Promise<string> {
  const known = cache.get(ctx);
  if (known) return known;
  // An invalid backup.* value elsewhere must not stop a create (the commands that read the
  // configuration report it): the stored id then.
  const configured = await ctx.config().then((c) => c.cloneId, () => null);
  const id = configured ?? (await storedCloneId(ctx.store.paths.dir));
  cache.set(ctx, id);
  return id;
}

async function storedCloneId(dir: string): Promise<string> {
  const file = join(dir, 'clone-id');
  const read = () => readFileSync(file, 'utf8').trim();
  // clone-id.at before clone-id: a process of a copy taking its own id replaces clone-id first and
  // clone-id.at after it, so a process racing it sees the old pair (and derives the same new id)
  // or the new id, never the old id with the new path (which would keep the original's id).
  const at = readAt(dir);
  let id: string | null = null;
  try {
    id = read() || null;
  } catch {
    // not made yet
  }
  if (id === null) {
    if (existsSync(file)) {
      // There but empty (a crash before its bytes reached the disk: a version before wrote it in
      // place) or unreadable: an id every process derives alike from the store's path, or each
      // would take a random one of its own and see the backups of the others as another clone's
      // (never moved, never pushed, no undo point).
      id = derivedId('', dir);
      await replaceFile(file, `${id}\n`);
    } else {
      id = `${hostPart()}-${nodeCrypto().randomBytes(2).toString('hex')}`;
      if (!(await createDurably(file, `${id}\n`).catch(() => false))) {
        // another process made it first (or the store cannot be written: the name is still usable for this run)
        try {
          id = read() || id;
        } catch {
          return id;
        }
      }
    }
  }
  return (await copiedFrom(dir, id, at)) ? takeOwnId(dir, id) : id;
}

/** The store's path, kept beside clone-id when the id is made or the store has moved (not in clone-id: a version before reads that whole). */
const AT = 'clone-id.at';

function readAt(dir: string): string | null {
  try {
    return readFileSync(join(dir, AT), 'utf8').trim() || null;
  } catch {
    return null; // not recorded yet
  }
}

/**
 * Whether this store is a copy of one that still exists (`cp -a` of the repository, a template
 * copied): clone-id.at names another path, and the store there holds this same id and is not this
 * directory. A copy that kept the id would move the original's backups as its own (its commits
 * decide them), and its DELETED lines reach the original through sync (docs/remote.md). A store
 * that moved (nothing with this id at the old path), or is reached another way (the same
 * directory), keeps its id and remembers where it is now. The directories are compared, not the
 * clone-id files: a copy made with hard links (`cp -al`) shares the file with the original.
 */
async function copiedFrom(dir: string, id: string, at: string | null): Promise<boolean> {
  if (at === dir) return false;
  if (at !== null) {
    try {
      if (readFileSync(join(at, 'clone-id'), 'utf8').trim() === id) return !sameFile(at, dir);
    } catch {
      // nothing there: moved
    }
  }
  await replaceFile(join(dir, AT), `${dir}\n`);
  return false;
}

/**
 * The id of a copy: made from the original's id and this store's path, so every process of the
 * copy that finds it a copy at the same time takes the same one (no lock needed).
 */
async function takeOwnId(dir: string, from: string): Promise<string> {
  const id = derivedId(from, dir);
  if (await replaceFile(join(dir, 'clone-id'), `${id}\n`)) await replaceFile(join(dir, AT), `${dir}\n`);
  return id;
}

const derivedId = (from: string, dir: string) => `${hostPart()}-${nodeCrypto().createHash('sha256').update(`${from}\0${dir}`).digest('hex').slice(0, 4)}`;

/** A small file written whole (writeDurably); false when the store cannot be written (the id is still usable for this run). */
const replaceFile = (file: string, text: string): Promise<boolean> => writeDurably(file, text).then(() => true, () => false);

function hostPart(): string {
  return hostname().replace(/[^A-Za-z0-9._-]/g, '').replace(/^[^A-Za-z0-9]+/, '').slice(0, 40) || 'clone';
}

type Made = Pick<BackupRecord, 'origin' | 'worktree'>;

/**
 * Which of `records` are another clone's, to be left to it (docs/remote.md): by their origin; and a
 * record written before clone ids (no origin, its worktree an absolute path) by where it was made:
 * a worktree that is now another repository's (the original of a copy, `cp -a`) made it there, and
 * the copy's commits must not move it (its DELETED would reach the original through sync, where
 * recover removes the ref). A repository moved (nothing at the old path) keeps them as its own.
 */
export async function othersIn(ctx: Context, records: readonly Made[]): Promise<(r: Made) => boolean> {
  const cloneId = records.some((r) => r.origin) ? await cloneIdOf(ctx) : '';
  const elsewhere = new Set<string>();
  const legacy = new Set(records.filter((r) => !r.origin && isAbsolute(r.worktree) && r.worktree !== ctx.repo.worktree).map((r) => r.worktree));
  if (legacy.size) {
    const ours = realOrNull(ctx.repo.commonDir) ?? ctx.repo.commonDir;
    for (const w of legacy) {
      const theirs = commonDirAt(w);
      if (theirs !== null && theirs !== ours) elsewhere.add(w);
    }
  }
  return (r) => isForeign(r, cloneId) || (!r.origin && elsewhere.has(r.worktree));
}

const realOrNull = (p: string): string | null => {
  try {
    return realpathSync.native(p);
  } catch {
    return null;
  }
};

/** The common git directory of the working tree at `top` (its `.git` directory or file), or null when it holds none. */
function commonDirAt(top: string): string | null {
  try {
    const dotGit = join(top, '.git');
    let gitDir = dotGit;
    if (!statSync(dotGit).isDirectory()) {
      const m = /^gitdir: (.+?)\r?\n?$/.exec(readFileSync(dotGit, 'utf8'));
      if (!m) return null;
      gitDir = resolve(top, m[1]!);
    }
    let common = gitDir;
    try {
      common = resolve(gitDir, readFileSync(join(gitDir, 'commondir'), 'utf8').trim());
    } catch {
      // a main working tree's git directory is its own common directory
    }
    return realOrNull(common);
  } catch {
    return null;
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
