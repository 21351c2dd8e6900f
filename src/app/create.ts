// Taking a backup: snapshot outside the lock (it only adds objects), then record it, ref it and
// note it under the lock.
import { certainConfigFiles } from '../config/cache.js';
import { lstatSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Context } from './context.js';
import type { BackupRecord, Trigger } from '../core/types.js';
import { STAMP_LENGTH, chooseId, formatId } from '../core/ids.js';
import { identicalNewest, newRecord } from '../core/record.js';
import { listed } from '../core/content.js';
import { noteLines } from '../core/notes-format.js';
import { cloneIdOf, worktreeKey } from './clone.js';
import { deleteBackupRef, sameSnapshotTrees, takeSnapshot } from '../git/snapshot.js';
import { dirtySubmodules } from '../git/submodules.js';
import { readNote } from '../git/notes.js';
import { git } from '../git/exec.js';
import { withActivity } from './progress.js';
import { asObjectWriter } from '../store/object-writers.js';
import { pauseAt } from '../test-pause.js';
import { BackupError, ExitCode, usageError } from '../errors.js';

export interface CreateOptions {
  message: string;
  includeIgnored: boolean;
  /** As the user typed them, relative to `cwd`. */
  paths: string[];
  cwd: string;
  pin: boolean;
  labels: string[];
  trigger: Trigger;
  /**
   * Take the backup even when it protects nothing (no change against HEAD, no untracked file) or
   * holds exactly what the newest backup of this worktree holds. Safety backups taken before a
   * restore or an undo set it: they are the undo stack, and must exist even when empty.
   */
  allowEmpty?: boolean;
  /**
   * Return the newest backup instead when it holds exactly this (default: unless allowEmpty).
   * Agent checkpoints take an empty one (an undo point must exist) yet reuse an identical one.
   */
  reuse?: boolean;
  /**
   * With reuse: reuse the newest backup only when this accepts it. An agent checkpoint must be an
   * undo point `undo` lands on: reusing a plain backup of the same tree (a `create`, a run's after
   * backup) left the turn without one, and undo went back past it to the step before.
   */
  reuseOnly?: (newest: BackupRecord) => boolean;
  /**
   * Repository-relative paths the caller is about to overwrite or remove: those that are ignored
   * files are captured too, although includeIgnored is false (an undo point must hold everything
   * the restore after it replaces; the rest of the ignored files stay out of it).
   */
  alsoIgnored?: string[];
}

/** What create did: a new backup, the newest one returned because it already holds this, or nothing to protect. */
export type CreateOutcome = { kind: 'created'; record: BackupRecord } | { kind: 'reused'; record: BackupRecord } | { kind: 'empty' };

/** Turn user path arguments into repository-relative paths, refusing anything outside the tree. */
export function normalizePaths(ctx: Context, cwd: string, args: string[]): string[] {
  const out: string[] = [];
  for (const arg of args) {
    if (arg === '' || /[\0\n\r]/.test(arg)) throw usageError(`invalid path ${JSON.stringify(arg)}: empty or contains a control character`);
    const rel = relative(ctx.repo.worktree, resolve(cwd, arg));
    if (rel === '..' || rel.startsWith('..' + sep) || isAbsolute(rel)) {
      throw usageError(`path ${JSON.stringify(arg)} is outside the working tree ${ctx.repo.worktree}`);
    }
    const path = rel === '' ? '.' : rel.split(sep).join('/');
    if (insideGitDir(ctx, path)) {
      throw usageError(`path ${JSON.stringify(arg)} is inside the git directory; only working tree files can be backed up`);
    }
    out.push(path);
  }
  return [...new Set(out)];
}

/**
 * Git never lists a `.git` entry (ours, a submodule's, a nested repository's) nor anything in a git
 * directory the worktree happens to hold (--separate-git-dir into the tree): such a path would match
 * nothing and "nothing to back up" would hide the mistake, so it is refused by name. Case-insensitive
 * like git's own check (a case-insensitive filesystem makes .GIT the same directory).
 */
function insideGitDir(ctx: Context, path: string): boolean {
  if (path.split('/').some((part) => part.toLowerCase() === '.git')) return true;
  const full = resolve(ctx.repo.worktree, path);
  return [ctx.repo.gitDir, ctx.repo.commonDir].some((dir) => {
    const rel = relative(resolve(ctx.repo.worktree, dir), full);
    return rel === '' || (rel !== '..' && !rel.startsWith('..' + sep) && !isAbsolute(rel));
  });
}

/** A path to back up must exist now or in HEAD (a deleted tracked file is worth backing up). */
async function requireExisting(ctx: Context, paths: string[]): Promise<void> {
  for (const p of paths) {
    if (p === '.' || exists(resolve(ctx.repo.worktree, p)) || (await trackedInHead(ctx, p))) continue;
    throw new BackupError(ExitCode.NOT_FOUND, `path ${JSON.stringify(p)} matches no file in the working tree or in HEAD`);
  }
}

function exists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

async function trackedInHead(ctx: Context, path: string): Promise<boolean> {
  const r = await git(['ls-tree', '-z', '--name-only', 'HEAD', '--', path], { cwd: ctx.repo.worktree, okCodes: [128] });
  return r.code === 0 && r.stdout.length > 0;
}

