// `git backup verify`: every ARCHIVED backup's archive is read back in full (sha256 of archive and
// manifest, then every path, mode and blob hash of the tar against the manifest); every live backup
// has its ref, pointing at its snapshot, and the snapshot commit exists.
import type { Context } from './context.js';
import type { BackupRecord } from '../core/types.js';
import { ArchiveMismatch, checkArchive, readManifest } from '../git/archive.js';
import { backupRefs, existingCommits } from './backup-refs.js';
import { holdsRef } from '../core/lifecycle.js';
import { archivePathOf } from './archive.js';
import { withActivity } from './progress.js';
import { missingContent } from './archived-content.js';
import { cloneIdOf } from './clone.js';
import { isForeign } from '../core/record.js';

export interface VerifyItem {
  id: string;
  state: string;
  ok: boolean;
  /** What was checked, or what is wrong. */
  detail: string;
  /**
   * Not damaged, only not here: another clone's content that was not fetched, or content this clone
   * no longer has but a backup remote holds (docs/remote.md). `git backup fetch` brings it.
   */
  not_fetched?: boolean;
}

async function checkArchived(ctx: Context, r: BackupRecord): Promise<VerifyItem> {
  const info = r.archive;
  if (!info) return { id: r.id, state: r.state, ok: false, detail: 'ARCHIVED but the record names no archive' };
  try {
    const path = await archivePathOf(ctx, info);
    const manifest = await readManifest(path, info.manifest_sha256);
    await checkArchive(path, manifest, info.sha256);
    return { id: r.id, state: r.state, ok: true, detail: `archive ${path}: sha256 and all ${manifest.files.length} file(s) match` };
  } catch (e) {
    if (e instanceof ArchiveMismatch) return { id: r.id, state: r.state, ok: false, detail: e.message };
    throw e;
  }
}

export async function verifyBackups(ctx: Context, records: BackupRecord[]): Promise<VerifyItem[]> {
  const live = records.filter(holdsRef);
  const refs = await backupRefs(ctx);
  const commits = await existingCommits(ctx, live.map((r) => r.snapshot));
  const cloneId = records.some((r) => r.origin) ? await cloneIdOf(ctx) : '';
  const items: VerifyItem[] = [];
  // Reading archives back is the long part: one progress step each.
  const archivedCount = records.filter((r) => r.state === 'ARCHIVED').length;
  let archivedSeen = 0;
  await withActivity('verifying', ctx.progress, async (step) => {
    for (const r of records) {
      if (r.state === 'DELETED') continue;
      const elsewhere = isForeign(r, cloneId) || (r.copies ?? []).length > 0;
      if (elsewhere) {
        const missing = await missingContent(ctx, r);
        if (missing) {
          items.push({ id: r.id, state: r.state, ok: false, detail: `content not fetched: ${missing}`, not_fetched: true });
          continue;
        }
      }
      if (isForeign(r, cloneId) && r.state !== 'ARCHIVED') {
        // Another clone's backup: its content is kept under refs/backups-remote/, not refs/backups/ (docs/remote.md).
        items.push({ id: r.id, state: r.state, ok: true, detail: `snapshot present (fetched from clone ${r.origin})` });
        continue;
      }
      if (r.state === 'ARCHIVED') {
        step(`archive ${++archivedSeen} of ${archivedCount}: ${r.id}`);
        items.push(await checkArchived(ctx, r));
        continue;
      }
      const ref = refs.get(r.id);
      const detail = !commits.has(r.snapshot)
        ? `snapshot commit ${r.snapshot.slice(0, 12)} is missing from the repository`
        : !ref
          ? `refs/backups/${r.id} is missing (git backup recover points it at the snapshot again)`
          : ref !== r.snapshot
            ? `refs/backups/${r.id} points at ${ref.slice(0, 12)}, not the snapshot ${r.snapshot.slice(0, 12)}`
            : null;
      items.push({ id: r.id, state: r.state, ok: detail === null, detail: detail ?? 'ref and snapshot present' });
    }
  });
  return items;
}
