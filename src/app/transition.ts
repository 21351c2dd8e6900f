// Moving backups through the lifecycle. The core decides; this applies the decisions under the
// lock, all or nothing, then carries out their effects on git (refs, notes).
import type { Context } from './context.js';
import type { BackupRecord, BackupState, HistoryEntry, StoreData, Trigger } from '../core/types.js';
import type { UpdateOptions } from '../store/store.js';
import { decideTransition, applyTransition } from '../core/lifecycle.js';
import { countTransitions } from '../core/metrics.js';
import { formatNoteLine, noteLines, type RecordFacts } from '../core/notes-format.js';
import { applyFacts } from '../core/record.js';
import { BackupError, ExitCode } from '../errors.js';
import { backupRefsOf } from './backup-refs.js';
import { withIndex } from './resolve.js';
import { readProtects } from '../git/content.js';
import { readCleanupProofs } from './content.js';
import type { ProtectedEntry } from '../core/content.js';
import type { ArchiveInfo } from '../core/types.js';
import {
  archivedRecords, assertArchivePresent, discardArchives, finishArchive, finishArchiveDelete, journalArchiveDeletes, prepareArchives, removeRefIfThere,
  type PlannedArchiveDelete,
} from './archive.js';
import { endJournal } from '../store/journal.js';
import { settleJournals } from './settle.js';
import { logLine } from '../store/backup-log.js';

export interface TransitionOptions {
  trigger: Trigger;
  reason: string;
  force: boolean;
  dryRun: boolean;
  /**
   * Leave out, instead of aborting the batch, a move that is refused (deferred, or made stale by
   * a change since it was planned): for automatic triggers that simply try again next time.
   */
  skipRefused?: boolean;
  /** Changes of other records' fields written in the same store write (reconcile's content verdicts). */
  alongside?: RecordEdit;
}

/** A change of some records' fields (not their states), to be written with a batch of moves. */
export interface RecordEdit {
  ids: readonly string[];
  /** Change the records (those the index holds); runs again whenever the write is retried. */
  apply(records: ReadonlyMap<string, BackupRecord>): void;
}

export interface PlannedMove {
  id: string;
  /** The states the backup passes through, in order (one for a plain transition). */
  steps: BackupState[];
  /** Facts set together with each step (same index): written atomically with it and noted on its line. */
  stepFacts?: (RecordFacts | undefined)[];
  /** The user commit that drove each step (same index): it gets a short line in the notes too. */
  drivenBy?: (string | undefined)[];
  /** Facts that change before the steps, without a state change (noted as a `facts` event). */
  facts?: RecordFacts;
  /** Why each step happens (same index); defaults to the options' reason. */
  reasons?: string[];
  /** Apply only if the backup is still in this state (a plan made outside the lock may be stale). */
  expect?: BackupState;
}

export interface MoveResult {
  record: BackupRecord;
  entries: HistoryEntry[];
  /** The move that produced this result (its facts and driving commits are noted after the write). */
  move: PlannedMove;
}

/** Every note line a result adds, grouped by the object it annotates (snapshot or user commit). */
function notesOf(results: MoveResult[], at: Date): Map<string, string[]> {
  const out = new Map<string, string[]>();
  // Appended in place: one commit can drive thousands of backups (a copy per line was quadratic).
  const add = (object: string, line: string) => {
    const lines = out.get(object);
    if (lines) lines.push(line);
    else out.set(object, [line]);
  };
  for (const { record, entries, move } of results) {
    if (move.facts) add(record.snapshot, formatNoteLine(at, { event: 'facts', id: record.id, facts: move.facts }));
    entries.forEach((e, i) => {
      add(record.snapshot, noteLines(record, e, move.stepFacts?.[i]));
      const commit = move.drivenBy?.[i];
      if (commit && e.from !== null) add(commit, formatNoteLine(e.at, { event: 'drove', id: record.id, from: e.from, to: e.to, trigger: e.trigger }));
    });
  }
  return out;
}

/** Whether a batch's moves take a backup's ref away (archived, or deleted while it still had one). */
const removesRef = (r: MoveResult) => r.entries.some((e) => e.to === 'ARCHIVED') || (r.record.state === 'DELETED' && r.entries[0]?.from !== 'ARCHIVED');

