// `git backup recover`: the index (db.json) against the durable truth in git — refs/backups/* for
// content, refs/notes/backups for histories. Without --rebuild: check and repair what is safe.
// With --rebuild: replace db.json by records rebuilt from refs and notes alone.
import { rename, writeFile } from 'node:fs/promises';
import type { Context } from './context.js';
import type { BackupRecord } from '../core/types.js';
import { newRecord } from '../core/record.js';
import { parseNoteLines } from '../core/notes-format.js';
import { noteCatchUpLines, type NotedBackup } from '../core/note-catch-up.js';
import { isoTime } from '../core/record.js';
import { rebuildRecord } from '../core/rebuild.js';
import { BackupError, ExitCode } from '../errors.js';
import { git } from '../git/exec.js';
import { listNotes } from '../git/notes.js';
import { appendNotesBatch } from '../git/notes-batch.js';
import { deleteBackupRef, protectedContentOf, readSnapshotTrailers, writeBackupRef } from '../git/snapshot.js';
import { settleJournals } from './settle.js';
import { backupRefs, existingCommits } from './backup-refs.js';
import { holdsRef } from '../core/lifecycle.js';

export interface RecoverReport {
  mode: 'check' | 'rebuild';
  records: number;
  from_notes: number;
  from_snapshots: number;
  /** What was changed, one sentence each. */
  repaired: string[];
  /** What is wrong and was left alone. */
  problems: string[];
  /** Where the previous db.json was kept (rebuild only). */
  kept: string | null;
}

interface GitRecords {
  records: Map<string, BackupRecord>;
  fromNotes: Set<string>;
  problems: string[];
  refs: Map<string, string>;
  /** Backups that have a note: its events and what they replay to (so the note can be caught up). */
  notes: Map<string, NotedBackup>;
}

/** A record from the snapshot commit alone (a ref whose note never got written): CREATED, no history beyond creation. */
async function fromSnapshot(ctx: Context, id: string, sha: string): Promise<BackupRecord> {
  const t = await readSnapshotTrailers(ctx.repo, sha);
  const content = await protectedContentOf(ctx.repo, sha);
  const subject = (await git(['show', '-s', '--format=%s', sha], { cwd: ctx.repo.worktree })).stdout.trim();
  const m = /^On [^:]*: (.*)$/.exec(subject);
  return newRecord({
    id, created_at: t.created, message: m ? m[1]! : '', branch: t.branch, base: t.base, snapshot: sha, paths: t.paths,
    files: content.size, bytes: [...content.values()].reduce((a, b) => a + b, 0), include_ignored: t.includeIgnored,
    worktree: ctx.repo.worktree, reason: 'rebuilt from the snapshot commit (no note)',
  });
}

