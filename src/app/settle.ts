// Finishing or undoing what an interrupted process left in the journal (design.md §Lifecycle: "finished or
// undone by the next command that takes the lock"). Runs under the store lock, so no live archiver
// can record an archive this removes (it re-checks its archive under the lock, see
// assertArchivePresent), and decides from the store alone, whose write is each operation's pivot:
//   archive: ARCHIVED recorded with this archive → finish (remove the ref); else → undo (remove the
//            archive files; the ref was never touched, so the backup is restorable as before).
//   delete-archive: DELETED recorded → finish (overwrite if sensitive, unlink); else → drop it.
//   gc: git's prune and repack are safe to interrupt; the entry is dropped (the next gc finishes).
//   restore-temps: the temp files a killed restore left beside its targets are removed (the files
//            it renamed into place are whole, the rest untouched: the restore can simply be run again).
import { existsSync } from 'node:fs';
import { sameFile } from '../fs/regular-file.js';
import type { Context } from './context.js';
import { endJournal, listJournals, ownerAlive, type JournalFile } from '../store/journal.js';
import { removeTempsBeside } from '../git/restore.js';
import { archivePathOf, finishArchive, finishArchiveDelete, removeArchiveFiles } from './archive.js';

type Action = { kind: 'finish-archive' | 'undo-archive' | 'finish-delete' | 'remove-temps' | 'drop'; j: JournalFile; message: string };

/** Settle every journal entry whose owner is dead; returns one sentence per entry settled. */
export async function settleJournals(ctx: Context): Promise<string[]> {
  const pending = (await listJournals(ctx.store.paths.dir)).filter((j) => !ownerAlive(j.entry));
  if (pending.length === 0) return [];
  return ctx.store.update(
    async (data) => {
      // Re-list under the lock: another settler may have handled some already.
      const now = (await listJournals(ctx.store.paths.dir)).filter((j) => !ownerAlive(j.entry));
      const actions: Action[] = [];
      for (const j of now) actions.push(await (async (): Promise<Action> => {
        const e = j.entry;
        // Copied with the repository (`cp -a` while the original archived or deleted): its paths
        // are the original's files, which this store must never remove. Left to that store (a store
        // moved since, nothing at its old path, settles its own entries as before).
        if (e.store !== undefined && !sameFile(e.store, ctx.store.paths.dir) && existsSync(e.store)) {
          return { kind: 'drop', j, message: `${'id' in e ? `${e.id}: ` : ''}dropped an interrupted ${e.op} written by the store at ${e.store} (this repository is a copy of it); its files were left alone` };
        }
        if (e.op === 'gc') return { kind: 'drop', j, message: 'an interrupted gc left nothing to repair (git prune is safe to interrupt)' };
        if (e.op === 'restore-temps') return { kind: 'remove-temps', j, message: `removed the temp files of an interrupted restore in ${e.root}` };
        // A deleted one is in the cold store once its DELETED write went through.
        const r = data.backups.find((b) => b.id === e.id) ?? (await ctx.store.tombstones(data, { prefix: e.id, wanted: (x) => x === e.id }))[0];
        if (e.op === 'archive') {
          const recorded = r && (r.state === 'ARCHIVED' || r.state === 'DELETED') && r.archive && (r.archive.path === e.path || (await archivePathOf(ctx, r.archive)) === e.path);
          return recorded
            ? { kind: 'finish-archive', j, message: `${e.id}: finished an interrupted archive (removed refs/backups/${e.id})` }
            : { kind: 'undo-archive', j, message: `${e.id}: undid an interrupted archive (removed the partial archive; the backup stays ${r?.state ?? 'as it was'})` };
        }
        return r?.state === 'DELETED'
          ? { kind: 'finish-delete', j, message: `${e.id}: finished an interrupted delete (archive ${e.overwrite ? 'overwritten and ' : ''}removed)` }
          : { kind: 'drop', j, message: `${e.id}: an interrupted delete never got recorded; nothing changed` };
      })());
      return actions;
    },
    {
      afterWrite: async (actions) => {
        for (const { kind, j } of actions) {
          const e = j.entry;
          if (kind === 'finish-archive' && e.op === 'archive') await finishArchive(ctx, { id: e.id, snapshot: e.snapshot, journal: j.file });
          else if (kind === 'undo-archive' && e.op === 'archive') {
            await removeArchiveFiles(e.path);
            await endJournal(j.file);
          } else if (kind === 'remove-temps' && e.op === 'restore-temps') {
            await removeTempsBeside(e);
            await endJournal(j.file);
          } else if (kind === 'finish-delete' && e.op === 'delete-archive') await finishArchiveDelete({ path: e.path, overwrite: e.overwrite, journal: j.file });
          else await endJournal(j.file);
        }
      },
    },
  ).then((actions) => actions.map((a) => a.message));
}
