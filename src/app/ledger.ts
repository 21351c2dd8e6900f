// The durable record (refs/backups/* for content, refs/notes/backups for every backup's life) as
// the store sees it: the truth that db.json is derived from (docs/store.md, "One truth").
//
// - write: note lines go first, under the store lock; the tip they make is recorded in db.json.
// - sync: an index whose notes_tip differs from the notes ref is behind (a process killed between
//   the note write and the index write, a sync that merged another clone's notes, an index restored
//   from db.json.prev): the notes that changed between the two tips are replayed into it. An index
//   that is gone (both generations deleted or damaged) is rebuilt whole from refs and notes, and a
//   ref without a note (a create killed between its ref and its note) is adopted from its
//   snapshot's trailers, with a note written for it.
import type { RepoPaths } from '../git/exec.js';
import { git } from '../git/exec.js';
import type { BackupRecord, StoreData } from '../core/types.js';
import { newRecord } from '../core/record.js';
import { noteLines, parseNoteLines } from '../core/notes-format.js';
import { mergeFromNotes, rebuildRecord } from '../core/rebuild.js';
import { linesToCatchUp, noteBehind } from '../core/note-catch-up.js';
import { createBackupRefs, notesTip, writeNoteLines } from '../git/notes-write.js';
import { asObjectWriter } from '../store/object-writers.js';
import { notesCommitProblem } from '../git/notes-ref.js';
import { notesChangedBetween } from '../git/notes.js';
import { protectedContentOf, readSnapshotTrailers } from '../git/snapshot.js';
import { worktreeKey } from './clone.js';
import { isBackupId } from '../core/ids.js';
import type { OwnCommits } from '../core/own-commits.js';
import { storePaths, type ColdLookup, type Ledger, type NotePlan } from '../store/store.js';

/** A record from the snapshot commit alone (a ref whose note never got written): CREATED, no history beyond creation. */
export async function recordFromSnapshot(repo: RepoPaths, id: string, sha: string): Promise<BackupRecord> {
  const t = await readSnapshotTrailers(repo, sha);
  const content = await protectedContentOf(repo, sha);
  const subject = (await git(['show', '-s', '--format=%s', sha], { cwd: repo.worktree })).stdout.trim();
  const m = /^On [^:]*: (.*)$/.exec(subject);
  return newRecord({
    id, created_at: t.created, message: m ? m[1]! : '', branch: t.branch, base: t.base, snapshot: sha, paths: t.paths,
    files: content.size, bytes: [...content.values()].reduce((a, b) => a + b, 0), include_ignored: t.includeIgnored,
    worktree: worktreeKey(repo), reason: 'rebuilt from the snapshot commit (no note)',
  });
}

/** refs/backups/<id> → commit. */
export async function listBackupRefs(repo: RepoPaths): Promise<Map<string, string>> {
  const out = await git(['for-each-ref', '--format=%(refname:lstrip=2) %(objectname)', 'refs/backups/'], { cwd: repo.worktree });
  return new Map(out.stdout.split('\n').filter(Boolean).map((l) => l.split(' ') as [string, string]));
}

/** Records rebuilt from note texts that hold a creation line (a user commit's "drove" lines do not). */
export function recordsFromNotes(notes: Map<string, string>, problems: string[] = []): Map<string, BackupRecord> {
  const out = new Map<string, BackupRecord>();
  for (const [object, text] of notes) {
    const { events, skipped } = parseNoteLines(text);
    if (!events.some((e) => e.event.event === 'created')) continue;
    for (const s of skipped) problems.push(`note on ${object.slice(0, 12)}, line ${s.line}: ${s.why}; skipped`);
    const r = rebuildRecord(events, problems);
    out.set(r.id, r);
  }
  return out;
}

/** `ownCommits`: the identities our commits may carry without asking git (core/own-commits.ts), from the configuration read. */
export function makeLedger(repo: RepoPaths, ownCommits: () => Promise<OwnCommits | null>): Ledger {
  return {
    tip: () => notesTip(repo),
    check: (tip: string) => notesCommitProblem(repo, tip),
    // A notes commit's objects exist a moment before the ref that reaches them: gc --now must spare them.
    write: (plan: NotePlan) =>
      asObjectWriter(storePaths(repo.commonDir).dir, async () => {
        const own = await ownCommits().catch(() => null);
        return writeNoteLines(repo, plan.lines, {
          ...(plan.fresh ? { fresh: plan.fresh } : {}),
          ...(plan.drop ? { drop: plan.drop } : {}),
          ...(plan.refs ? { refs: plan.refs } : {}),
          ...(own ? { committer: own.committer } : {}),
        });
      }),
    createRefs: (refs) => createBackupRefs(repo, refs),
    async sync(data: StoreData, tip: string | null, full: boolean, cold?: ColdLookup): Promise<NotePlan | null> {
      const from = full ? null : (data.notes_tip ?? null);
      const noted = tip ? recordsFromNotes(await notesChangedBetween(repo, from, tip)) : new Map<string, BackupRecord>();
      const byId = new Map(data.backups.map((b, i) => [b.id, i]));
      // Note lines a note moved back lacks (core/rebuild noteBehind): written again under the lock.
      const catchUp = new Map<string, string[]>();
      const behind = (kept: BackupRecord, r: BackupRecord) => {
        if (!noteBehind(kept, r)) return false;
        catchUp.set(kept.snapshot, linesToCatchUp(kept, r));
        return true;
      };
      if (!full && cold) {
        // A tombstone already moved to the cold store whose note changed again: DELETED is terminal,
        // the tombstone stays as it is; taking it back in would count it twice (a merge of another
        // clone's notes), or bring a deleted backup back to life (a notes ref moved back).
        const outside = [...noted.values()].filter((r) => !byId.has(r.id)).map((r) => r.id);
        for (const [id, tombstone] of await cold(outside)) {
          behind(tombstone, noted.get(id)!);
          noted.delete(id);
        }
      }
      for (const [id, r] of noted) {
        const i = byId.get(id);
        if (i !== undefined && behind(data.backups[i]!, r)) continue;
        if (i === undefined) {
          byId.set(id, data.backups.length);
          data.backups.push(r);
        } else data.backups[i] = mergeFromNotes(data.backups[i]!, r);
      }
      data.notes_tip = tip;
      if (!full) return catchUp.size ? { lines: catchUp } : null;
      // Refs without a note: adopted from their snapshot, and their note written (under the lock).
      const lines = new Map<string, string[]>();
      for (const [id, sha] of await listBackupRefs(repo)) {
        if (byId.has(id) || !isBackupId(id)) continue; // a ref not named like a backup is not ours: recover reports it
        try {
          const r = await recordFromSnapshot(repo, id, sha);
          data.backups.push(r);
          byId.set(id, data.backups.length - 1);
          lines.set(sha, [noteLines(r, r.history[0]!)]);
        } catch {
          // not a snapshot of ours: recover reports it
        }
      }
      data.backups.sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id < b.id ? -1 : 1));
      return lines.size ? { lines } : null;
    },
  };
}