/** Every record git can vouch for: from its note when there is one, else from its snapshot's trailers. */
async function recordsFromGit(ctx: Context): Promise<GitRecords> {
  const refs = await backupRefs(ctx);
  const records = new Map<string, BackupRecord>();
  const fromNotes = new Set<string>();
  const noted = new Map<string, NotedBackup>();
  const problems: string[] = [];
  for (const [object, text] of await listNotes(ctx.repo)) {
    const { events, skipped } = parseNoteLines(text);
    if (!events.some((e) => e.event.event === 'created')) {
      if (events.some((e) => e.event.event === 'transition')) problems.push(`note on ${object.slice(0, 12)} has transitions but no creation line; ignored`);
      continue; // a user commit's "drove" lines
    }
    for (const s of skipped) problems.push(`note on ${object.slice(0, 12)}, line ${s.line}: ${s.why}; skipped`);
    const r = rebuildRecord(events, problems);
    records.set(r.id, r);
    fromNotes.add(r.id);
    noted.set(r.id, { events, record: r });
  }
  for (const [id, sha] of refs) {
    if (records.has(id)) continue;
    try {
      records.set(id, await fromSnapshot(ctx, id, sha));
    } catch (e) {
      problems.push(`refs/backups/${id}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  for (const r of records.values()) {
    if (holdsRef(r) && !refs.has(r.id)) problems.push(`${r.id} is ${r.state} but refs/backups/${r.id} is missing: its content cannot be restored`);
  }
  return { records, fromNotes, problems, refs, notes: noted };
}

export async function rebuildStore(ctx: Context): Promise<RecoverReport> {
  const g = await recordsFromGit(ctx);
  const rebuilt = [...g.records.values()].sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id < b.id ? -1 : 1));
  const kept = `${ctx.store.paths.db}.before-rebuild`;
  const repaired: string[] = [];
  try {
    await ctx.store.read();
  } catch (e) {
    if (!(e instanceof BackupError) || e.exitCode !== ExitCode.STORE_DAMAGED) throw e;
    // Both generations are damaged: keep them aside, then write a fresh store.
    await rename(ctx.store.paths.db, kept).catch(() => undefined);
    await rename(ctx.store.paths.prev, `${ctx.store.paths.prev}.before-rebuild`).catch(() => undefined);
    repaired.push(`moved the damaged db.json aside to ${kept}`);
  }
  await ctx.store.update(async (data) => {
    // Keep what the index held before (as read, possibly restored from db.json.prev); rewriting
    // it on a retry keeps the latest read, which is the right "before".
    await writeFile(kept, JSON.stringify(data, null, 2) + '\n', { mode: 0o600 });
    data.backups = structuredClone(rebuilt);
  });
  repaired.push(`rebuilt db.json with ${rebuilt.length} record(s); the previous index is kept as ${kept}`);
  return {
    mode: 'rebuild', records: rebuilt.length, from_notes: g.fromNotes.size, from_snapshots: rebuilt.length - g.fromNotes.size,
    repaired, problems: g.problems, kept,
  };
}

interface Repairs {
  deleteRefs: { id: string; sha: string }[];
  restoreRefs: { id: string; sha: string }[];
  /** Snapshot → lines its note lacks. */
  renote: Map<string, string[]>;
  repaired: string[];
  problems: string[];
  added: number;
}

export async function checkStore(ctx: Context): Promise<RecoverReport> {
  // Interrupted archives and deletes first, so the checks below see their finished state.
  const settled = await settleJournals(ctx);
  const g = await recordsFromGit(ctx);
  // Which snapshot objects still exist, for records whose ref is gone.
  const data0 = await ctx.store.read();
  const orphans = data0.backups.filter((b) => holdsRef(b) && !g.refs.has(b.id));
  // A deleted backup's note can only be caught up while git still has its snapshot to hang it on.
  const notedDeleted = data0.backups.filter((b) => b.state === 'DELETED' && g.notes.has(b.id));
  const exists = await existingCommits(ctx, [...orphans, ...notedDeleted].map((b) => b.snapshot));
  const at = isoTime(ctx.now);
  const result = await ctx.store.update(
    (data): Repairs => {
      const r: Repairs = { deleteRefs: [], restoreRefs: [], renote: new Map(), repaired: [], problems: [], added: 0 };
      const have = new Set(data.backups.map((b) => b.id));
      for (const b of data.backups) {
        const ref = g.refs.get(b.id);
        if (b.state === 'DELETED' && ref) {
          r.deleteRefs.push({ id: b.id, sha: ref });
          r.repaired.push(`${b.id} is DELETED but its ref remained: finished the deletion`);
        } else if (holdsRef(b) && !ref) {
          if (exists.has(b.snapshot)) {
            r.restoreRefs.push({ id: b.id, sha: b.snapshot });
            r.repaired.push(`${b.id}: refs/backups/${b.id} was missing; pointed it at its snapshot again`);
          } else r.problems.push(`${b.id} is ${b.state} but its content is gone (no ref, no snapshot object); mark it deleted with: git backup delete --force ${b.id}`);
        }
        const noted = g.notes.get(b.id);
        if (b.state === 'DELETED' && !(noted && exists.has(b.snapshot))) continue;
        const lines = noteCatchUpLines(b, noted, at);
        if (lines.length === 0) continue;
        r.renote.set(b.snapshot, lines);
        r.repaired.push(
          noted
            ? `${b.id}: its note lacked ${lines.length} line(s) the index has (a process stopped between the two writes); appended them`
            : `${b.id}: its note was missing; wrote it again from the index`,
        );
      }
      for (const [id, rec] of g.records) {
        if (have.has(id) || !g.refs.has(id)) continue;
        data.backups.push(structuredClone(rec));
        r.added++;
        r.repaired.push(`${id}: refs/backups/${id} had no record; added it from its ${g.fromNotes.has(id) ? 'note' : 'snapshot'}`);
      }
      return r;
    },
    {
      afterWrite: async (r) => {
        for (const x of r.deleteRefs) await deleteBackupRef(ctx.repo, x.id, x.sha);
        for (const x of r.restoreRefs) await writeBackupRef(ctx.repo, x.id, x.sha);
        await appendNotesBatch(ctx.repo, r.renote);
      },
    },
  );
  const data = await ctx.store.read();
  return {
    mode: 'check', records: data.backups.length, from_notes: 0, from_snapshots: 0, repaired: [...settled, ...result.repaired],
    problems: [...g.problems.filter((p) => !/content cannot be restored/.test(p)), ...result.problems], kept: null,
  };
}