export function createBackup(ctx: Context, opts: CreateOptions): Promise<CreateOutcome> {
  // From the snapshot's first object until its ref: objects no ref reaches, which gc --now must spare.
  return asObjectWriter(ctx.store.paths.dir, () => withActivity('creating backup', ctx.progress, (step) => create(ctx, opts, step)));
}

async function create(ctx: Context, opts: CreateOptions, step: (text: string) => void): Promise<CreateOutcome> {
  const paths = normalizePaths(ctx, opts.cwd, opts.paths);
  await requireExisting(ctx, paths);
  const wholeTree = paths.includes('.');
  // The creation time is the snapshot's (its trailers say it too); later moves are dated under the lock.
  const createdAt = ctx.now;
  // This clone's id needs the configuration (one git process): read alongside the snapshot, not after it.
  const originP = cloneIdOf(ctx);
  originP.catch(() => undefined); // awaited below; an early return must not leave it unhandled
  const submodulesP = dirtySubmodules(ctx.repo, paths);
  submodulesP.catch(() => undefined); // awaited below; a failure to look is no reason to fail the backup
  const ownCommitsP = ctx.ownCommits(); // the same configuration read; awaited at the snapshot's first commit
  ownCommitsP.catch(() => undefined);
  step('reading the working tree'); // git hashes every changed file here: most of a large backup's time
  const snap = await takeSnapshot({
    repo: ctx.repo,
    ownCommits: ownCommitsP,
    // The configuration that decides how an untracked file is stored, for its memo (null: not certain, no memo).
    conversionInputs: ctx.attributesFile().then(
      (attributes) => {
        const files = certainConfigFiles(ctx.repo);
        return files && [...files, ...(attributes ? [attributes] : [])];
      },
      () => null,
    ),
    message: opts.message,
    includeIgnored: opts.includeIgnored,
    paths: wholeTree ? [] : paths,
    createdAt,
    tmpDir: ctx.tmpDir,
    indexCacheDir: join(ctx.store.paths.dir, 'worktree-index'),
    ...(opts.alsoIgnored?.length ? { alsoIgnored: opts.alsoIgnored } : {}),
  });
  const dirty = await submodulesP.catch(() => []);
  if (dirty.length) {
    ctx.io.err(`git backup: uncommitted changes inside submodule ${listed(dirty)} are not in this backup (it holds the commit a submodule points at); commit them in the submodule to protect them`);
  }
  if (snap.files === 0 && !opts.allowEmpty) return { kind: 'empty' };
  await pauseAt('create:after-snapshot'); // its objects written, no ref yet (tests: gc --now beside it)
  const origin = await originP;
  let made: { id: string } | null = null;
  step('recording it');
  try {
    return await ctx.store.append(
    async (index): Promise<CreateOutcome> => {
      if (opts.reuse ?? !opts.allowEmpty) {
        const same = identicalNewest(index.newestFirst(), {
          worktree: worktreeKey(ctx.repo),
          origin,
          base: snap.base,
          paths: wholeTree ? [] : paths,
          include_ignored: opts.includeIgnored,
          protects: snap.protects,
        });
        // The same paths and contents; the trees also say modes and the staged state are the same.
        if (same && (opts.reuseOnly?.(same) ?? true) && (await sameSnapshotTrees(ctx.repo, same.snapshot, snap.trees))) return { kind: 'reused', record: same };
      }
      // Tombstones in the cold store keep their ids too: only those of the same second can clash,
      // and the segment is not even read when its newest id is older (the usual case).
      const second = formatId(createdAt, snap.commit).slice(0, STAMP_LENGTH);
      const taken = new Set([...index.ids.filter((id) => id.startsWith(second)), ...(await ctx.store.tombstoneIds(index, second))]);
      const id = chooseId(createdAt, snap.commit, taken);
      // Its ref comes with its note (the notes plan below), before the record is written, so a
      // crash never leaves a record whose content git could prune.
      made = { id };
      const record = newRecord({
        id,
        created_at: createdAt,
        message: opts.message,
        branch: snap.branch,
        base: snap.base,
        snapshot: snap.commit,
        paths: wholeTree ? [] : paths,
        files: snap.files,
        bytes: snap.bytes,
        protects: snap.protects,
        include_ignored: opts.includeIgnored,
        worktree: worktreeKey(ctx.repo),
        origin,
        pinned: opts.pin,
        labels: opts.labels,
        trigger: opts.trigger,
      });
      index.add(record);
      return { kind: 'created', record };
    },
    {
      // ref and note (the truth) in one transaction where this process may write the notes commit,
      // else the ref first; then the index. A kill between a ref and its note leaves a ref that
      // recover adopts (and notes); a kill after the note leaves an index the next command catches up.
      notes: (out) =>
        out.kind === 'created'
          ? {
              lines: new Map([[out.record.snapshot, [noteLines(out.record, out.record.history[0]!)]]]),
              fresh: new Set([out.record.snapshot]),
              refs: new Map([[out.record.id, out.record.snapshot]]),
            }
          : null,
    },
    );
  } catch (e) {
    // Failed before its note was written (a full disk, a lost lock): the backup did not happen, so
    // its ref goes too, and the exit code says so truthfully. With its note written it did happen.
    const m = made as { id: string } | null;
    if (m && !(await readNote(ctx.repo, snap.commit).catch(() => ''))) await deleteBackupRef(ctx.repo, m.id, snap.commit).catch(() => undefined);
    throw e;
  }
}
