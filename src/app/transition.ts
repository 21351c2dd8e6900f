// Moving backups through the lifecycle. The core decides; this applies the decisions under the
// lock, all or nothing, then carries out their effects on git (refs, notes).
import type { Context } from './context.js';
import type { BackupRecord, BackupState, HistoryEntry, Trigger } from '../core/types.js';
import { decideTransition, applyTransition } from '../core/lifecycle.js';
import { noteLines } from '../core/record.js';
import { BackupError, ExitCode } from '../errors.js';
import { deleteBackupRef, protectedPathsOf } from '../git/snapshot.js';
import { appendNoteLines } from '../git/notes.js';

export interface TransitionOptions {
  trigger: Trigger;
  reason: string;
  force: boolean;
  dryRun: boolean;
}

export interface PlannedMove {
  id: string;
  /** The states the backup passes through, in order (one for a plain transition). */
  steps: BackupState[];
}

export interface MoveResult {
  record: BackupRecord;
  entries: HistoryEntry[];
}

/**
 * Apply every move or none: each step of each backup is decided against the state the previous
 * step left, and the first refusal aborts the whole batch before anything is written.
 */
export async function moveBackups(ctx: Context, moves: PlannedMove[], opts: TransitionOptions): Promise<MoveResult[]> {
  const decide = (data: { backups: BackupRecord[] }, write: boolean): MoveResult[] => {
    const results: MoveResult[] = [];
    for (const move of moves) {
      const found = data.backups.find((b) => b.id === move.id);
      if (!found) throw new BackupError(ExitCode.NOT_FOUND, `no backup ${move.id}; see git backup list`);
      const record = write ? found : structuredClone(found);
      const entries: HistoryEntry[] = [];
      for (const to of move.steps) {
        const d = decideTransition(record, { to, trigger: opts.trigger, reason: opts.reason, force: opts.force, at: ctx.now });
        if (!d.ok) throw new BackupError(d.code, `${move.id}: ${d.message}`);
        if (to === 'ARCHIVED') {
          throw new BackupError(ExitCode.INVALID, `${move.id}: archiving is not available in this version; the backup stays ${record.state}`);
        }
        applyTransition(record, d.entry);
        entries.push(d.entry);
      }
      results.push({ record, entries });
    }
    return results;
  };

  if (opts.dryRun) return decide(await ctx.store.read(), false);

  return ctx.store.update(
    async (data) => {
      const results = decide(data, true);
      for (const r of results) {
        // The tombstone names every file whose content goes (not just the paths the user limited
        // the backup to), read from the snapshot while it still exists.
        if (r.record.tombstone && r.entries.some((e) => e.to === 'DELETED')) {
          r.record.tombstone.paths = await protectedPathsOf(ctx.repo, r.record.snapshot);
        }
      }
      return results;
    },
    {
      afterWrite: async (results) => {
        for (const r of results) {
          await appendNoteLines(ctx.repo, r.record.snapshot, r.entries.map((e) => noteLines(r.record, e)));
          if (r.record.state === 'DELETED') await deleteBackupRef(ctx.repo, r.record.id, r.record.snapshot);
        }
      },
    },
  );
}