/**
 * The refusal of deleting a backup whose ref now points elsewhere (moved by hand); null when it is
 * at its snapshot or gone. recover does not move it back (the commit it points at now may be the
 * user's, reachable from nowhere else): the message says how to, for whoever knows.
 */
function refMovedError(record: BackupRecord, at: string | undefined): BackupError | null {
  if (at === undefined || at === record.snapshot) return null;
  return new BackupError(ExitCode.INVALID, `refs/backups/${record.id} points at ${at.slice(0, 12)}, not at its snapshot ${record.snapshot.slice(0, 12)}: ${record.id} was left as it was; if the ref was moved by mistake, point it back with: git update-ref refs/backups/${record.id} ${record.snapshot}`);
}

/**
 * Apply every move or none: each step of each backup is decided against the state the previous
 * step left, and the first refusal aborts the whole batch before anything is written.
 */
export async function moveBackups(ctx: Context, plannedMoves: PlannedMove[], opts: TransitionOptions): Promise<MoveResult[]> {
  let moves = plannedMoves;
  const decide = (data: { backups: BackupRecord[] }, write: boolean, cold: ReadonlyMap<string, BackupRecord> = new Map()): MoveResult[] => {
    const results: MoveResult[] = [];
    // One index for the batch: a find per move made a tick over N backups cost N² (issue 8).
    const index = new Map(data.backups.map((b) => [b.id, b]));
    for (const move of moves) {
      // A tombstone in the cold store is found too, and refused like any move from DELETED.
      const found = index.get(move.id) ?? cold.get(move.id);
      if (!found) throw new BackupError(ExitCode.NOT_FOUND, `no backup ${move.id}; see git backup list`);
      if (move.expect !== undefined && found.state !== move.expect) {
        if (opts.skipRefused) continue;
        throw new BackupError(ExitCode.INVALID, `${move.id}: is ${found.state} now, not ${move.expect}; nothing changed`);
      }
      // Decide every step on a copy first, so a refused later step leaves this backup untouched.
      const record = structuredClone(found);
      const entries: HistoryEntry[] = [];
      let refused: BackupError | null = null;
      for (const [i, to] of move.steps.entries()) {
        // Never dated before the step it follows (clocks of two machines sharing a store may differ).
        const last = record.history[record.history.length - 1]?.at;
        const at = last && Date.parse(last) > ctx.now.getTime() ? new Date(last) : ctx.now;
        const d = decideTransition(record, { to, trigger: opts.trigger, reason: move.reasons?.[i] ?? opts.reason, force: opts.force, at });
        if (!d.ok) {
          refused = new BackupError(d.code, `${move.id}: ${d.message}`);
          break;
        }
        if (record.state === 'ARCHIVED' && to !== 'DELETED') {
          // Its ref is gone: any live state would claim content that only the archive holds.
          refused = new BackupError(ExitCode.INVALID, `${move.id}: an ARCHIVED backup can only be DELETED (even with --force); to get its content back use git backup restore ${move.id}`);
          break;
        }
        applyTransition(record, d.entry);
        applyFacts(record, move.stepFacts?.[i]);
        entries.push(d.entry);
      }
      if (refused) {
        if (opts.skipRefused && refused.exitCode !== ExitCode.USAGE) continue;
        throw refused;
      }
      if (move.facts) {
        applyFacts(record, move.facts);
        record.updated_at = ctx.now.toISOString();
      }
      if (write) Object.assign(found, record);
      results.push({ record: write ? found : record, entries, move });
    }
    return results;
  };

  /** Tombstones in the cold store that the moves name (only ids the index lacks: a user's mistake, so rare). */
  const coldOf = async (hot: ReadonlySet<string>, index: Pick<StoreData, 'cold'>): Promise<Map<string, BackupRecord>> => {
    const out = new Map<string, BackupRecord>();
    for (const m of moves) {
      if (hot.has(m.id) || out.has(m.id)) continue;
      for (const r of await ctx.store.tombstones(index, { prefix: m.id, wanted: (id) => id === m.id })) out.set(r.id, r);
    }
    return out;
  };
  /** The records the moves name (as a full read has them) and the tombstones among them: parsed alone from a large index when it can (Store.lookup). */
  const read = (): Promise<[Pick<StoreData, 'backups'>, Map<string, BackupRecord>]> =>
    withIndex(ctx, async (index) => {
      const backups = [...new Set(moves.map((m) => m.id))].flatMap((id) => index.record(id) ?? []);
      return [{ backups }, await coldOf(new Set(index.ids), index)];
    });
  /** The moves, counted by trigger into the stats written with them (status --prometheus: git_backup_transitions_total). */
  const counted = (stats: StoreData['stats'], results: MoveResult[]): StoreData['stats'] => {
    const byTrigger = new Map<string, number>();
    for (const e of results.flatMap((r) => r.entries)) byTrigger.set(e.trigger, (byTrigger.get(e.trigger) ?? 0) + 1);
    for (const [trigger, n] of byTrigger) stats = countTransitions(stats, trigger, 'applied', n);
    return stats;
  };

  if (opts.dryRun) {
    const [data, cold] = await read();
    return decide(data, false, cold);
  }

  await settleJournals(ctx);
  // Archives are written and verified before the store update, outside the lock (they only read
  // the snapshot); deletions of archives are journaled before it. Both are planned on a fresh read
  // and checked again under the lock, where a mismatch aborts the batch (nothing is written).
  // Only batches that archive or delete need the preview (reconcile's moves, the hot path, do not).
  const needsPreview = moves.some((m) => m.steps.includes('ARCHIVED') || m.steps.includes('DELETED'));
  let preview: MoveResult[] = [];
  if (needsPreview) {
    const [data, cold] = await read();
    preview = decide(data, false, cold);
  }
  const failed = new Set<string>();
  // A ref moved by hand: that backup is refused before anything is prepared (an automatic batch goes
  // on without it, so one moved ref does not stop every tick); checked again under the lock below.
  const unref = preview.filter(removesRef);
  const refsNow = unref.length ? await backupRefsOf(ctx, unref.map((r) => r.record.id)) : new Map<string, string>();
  for (const r of unref) {
    const moved = refMovedError(r.record, refsNow.get(r.record.id));
    if (!moved) continue;
    if (!opts.skipRefused) throw moved;
    failed.add(r.record.id);
    logLine(ctx.store.paths.dir, moved.message);
  }
  const archiving = preview.filter((r) => r.entries.some((e) => e.to === 'ARCHIVED') && !failed.has(r.record.id)).map((r) => r.record);
  const settled = await settledPaths(ctx, archiving);
  const prepared = await prepareArchives(
    ctx,
    archiving.map((r) => ({ id: r.id, snapshot: r.snapshot, settled: settled.get(r.id) ?? new Set<string>() })),
    opts.skipRefused
      ? (id, e) => {
          failed.add(id);
          logLine(ctx.store.paths.dir, `archive of ${id} failed, left as it was: ${e instanceof Error ? e.message : String(e)}`);
        }
      : undefined,
  );
  moves = moves.filter((m) => !failed.has(m.id));
  const byId = new Map(prepared.map((p) => [p.id, p]));
  moves = moves.map((m) => (byId.has(m.id) ? addArchiveFacts(m, byId.get(m.id)!.info) : m));
  let deletes: PlannedArchiveDelete[] = [];
  // Once the store write is durable, prepared archives are recorded: never discard them then; a
  // failure in the effects after it leaves their journal entries for settleJournals to finish.
  let written = false;
  try {
    const doomed = preview
      .filter((r) => r.record.state === 'DELETED' && !failed.has(r.record.id))
      .map((r) => ({ ...r.record, archive: byId.get(r.record.id)?.info ?? r.record.archive ?? null }));
    deletes = await journalArchiveDeletes(ctx, archivedRecords(doomed));
    const deleting = new Set(deletes.map((d) => d.id));
    const effects: UpdateOptions<MoveResult[]> = {
      // The notes first (the truth), then the index, then the content effects.
      notes: (results) => {
        written = true;
        return { lines: notesOf(results, ctx.now) };
      },
      afterWrite: async (results) => {
        for (const r of results) {
          const p = byId.get(r.record.id);
          if (p) await finishArchive(ctx, p);
          else if (r.record.state === 'DELETED' && r.entries[0]?.from !== 'ARCHIVED') await removeRefIfThere(ctx, r.record.id, r.record.snapshot);
          const d = deletes.find((x) => x.id === r.record.id);
          if (d && r.record.state === 'DELETED') await finishArchiveDelete(d);
        }
      },
    };
    /**
     * What an archive or a delete must still hold under the lock, or the batch is refused before
     * anything is recorded; and the paths each tombstone names.
     */
    const checkUnderLock = async (results: MoveResult[]): Promise<void> => {
      // The tombstone names every file whose content goes (not just the paths the user limited
      // the backup to): the record's protected entries, or read back from the snapshots while
      // they still exist, all in one batch (one process per backup made a tick over thousands
      // of old backups take minutes, issue 8). An archived one's objects may be gone: then the
      // record's paths stay.
      const dying = results.filter((r) => r.record.tombstone && r.entries.some((e) => e.to === 'DELETED'));
      const readBack = await readProtects(ctx.repo, dying.filter((r) => !r.record.protects).map((r) => r.record.snapshot)).catch(() => new Map<string, ProtectedEntry[]>());
      for (const r of dying) {
        const entries = r.record.protects ?? readBack.get(r.record.snapshot);
        if (entries) r.record.tombstone!.paths = [...new Set(entries.map((e) => e.path))];
      }
      // A ref that now points elsewhere (moved by hand) is not ours to remove: refuse before
      // anything is recorded, so exit 3 means nothing changed. A ref already gone is no obstacle.
      const unref = results.filter(removesRef);
      const refs = unref.length ? await backupRefsOf(ctx, unref.map((r) => r.record.id)) : new Map<string, string>();
      for (const r of unref) {
        const moved = refMovedError(r.record, refs.get(r.record.id));
        if (moved) throw moved;
      }
      for (const r of results) {
        const archived = r.entries.some((e) => e.to === 'ARCHIVED');
        if (archived && !byId.has(r.record.id)) throw changedError(r.record.id);
        if (archived) await assertArchivePresent(byId.get(r.record.id)!);
        if (r.record.state === 'DELETED' && r.record.archive && !deleting.has(r.record.id)) throw changedError(r.record.id);
      }
    };
    // Only the records the moves name are read and written (store.patch), not a large index whole;
    // a record made DELETED leaves the index for the cold store in the same write.
    const results = await ctx.store.patch(
      [...new Set([...moves.map((m) => m.id), ...(opts.alongside?.ids ?? [])])],
      async (records, head) => {
        const results = decide({ backups: [...records.values()] }, true, await coldOf(new Set(records.keys()), head));
        // Counted in the same write (status --prometheus: git_backup_transitions_total).
        head.stats = counted(head.stats, results);
        opts.alongside?.apply(records);
        if (needsPreview) await checkUnderLock(results);
        return results;
      },
      effects,
    );
    // Prepared work that the batch left out (skipRefused) is undone.
    const done = new Set(results.map((r) => r.record.id));
    await discardArchives(prepared.filter((p) => !done.has(p.id)));
    for (const d of deletes) if (!done.has(d.id)) await endJournal(d.journal);
    return results;
  } catch (e) {
    if (!written) {
      await discardArchives(prepared);
      for (const d of deletes) await endJournal(d.journal);
    }
    throw e;
  }
}

