// `git backup recover`: the index (db.json) against the durable truth in git — refs/backups/* for
// content, refs/notes/backups for histories. Without --rebuild: check and repair what is safe.
// With --rebuild: replace db.json by records rebuilt from refs and notes alone.
import { open, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context } from './context.js';
import type { BackupRecord, StoreData } from '../core/types.js';
import { isStrayLine, noteLines, parseNoteLines, type SkippedLine } from '../core/notes-format.js';
import { FILE_MODE } from '../fs/durable-write.js';
import { noteCatchUpLines, type NotedBackup } from '../core/note-catch-up.js';
import { isoTime } from '../core/record.js';
import { rebuildRecord } from '../core/rebuild.js';
import { othersIn } from './clone.js';
import { eachNote } from '../git/notes.js';
import { deleteBackupRef, writeBackupRef } from '../git/snapshot.js';
import { removeStaleScratch } from '../git/tree.js';
import { recordFromSnapshot } from './ledger.js';
import { isBackupId } from '../core/ids.js';
import { archivePathOf } from './archive.js';
import { unreadableJournals } from '../store/journal.js';
import { settleJournals } from './settle.js';
import { backupRefs, existingCommits } from './backup-refs.js';
import { holdsRef } from '../core/lifecycle.js';
import { coldCount, segmentOf } from '../core/cold.js';
import { notesRepairDone, notesRepairPending, repairNotesRef } from './notes-repair.js';

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
  /** Lines of our notes (a backup's, a user commit's) that are not events at all (isStrayLine), by annotated object. */
  stray: Map<string, SkippedLine[]>;
}

/**
 * Every record git can vouch for: from its note when there is one, else from its snapshot's
 * trailers. `keep` (default: all) says which rebuilt records to hold: a check of a year of agent
 * checkpoints needs few of its million tombstones, and holding them all took 3.7 GB.
 */
