// The content effects of ARCHIVED and of deleting an archived backup, each step journaled (see
// journal.ts) so that a kill anywhere is finished or undone by settleJournals.
//
// Archive: journal → write + fsync + read back in full against the manifest (outside the store
// lock: it only reads the snapshot) → rename into place → [store write: ARCHIVED + archive info]
// → remove the ref → end journal.
// Delete of an archived backup: journal → [store write: DELETED] → overwrite the archive with
// zeros when it holds a sensitive path → unlink archive and manifest → end journal.
import { open, readdir, rm, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Context } from './context.js';
import type { ArchiveInfo, BackupRecord } from '../core/types.js';
import { matchesAnyGlob } from '../core/glob.js';
import { BackupError, ExitCode } from '../errors.js';
import { archivePathFor, manifestPathOf, readManifest, writeArchive } from '../git/archive.js';
import { git } from '../git/exec.js';
import { deleteBackupRef } from '../git/snapshot.js';
import { fsyncPath } from '../fs/durable-write.js';
import { pauseAt } from '../test-pause.js';
import { beginJournal, endJournal } from '../store/journal.js';
import { withActivity } from './progress.js';

/** backup.archiveDir (a relative one is taken from the top of the working tree), else inside the store. */
export async function archiveDirOf(ctx: Context): Promise<string> {
  const dir = (await ctx.config()).archiveDir;
  if (!dir) return join(ctx.store.paths.dir, 'archive');
  return isAbsolute(dir) ? dir : resolve(ctx.repo.worktree, dir);
}

/**
 * Where an archive is now. Records hold its path relative to the archive directory and it is
 * resolved here, at use, so `mv repo repo2` keeps every archive readable and a `cp -a` copy reads
 * its own. Older records hold an absolute path: the same YYYY/MM/<file> under this repository's
 * archive directory is preferred when it exists there, else the path as written.
 */
export async function archivePathOf(ctx: Context, info: Pick<ArchiveInfo, 'path'>): Promise<string> {
  const dir = await archiveDirOf(ctx);
  if (!isAbsolute(info.path)) return join(dir, info.path);
  const m = /(\d{4})[\\/](\d{2})[\\/]([^\\/]+)$/.exec(info.path);
  if (m) {
    const mine = join(dir, m[1]!, m[2]!, m[3]!);
    if (mine !== info.path && existsSync(mine)) return mine;
  }
  return info.path;
}

/**
 * A record as `--json` prints it, with its archive path resolved (absolute, where the file is now):
 * the stored path is relative, but a script reading the output wants a path it can open.
 */
export async function withArchivePath<T extends { archive?: ArchiveInfo | null }>(ctx: Context, json: T): Promise<T> {
  return json.archive ? withArchiveAt(json, await archivePathOf(ctx, json.archive)) : json;
}

/** withArchivePath with the path already resolved (`list --json` resolves them all before it prints). */
export function withArchiveAt<T extends { archive?: ArchiveInfo | null }>(json: T, path: string): T {
  return json.archive ? { ...json, archive: { ...json.archive, path } } : json;
}

/** The path stored in a record: relative to the archive directory (absolute only if it lies outside it). */
export function storedArchivePath(dir: string, abs: string): string {
  const rel = relative(dir, abs);
  return rel.startsWith('..' + sep) || rel === '..' || isAbsolute(rel) ? abs : rel.split(sep).join('/');
}

export interface PreparedArchive {
  id: string;
  snapshot: string;
  info: ArchiveInfo;
  /** Where it was written (info.path is relative to the archive directory). */
  abs: string;
  journal: string;
}

/**
 * Write and verify the archive of every target; all or none (a failure removes those already made),
 * unless `onFailure` is given: then a failed one is reported to it and left out (automatic triggers
 * archive what they can and try the rest again next time).
 */
export async function prepareArchives(
  ctx: Context,
  targets: { id: string; snapshot: string; settled?: ReadonlySet<string> }[],
  onFailure?: (id: string, e: unknown) => void,
): Promise<PreparedArchive[]> {
  if (targets.length === 0) return [];
  const dir = await archiveDirOf(ctx);
  const done: PreparedArchive[] = [];
  return withActivity('archiving', ctx.progress, async (step) => {
    try {
      for (const [i, t] of targets.entries()) {
        const which = targets.length > 1 ? `${i + 1} of ${targets.length}, ` : '';
        step(`${which}${t.id}: writing`);
        const path = archivePathFor(dir, t.id);
        const journal = await beginJournal(ctx.store.paths.dir, { op: 'archive', id: t.id, snapshot: t.snapshot, path });
        try {
          const w = await writeArchive(ctx.repo, ctx.tmpDir, t.id, t.snapshot, path, () => (step(`${which}${t.id}: reading it back`), pauseAt('archive:after-write')), t.settled);
          const info: ArchiveInfo = {
            path: storedArchivePath(dir, path), sha256: w.sha256, bytes: w.bytes, created_at: ctx.now.toISOString(), manifest_sha256: w.manifestSha256, files: w.manifest.files.length,
          };
          done.push({ id: t.id, snapshot: t.snapshot, info, abs: path, journal });
        } catch (e) {
          // writeArchive removed what it made, and only that (dest may be another process's archive).
          await endJournal(journal);
          if (!onFailure) throw e;
          onFailure(t.id, e);
          continue;
        }
        await pauseAt('archive:after-verify');
      }
    } catch (e) {
      await discardArchives(done);
      throw e;
    }
    return done;
  });
}

