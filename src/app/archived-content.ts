// Reading an ARCHIVED backup: its manifest and archive are checked (sha256 of both, then the whole
// tar against the manifest, as it streams into the object database) and only then is its tree used,
// so restore and diff treat it exactly like a live snapshot and a damaged archive writes nothing.
// requireContent says clearly when there is no content left at all (DELETED).
import type { Context } from './context.js';
import type { BackupRecord } from '../core/types.js';
import { BackupError, ExitCode } from '../errors.js';
import { ArchiveMismatch, importArchive, readManifest } from '../git/archive.js';
import { archivePathOf } from './archive.js';

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

