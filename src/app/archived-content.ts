// Reading an ARCHIVED backup: its manifest and archive are checked (sha256 of both, then the whole
// tar against the manifest, as it streams into the object database) and only then is its tree used,
// so restore and diff treat it exactly like a live snapshot and a damaged archive writes nothing.
// requireContent says clearly when there is no content left at all (DELETED).
import type { Context } from './context.js';
import type { BackupRecord } from '../core/types.js';
import { BackupError, ExitCode } from '../errors.js';
import { ArchiveMismatch, importArchive, readManifest } from '../git/archive.js';
import { archivePathOf } from './archive.js';
import { existingObjects } from '../git/objects.js';
import { stat } from 'node:fs/promises';
import { isForeign } from '../core/record.js';
import { cloneIdOf } from './clone.js';

/**
 * Null when the content of `record` (its snapshot, or the archive of an ARCHIVED one) is in this
 * clone; else what is missing and which remote to fetch it from (docs/remote.md).
 */
export async function missingContent(ctx: Context, record: BackupRecord): Promise<string | null> {
  if (record.state === 'DELETED') return null;
  if (record.state === 'ARCHIVED') {
    if (!record.archive || (await stat(await archivePathOf(ctx, record.archive)).then((s) => s.isFile(), () => false))) return null;
  } else if ((await existingObjects(ctx.repo, [record.snapshot], 'commit')).length) return null;
  const what = record.state === 'ARCHIVED' ? 'its archive is not in this clone' : 'its snapshot is not in this clone';
  const from = record.origin ? ` (made by clone ${record.origin})` : '';
  const kind = record.state === 'ARCHIVED' ? 'archive' : 'snapshot';
  const remotes = [...new Set((record.copies ?? []).filter((c) => c.kind === kind || record.state !== 'ARCHIVED').map((c) => c.remote))];
  const configured = (await ctx.config()).remote.name;
  if (!isForeign(record, await cloneIdOf(ctx)) && remotes.length === 0) {
    // Made here, and nowhere else: not a copy to fetch, content that this repository lost.
    return `${record.id}: its ${kind} ${record.state === 'ARCHIVED' ? 'file' : `commit ${record.snapshot.slice(0, 12)}`} is missing from this repository (pruned or deleted by hand) and no copy is recorded on a backup remote: its content cannot be restored (git backup recover reports it)`;
  }
  if (remotes.length) return `${record.id}: ${what}${from}; a verified copy is on ${remotes.join(', ')}: git backup fetch ${remotes[0]}`;
  if (configured) return `${record.id}: ${what}${from}; no copy is recorded on a backup remote; if it was pushed: git backup fetch ${configured}`;
  return `${record.id}: ${what}${from}; no copy is recorded on a backup remote (its clone may keep it private): push it from there (git backup push REMOTE), then git backup fetch REMOTE here`;
}

/**
 * restore, diff and undo: content that is not here is fetched, exactly that backup's, from a remote
 * holding a verified copy or backup.remote (one line on stderr says so); when none can give it,
 * exit 4 with what to fetch from where.
 */
export async function requireLocalContent(ctx: Context, record: BackupRecord): Promise<void> {
  const missing = await missingContent(ctx, record);
  if (!missing) return;
  const from = await (await import('./remote.js')).fetchContentOf(ctx, record);
  if (from && !(await missingContent(ctx, record))) {
    ctx.io.err(`git backup: fetched the content of ${record.id} from ${from}`);
    return;
  }
  throw new BackupError(ExitCode.NOT_FOUND, missing);
}

/** restore and diff need the content (a snapshot, or the archive of an ARCHIVED one); say clearly when it is gone. */
export function requireContent(record: BackupRecord): void {
  if (record.state === 'DELETED') {
    throw new BackupError(ExitCode.INVALID, `${record.id} is DELETED; its content is gone (git backup show ${record.id} lists what was lost)`);
  }
}

/** The tree of an archived backup's full content (tracked and untracked), or exit 3 when the archive is not intact. */
export async function archivedTree(ctx: Context, record: BackupRecord, what: string): Promise<string> {
  const info = record.archive;
  if (!info) throw new BackupError(ExitCode.INVALID, `${record.id} is ARCHIVED but its record names no archive; run git backup recover`);
  try {
    const path = await archivePathOf(ctx, info);
    const manifest = await readManifest(path, info.manifest_sha256);
    return await importArchive(ctx.repo, ctx.tmpDir, path, manifest, info.sha256);
  } catch (e) {
    if (e instanceof ArchiveMismatch) throw new BackupError(ExitCode.INVALID, `${e.message}; refusing to ${what} ${record.id}, nothing was written`);
    throw e;
  }
}

