// Checking and repairing refs/notes/backups itself (docs/store.md, "A damaged notes ref"): the
// decisions are core/notes-ref.ts's, this runs git for them.
import { git, type RepoPaths } from './exec.js';
import { NOTES_REF } from './notes.js';
import { notesTreeProblem } from '../core/notes-ref.js';

/**
 * What is wrong with `tip` as the notes ref's value, or null when it is a notes commit. One
 * process (the top level of its tree) when it is fine; a second only to name the damage.
 */
export async function notesRefProblem(repo: RepoPaths, tip: string): Promise<string | null> {
  const cwd = repo.worktree;
  const top = await git(['ls-tree', '-z', `${tip}^{commit}`], { cwd, okCodes: [128] });
  if (top.code === 0) {
    const entries = top.stdout.split('\0').filter(Boolean).map((l) => {
      const [meta = '', name = ''] = l.split('\t');
      return { type: meta.split(' ')[1] ?? '', name };
    });
    const p = notesTreeProblem(entries);
    return p ? `it points at commit ${tip.slice(0, 12)}; ${p}` : null;
  }
  const type = await git(['cat-file', '-t', tip], { cwd, okCodes: [128] });
  return type.code === 0
    ? `it points at ${type.stdout.trim()} ${tip.slice(0, 12)}, not a notes commit`
    : `it points at ${tip.slice(0, 12)}, an object this repository does not have`;
}

/**
 * Whether every tree of the notes commit `tip` can be read, or what is missing: a fan-out tree
 * object lost (a damaged disk, a partial copy) leaves a top that looks sound while `git notes list`
 * and every reader of the notes fail. One process; it lists the trees only, not the notes.
 */
export async function notesTreeUnreadable(repo: RepoPaths, tip: string): Promise<string | null> {
  const r = await git(['ls-tree', '-r', '-d', '-z', '--name-only', `${tip}^{commit}`], { cwd: repo.worktree, okCodes: [1, 128] });
  if (r.code === 0) return null;
  const why = r.stderr.trim().split('\n').pop() || `git ls-tree exited ${r.code}`;
  return `it points at commit ${tip.slice(0, 12)}, whose notes tree cannot be read (${why})`;
}

/**
 * What is wrong with `tip` as a notes commit to read and build on: its top (notesRefProblem) and
 * then every tree of it (a top that looks sound can hide a lost fan-out tree, on which the catch-up
 * that follows would fail). null when both are sound.
 */
export async function notesCommitProblem(repo: RepoPaths, tip: string): Promise<string | null> {
  return (await notesRefProblem(repo, tip)) ?? (await notesTreeUnreadable(repo, tip));
}

/**
 * Move the damaged notes ref aside (kept as `aside` when git still has its object: a ref cannot
 * name a missing one) and point it at `base`, a notes commit, or remove it when there is none.
 * Compare-and-swap on the damaged value: a ref that changed meanwhile is left alone (false).
 */
export async function replaceNotesRef(repo: RepoPaths, damaged: string, aside: string, base: string | null): Promise<{ kept: boolean; replaced: boolean }> {
  const cwd = repo.worktree;
  const exists = (await git(['cat-file', '-e', damaged], { cwd, okCodes: [1, 128] })).code === 0;
  const kept = exists && (await git(['update-ref', aside, damaged, ''], { cwd, okCodes: [128] })).code === 0;
  // --no-deref: the notes ref itself, never a branch it was made a symbolic ref to by hand.
  const args = base ? ['update-ref', '--no-deref', '-m', 'git backup recover: the notes ref was damaged', NOTES_REF, base, damaged] : ['update-ref', '--no-deref', '-d', NOTES_REF, damaged];
  const replaced = (await git(args, { cwd, okCodes: [128] })).code === 0;
  return { kept, replaced };
}