function changedError(id: string): BackupError {
  return new BackupError(ExitCode.INVALID, `${id} changed while its archive was being prepared; nothing changed, retry`);
}

/** The move with the archive's info set on its ARCHIVED step (written with it, and noted on its line). */
function addArchiveFacts(move: PlannedMove, info: ArchiveInfo): PlannedMove {
  const i = move.steps.indexOf('ARCHIVED');
  const stepFacts = move.steps.map((_, k) => move.stepFacts?.[k]);
  stepFacts[i] = { ...stepFacts[i], archive: info };
  return { ...move, stepFacts };
}

/**
 * id → the protected paths none of whose content is unique in the integration branch (held or
 * superseded there): an archive need not keep their staged version (git/archive.ts). Unknown
 * (no integration branch, an error): none, and a staged-only version is refused as before.
 */
async function settledPaths(ctx: Context, records: readonly BackupRecord[]): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  if (records.length === 0) return out;
  const { proofs, protects } = await readCleanupProofs(ctx, records).catch(() => ({ proofs: new Map(), protects: new Map() }));
  for (const r of records) {
    const proof = proofs.get(r.id);
    const entries: readonly ProtectedEntry[] | null | undefined = protects.get(r.id) ?? r.protects;
    if (!proof || !entries) continue;
    const unique = new Set(proof.unique);
    out.set(r.id, new Set(entries.map((e) => e.path).filter((p) => !unique.has(p))));
  }
  return out;
}