/** Undo prepared archives whose transition was not written (their files were claimed by us). */
export async function discardArchives(prepared: PreparedArchive[]): Promise<void> {
  for (const p of prepared) {
    await removeArchiveFiles(p.abs, false);
    await endJournal(p.journal);
  }
}

/**
 * Checked under the store lock just before ARCHIVED is written: the archive is still where it was
 * written (an interrupted operation's cleanup may not remove it from under us once we hold the lock).
 */
export async function assertArchivePresent(p: PreparedArchive): Promise<void> {
  const st = await stat(p.abs).catch(() => null);
  if (!st || st.size !== p.info.bytes) {
    throw new BackupError(ExitCode.INVALID, `${p.id}: its new archive ${p.abs} disappeared before it was recorded; the backup stays as it was, retry`);
  }
}

/** After ARCHIVED is durable: remove the ref (the content now lives in the archive), end the journal. */
export async function finishArchive(ctx: Context, p: { id: string; snapshot: string; journal: string }): Promise<void> {
  await pauseAt('archive:after-record');
  await removeRefIfThere(ctx, p.id, p.snapshot);
  await endJournal(p.journal);
}

export async function removeRefIfThere(ctx: Context, id: string, snapshot: string): Promise<void> {
  const now = await git(['rev-parse', '-q', '--verify', `refs/backups/${id}`], { cwd: ctx.repo.worktree, okCodes: [1] });
  if (now.code === 0) await deleteBackupRef(ctx.repo, id, snapshot);
}

export interface PlannedArchiveDelete {
  id: string;
  path: string;
  overwrite: boolean;
  journal: string;
}

/**
 * Whether an archive holds a path matching backup.sensitive. A manifest that cannot be read or
 * does not match its sha256 counts as holding one: overwriting costs only time.
 */
async function holdsSensitive(info: ArchiveInfo, abs: string, globs: string[]): Promise<boolean> {
  if (globs.length === 0) return false;
  try {
    const m = await readManifest(abs, info.manifest_sha256);
    return m.files.some((f) => matchesAnyGlob(f.path, globs));
  } catch {
    return true;
  }
}

/** Journal the deletion of each record's archive, before the store write that marks it DELETED. */
export async function journalArchiveDeletes(ctx: Context, records: { id: string; archive: ArchiveInfo }[]): Promise<PlannedArchiveDelete[]> {
  const globs = records.length ? (await ctx.config()).sensitive : [];
  const out: PlannedArchiveDelete[] = [];
  for (const r of records) {
    const abs = await archivePathOf(ctx, r.archive);
    const overwrite = await holdsSensitive(r.archive, abs, globs);
    const journal = await beginJournal(ctx.store.paths.dir, { op: 'delete-archive', id: r.id, path: abs, overwrite });
    out.push({ id: r.id, path: abs, overwrite, journal });
  }
  return out;
}

/** After DELETED is durable: overwrite if sensitive, unlink archive and manifest, end the journal. */
export async function finishArchiveDelete(d: { path: string; overwrite: boolean; journal: string }): Promise<void> {
  await pauseAt('delete:after-record');
  if (d.overwrite) await zeroInPlace(d.path);
  await pauseAt('delete:before-unlink');
  await removeArchiveFiles(d.path);
  await endJournal(d.journal);
}

/**
 * Overwrite a file's bytes with zeros in place and fsync, before it is unlinked. On a plain
 * overwrite-in-place filesystem (ext4, xfs) on a spinning disk this replaces the blocks; on SSDs
 * (wear levelling, TRIM), copy-on-write filesystems (btrfs, zfs, apfs), snapshots and backups of
 * the disk the old blocks may survive. It defeats reading the file back, not forensics.
 */
export async function zeroInPlace(path: string): Promise<void> {
  let fh;
  try {
    fh = await open(path, 'r+');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  try {
    const size = (await fh.stat()).size;
    const zeros = Buffer.alloc(Math.min(size, 1 << 20));
    for (let at = 0; at < size; at += zeros.length) await fh.write(zeros, 0, Math.min(zeros.length, size - at), at);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Remove an archive and its manifest; with temps, also the temp files a killed writer left beside
 * them (only when settling a dead owner's journal, under the lock). Idempotent.
 */
export async function removeArchiveFiles(path: string, temps = true): Promise<void> {
  const dir = dirname(path);
  const prefixes = [basename(path), basename(manifestPathOf(path))].map((b) => `.${b}.`);
  const names = temps ? await readdir(dir).catch(() => [] as string[]) : [];
  for (const n of names) if (n.endsWith('.tmp') && prefixes.some((t) => n.startsWith(t))) await rm(join(dir, n), { force: true });
  await rm(path, { force: true });
  await rm(manifestPathOf(path), { force: true });
  await fsyncPath(dir).catch(() => undefined);
}

/** The archive records a move needs to journal before it deletes them. */
export function archivedRecords(records: BackupRecord[]): { id: string; archive: ArchiveInfo }[] {
  return records.filter((r) => r.archive).map((r) => ({ id: r.id, archive: r.archive! }));
}