async function recordsFromGit(
  ctx: Context,
  keep: (r: BackupRecord, refs: ReadonlyMap<string, string>) => boolean = () => true,
  // Refs without a note are read back from their snapshots (six git processes each): a check
  // needs that only for the refs its index lacks (with the notes lost, 300 refs took 13 s).
  adopt: (id: string) => boolean = () => true,
): Promise<GitRecords> {
  const refs = await backupRefs(ctx);
  const records = new Map<string, BackupRecord>();
  const fromNotes = new Set<string>();
  const noted = new Map<string, NotedBackup>();
  const problems: string[] = [];
  const stray = new Map<string, SkippedLine[]>();
  // Note by note, in chunks: the texts (~640 MB at a million notes) are not all held at once.
  await eachNote(ctx.repo, (object, text, utf8) => {
    const { events, skipped } = parseNoteLines(text);
    // Text put by hand into any note of ours, a backup's or a user commit's (whose lines say which
    // backups its arrival drove): ci fails on it, and only recover takes it out. Not from a note
    // that is not UTF-8 text: written back from its text, the bytes it does not show (U+FFFD)
    // would be lost, in the lines it keeps and in those kept in removed-note-lines.
    const strayHere = skipped.filter(isStrayLine);
    if (strayHere.length > 0 && utf8) stray.set(object, strayHere);
    if (strayHere.length > 0 && !utf8) {
      problems.push(`note on ${object.slice(0, 12)} is not UTF-8 text: its line(s) ${strayHere.map((s) => s.line).join(', ')} that are not events are left in it; edit it by hand (git notes --ref=backups edit ${object})`);
    }
    if (!events.some((e) => e.event.event === 'created')) {
      if (events.some((e) => e.event.event === 'transition')) problems.push(`note on ${object.slice(0, 12)} has transitions but no creation line; ignored`);
      // A user commit's "drove" lines: a line of it that does not read, but that recover does not
      // take out (it may be a damaged or a newer event), is named as ci names it.
      for (const sk of skipped) if (!isStrayLine(sk)) problems.push(`note on ${object.slice(0, 12)}, line ${sk.line}: ${sk.why}; left for a person (git notes --ref=backups edit ${object})`);
      return;
    }
    for (const sk of skipped) if (!isStrayLine(sk)) problems.push(`note on ${object.slice(0, 12)}, line ${sk.line}: ${sk.why}; skipped`);
    const r = rebuildRecord(events, problems);
    if (!keep(r, refs)) return;
    records.set(r.id, r);
    fromNotes.add(r.id);
    noted.set(r.id, { events, record: r });
  });
  for (const [id, sha] of refs) {
    if (records.has(id) || !adopt(id)) continue;
    // Not named like a backup (refs/backups/x made by hand): adopted, it was a record no command
    // could name, and its creation line went into the note of the backup whose snapshot it names.
    if (!isBackupId(id)) {
      problems.push(`refs/backups/${id} is not named like a backup (ids look like 20261121-202707-3fa9); left alone`);
      continue;
    }
    try {
      records.set(id, await recordFromSnapshot(ctx.repo, id, sha));
    } catch (e) {
      problems.push(`refs/backups/${id}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const foreign = await othersIn(ctx, [...records.values()]);
  for (const r of records.values()) {
    if (holdsRef(r) && !refs.has(r.id) && !foreign(r)) problems.push(`${r.id} is ${r.state} but refs/backups/${r.id} is missing: its content cannot be restored`);
  }
  return { records, fromNotes, problems, refs, notes: noted, stray };
}

/** Where recover keeps the lines it took out of notes: `<object id> <line>`, one a line. */
const removedNoteLines = (ctx: Context): string => join(ctx.store.paths.dir, 'removed-note-lines');

interface Moved {
  /** Object → lines the update's notes write takes out. */
  drop: Map<string, string[]>;
  repaired: string[];
}

/**
 * Lines of our notes that are not events at all (text a person appended, `git notes append`):
 * kept in removed-note-lines first (appended and synced, before the notes write that takes them
 * out; an entry already there is not repeated, so an update that runs fn again, or a recover killed
 * after this, keeps each once), and handed to the write that drops them in one notes commit.
 */
async function moveStrayLines(ctx: Context, stray: ReadonlyMap<string, SkippedLine[]>): Promise<Moved> {
  const moved: Moved = { drop: new Map(), repaired: [] };
  if (stray.size === 0) return moved;
  const file = removedNoteLines(ctx);
  const before = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? '' : Promise.reject(e)));
  const kept = new Set(before.split('\n'));
  const entries: string[] = [];
  for (const [object, lines] of stray) {
    moved.drop.set(object, lines.map((l) => l.text));
    for (const l of lines) {
      const entry = `${object} ${l.text}`;
      if (!kept.has(entry)) entries.push(entry);
      moved.repaired.push(`note on ${object.slice(0, 12)}: line ${l.line} was not an event; moved to ${file}`);
    }
  }
  if (entries.length) {
    const fh = await open(file, 'a', FILE_MODE);
    try {
      // A last line without its LF (the file edited by hand) is not run into the first entry.
      await fh.writeFile((before === '' || before.endsWith('\n') ? '' : '\n') + entries.join('\n') + '\n');
      await fh.sync();
    } finally {
      await fh.close();
    }
  }
  return moved;
}

/** The creation line of a record adopted from its snapshot (it had no note). */
function creationNote(r: BackupRecord): [string, string[]] {
  return [r.snapshot, [noteLines(r, r.history[0]!)]];
}

/** Archive files that ARCHIVED records name but that are gone: their content cannot be restored. */
async function missingArchives(ctx: Context, records: BackupRecord[]): Promise<string[]> {
  const out: string[] = [];
  for (const r of records) {
    if (r.state !== 'ARCHIVED') continue;
    if (!r.archive) {
      out.push(`${r.id} is ARCHIVED but its record names no archive: its content cannot be restored`);
      continue;
    }
    const path = await archivePathOf(ctx, r.archive);
    if (await stat(path).then((st) => st.isFile(), () => false)) continue;
    const copy = (r.copies ?? []).find((c) => c.kind === 'archive');
    out.push(
      copy
        ? `${r.id} is ARCHIVED but its archive ${path} is missing here; a verified copy is on ${copy.remote}: git backup fetch ${copy.remote}`
        : `${r.id} is ARCHIVED but its archive ${path} is missing: its content cannot be restored from here`,
    );
  }
  return out;
}

/** Journal files that are not journal entries: never settled automatically, so a person is told. */
async function journalProblems(ctx: Context): Promise<string[]> {
  return (await unreadableJournals(ctx.store.paths.dir)).map((f) => `${f} is not a journal entry git backup can read; it was left alone (look at it, then remove it)`);
}

export async function rebuildStore(ctx: Context): Promise<RecoverReport> {
  const kept = `${ctx.store.paths.db}.before-rebuild`;
  const repaired: string[] = [];
  // Note lines the index has and the notes lack (a note trimmed by hand) are caught up by a load's
  // sync and written with the write that follows it: in the rebuild's own write they came after its
  // read of the notes, so they reached the notes (and the notes_tip the index records) but not the
  // rebuilt records (a deleted backup came back CREATED, for good). One write first puts them there
  // (patch: an index already up to the notes has nothing to catch up, and its bytes are copied).
  await ctx.store.patch([], () => undefined);
  // Everything is read under the lock: a writer in progress finishes first, and the rebuild sees its notes.
  let notesRepair: string | null = null;
  const out = await ctx.store.update(
    async (data) => {
      notesRepair = (await repairNotesRef(ctx, data)) ?? notesRepair;
      const g = await recordsFromGit(ctx);
      // Keep what the index held before (as read, possibly restored from db.json.prev or the notes);
      // rewriting it on a retry keeps the latest read, which is the right "before".
      await writeFile(kept, JSON.stringify(data, null, 2) + '\n', { mode: 0o600 });
      const rebuilt = [...g.records.values()].sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id < b.id ? -1 : 1));
      data.backups = structuredClone(rebuilt);
      // The cold store is written again from the rebuilt tombstones: an index that accounts for no
      // segment makes the compaction of this write start every segment from its first byte.
      delete data.cold;
      const renote = new Map(rebuilt.filter((r) => !g.fromNotes.has(r.id)).map(creationNote));
      return { g, rebuilt, renote, moved: await moveStrayLines(ctx, g.stray) };
    },
    { notes: (r) => ({ lines: r.renote, drop: r.moved.drop }) },
  );
  // Rebuilt from the notes alone: there is no index history left to write into them.
  await notesRepairDone(ctx);
  if (notesRepair) repaired.push(notesRepair);
  repaired.push(`rebuilt db.json with ${out.rebuilt.length} record(s); the previous index is kept as ${kept}`);
  for (const [sha] of out.renote) repaired.push(`${out.rebuilt.find((r) => r.snapshot === sha)?.id}: had no note; wrote its creation line from the snapshot`);
  repaired.push(...out.moved.repaired);
  const foreign = await othersIn(ctx, out.rebuilt);
  const problems = [...out.g.problems, ...(await missingArchives(ctx, out.rebuilt.filter((b) => !foreign(b)))), ...(await journalProblems(ctx))];
  return {
    mode: 'rebuild', records: out.rebuilt.length, from_notes: out.g.fromNotes.size, from_snapshots: out.rebuilt.length - out.g.fromNotes.size,
    repaired, problems, kept,
  };
}

interface Repairs {
  deleteRefs: { id: string; sha: string }[];
  restoreRefs: { id: string; sha: string }[];
  /** Snapshot → lines its note lacks. */
  renote: Map<string, string[]>;
  /** Object → lines taken out of its note (not events; kept in removed-note-lines). */
  drop: Map<string, string[]>;
  repaired: string[];
  problems: string[];
  added: number;
  gitProblems: string[];
}

/**
 * Cold segments whose bytes are not what the index accounts for (garbled, cut short) are written
 * again by this update's compaction: the lines that still read, and every tombstone of that month
 * the notes know (the notes are the truth for tombstones too). Mutates `data` only.
 */
async function rewriteDamagedCold(ctx: Context, data: StoreData, damaged: ReadonlyMap<string, string>, g: GitRecords, r: Repairs): Promise<void> {
  if (damaged.size === 0) return;
  const hot = new Set(data.backups.map((b) => b.id));
  for (const [segment, why] of damaged) {
    const keep = new Map((await ctx.store.tombstones(data, { wanted: (id) => segmentOf(id) === segment && !hot.has(id) })).map((t) => [t.id, t]));
    const intact = keep.size;
    for (const rec of g.records.values()) {
      if (rec.state === 'DELETED' && segmentOf(rec.id) === segment && !hot.has(rec.id) && !keep.has(rec.id)) keep.set(rec.id, structuredClone(rec));
    }
    // An index that accounts for none of the segment: the compaction starts it from its first byte.
    delete data.cold![segment];
    for (const t of keep.values()) data.backups.push(t);
    r.repaired.push(`the cold store segment ${segment} was damaged (${why}); wrote it again with ${keep.size} tombstone(s), ${keep.size - intact} of them from the notes`);
  }
}

export async function checkStore(ctx: Context): Promise<RecoverReport> {
  // Interrupted archives and deletes first, so the checks below see their finished state.
  const settled = await settleJournals(ctx);
  let notesRepair: string | null = null;
  let unfinished = false;
  const result = await ctx.store.update(
    // All of it under the lock, on the index as brought up to the notes: no writer is between its
    // note and its index write while we look, so nothing in progress is taken for damage.
    async (data): Promise<Repairs> => {
      // A damaged notes ref first: the notes are read from the repaired one.
      notesRepair = (await repairNotesRef(ctx, data)) ?? notesRepair;
      // Or one a killed recover put back without writing the index's history into it.
      unfinished = !notesRepair && (await notesRepairPending(ctx));
      const damaged = await ctx.store.coldDamage(data);
      const have = new Set(data.backups.map((b) => b.id));
      // What the checks below look at: the index's backups, those with a ref or that should have
      // one, a damaged segment's tombstones; all of them when the notes ref was (or is being) repaired.
      // Noted backups outside the index, counted for the tombstones' notes below (ids only).
      const notedOutside = new Set<string>();
      const needed = (rec: BackupRecord, refs: ReadonlyMap<string, string>) => {
        if (!have.has(rec.id)) notedOutside.add(rec.id);
        return notesRepair !== null || unfinished || have.has(rec.id) || refs.has(rec.id) || holdsRef(rec) || (rec.state === 'DELETED' && damaged.has(segmentOf(rec.id)));
      };
      const g = await recordsFromGit(ctx, needed, (id) => !have.has(id));
      const foreign = await othersIn(ctx, data.backups);
      // Another clone's backups have no ref here (their content, if fetched, is under refs/backups-remote/): not ours to repair.
      const orphans = data.backups.filter((b) => holdsRef(b) && !g.refs.has(b.id) && !foreign(b));
      // And the commits our refs point at: a ref to an object that is gone (pruned under a racing
      // write, deleted by hand) holds nothing, and makes git log --all, git gc and git repack fail.
      const pointed = data.backups.filter((b) => holdsRef(b) && g.refs.has(b.id) && !foreign(b)).map((b) => g.refs.get(b.id)!);
      const exists = await existingCommits(ctx, [...orphans.map((b) => b.snapshot), ...pointed]);
      const at = isoTime(ctx.now);
      const moved = await moveStrayLines(ctx, g.stray);
      const r: Repairs = { deleteRefs: [], restoreRefs: [], renote: new Map(), drop: moved.drop, repaired: moved.repaired, problems: [], added: 0, gitProblems: g.problems };
      for (const b of data.backups) {
        if (foreign(b)) continue;
        const ref = g.refs.get(b.id);
        if (b.state === 'DELETED' && ref) {
          r.deleteRefs.push({ id: b.id, sha: ref });
          r.repaired.push(`${b.id} is DELETED but its ref remained: finished the deletion`);
        } else if (holdsRef(b) && ref && !exists.has(ref)) {
          r.deleteRefs.push({ id: b.id, sha: ref });
          r.repaired.push(`${b.id}: refs/backups/${b.id} pointed at ${ref.slice(0, 12)}, which is not in the repository; removed the ref (git log --all and git gc failed on it)`);
          r.problems.push(`${b.id} is ${b.state} but its content is gone (its snapshot object is missing); mark it deleted with: git backup delete --force ${b.id}`);
        } else if (holdsRef(b) && !ref) {
          if (exists.has(b.snapshot)) {
            r.restoreRefs.push({ id: b.id, sha: b.snapshot });
            r.repaired.push(`${b.id}: refs/backups/${b.id} was missing; pointed it at its snapshot again`);
          } else r.problems.push(`${b.id} is ${b.state} but its content is gone (no ref, no snapshot object); mark it deleted with: git backup delete --force ${b.id}`);
        }
        // An index written before notes came first may be ahead of its note (a DELETED line that
        // gc kept from reaching it, a kill between the two writes): the note is caught up, on the
        // snapshot's note even when the snapshot itself was pruned.
        const lines = noteCatchUpLines(b, g.notes.get(b.id), at);
        if (lines.length === 0) continue;
        r.renote.set(b.snapshot, lines);
        r.repaired.push(
          g.notes.has(b.id)
            ? `${b.id}: its note lacked ${lines.length} line(s) the index has (written by an older git-backup, or a process stopped between the two writes); appended them`
            : `${b.id}: its note was missing; wrote it again from the index`,
        );
      }
      // Tombstones in the cold store whose ref remained (a kill between the index write and the ref removal).
      const cold = new Set((await ctx.store.tombstones(data, { wanted: (id) => !have.has(id) && g.refs.has(id) })).map((t) => t.id));
      // Notes put back at an older commit (or started again) lack what the index learned since,
      // tombstones included: the cold store is read whole, once, for this repair only.
      // So do notes removed by hand: `git notes prune` drops every note on a pruned snapshot, which
      // is every tombstone's after gc. Fewer noted backups outside the index than the cold store
      // counts means some tombstone's note is gone (each one noted counts once).
      const coldNotesGone = notedOutside.size < coldCount(data.cold);
      if (notesRepair || unfinished || coldNotesGone) {
        // After a notes-ref repair every note was kept (g.notes); otherwise only the tombstones
        // without one are written (those with one were not kept, and are not behind).
        const everyNote = notesRepair !== null || unfinished;
        let rewritten = 0;
        for (const t of await ctx.store.tombstones(data, { wanted: (id) => !have.has(id) && (everyNote || !notedOutside.has(id)) })) {
          const lines = noteCatchUpLines(t, g.notes.get(t.id), at);
          if (lines.length) r.renote.set(t.snapshot, lines);
          if (lines.length && !g.notes.has(t.id)) rewritten++;
        }
        if (coldNotesGone && rewritten) r.repaired.push(`${rewritten} tombstone(s) in the cold store had no note (removed by git notes prune or by hand); wrote them again from the cold store`);
      }
      for (const [id, rec] of g.records) {
        if (have.has(id) || !g.refs.has(id)) continue;
        if (cold.has(id) || rec.state === 'DELETED') {
          r.deleteRefs.push({ id, sha: g.refs.get(id)! });
          r.repaired.push(`${id} is DELETED but its ref remained: finished the deletion`);
          if (cold.has(id)) continue;
        }
        data.backups.push(structuredClone(rec));
        r.added++;
        if (!g.fromNotes.has(id)) {
          const [sha, lines] = creationNote(rec);
          r.renote.set(sha, lines);
        }
        r.repaired.push(`${id}: refs/backups/${id} had no record; added it from its ${g.fromNotes.has(id) ? 'note' : 'snapshot (and wrote its note)'}`);
      }
      await rewriteDamagedCold(ctx, data, damaged, g, r);
      return r;
    },
    {
      notes: (r) => ({ lines: r.renote, drop: r.drop }),
      afterWrite: async (r) => {
        for (const x of r.deleteRefs) await deleteBackupRef(ctx.repo, x.id, x.sha);
        for (const x of r.restoreRefs) await writeBackupRef(ctx.repo, x.id, x.sha);
      },
    },
  );
  await notesRepairDone(ctx);
  const data = await ctx.store.read();
  const foreign = await othersIn(ctx, data.backups);
  const health = ctx.store.health;
  // Temporary indexes, staging directories and kept shells' input directories that killed commands left.
  const scratch = await removeStaleScratch(ctx.tmpDir, /^(index|restore|launch)-/);
  const repaired = [...settled, ...(notesRepair ? [notesRepair] : []), ...result.repaired];
  if (scratch) repaired.push(`removed ${scratch} temporary director${scratch === 1 ? 'y' : 'ies'} that killed commands left in ${ctx.tmpDir}`);
  if (health.source !== 'db' && health.source !== 'new' && health.problem) repaired.unshift(`${health.problem}; wrote the index again from refs and notes`);
  return {
    mode: 'check', records: data.backups.length + coldCount(data.cold), from_notes: 0, from_snapshots: 0, repaired,
    problems: [
      ...result.gitProblems.filter((p) => !/content cannot be restored/.test(p)),
      ...result.problems,
      ...(await missingArchives(ctx, data.backups.filter((b) => !foreign(b)))),
      ...(await journalProblems(ctx)),
    ],
    kept: null,
  };
}
