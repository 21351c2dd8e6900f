// `recover`'s repair of a damaged refs/notes/backups (docs/store.md, "A damaged notes ref"): the
// damaged value is kept aside for a person, the ref goes back to the notes commit the index last
// mirrored (or is started again), and recover then writes from the index every line the notes lack.
import { rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context } from './context.js';
import type { StoreData } from '../core/types.js';
import { BackupError, ExitCode } from '../errors.js';
import { damagedNotesRef } from '../core/notes-ref.js';
import { NOTES_REF } from '../git/notes.js';
import { notesTip } from '../git/notes-write.js';
import { notesCommitProblem, notesTreeUnreadable, replaceNotesRef } from '../git/notes-ref.js';
import { pauseAt } from '../test-pause.js';

/** Left while a repaired notes ref still lacks the index's history (see repairNotesRef). */
export const notesRepairMarker = (ctx: Context): string => join(ctx.store.paths.dir, 'notes-repair-pending');

/** Whether a recover put the notes ref back and was stopped before it wrote the index's history into it. */
export const notesRepairPending = (ctx: Context): Promise<boolean> => stat(notesRepairMarker(ctx)).then(() => true, () => false);

/** The history is in the notes (recover's write is durable): the marker goes. */
export const notesRepairDone = (ctx: Context): Promise<void> => rm(notesRepairMarker(ctx), { force: true });

/**
 * Repair the notes ref if it is damaged, under the store lock (recover's update), before the notes
 * are read. Returns what was done, or null when the ref was fine. Idempotent: a second run (the
 * update's fn may run again) finds a sound ref.
 */
export async function repairNotesRef(ctx: Context, data: StoreData): Promise<string | null> {
  const tip = await notesTip(ctx.repo);
  if (tip === null) return null;
  // The value the index recorded is one of our own writes; its trees may still have been lost.
  const problem = tip === data.notes_tip ? await notesTreeUnreadable(ctx.repo, tip) : await notesCommitProblem(ctx.repo, tip);
  if (problem === null) return null;
  const last = data.notes_tip ?? null;
  const base = last !== null && last !== tip && (await notesCommitProblem(ctx.repo, last)) === null ? last : null;
  const aside = damagedNotesRef(NOTES_REF, ctx.now);
  // Put back, the ref reads as sound, and only this run knows the index's history is still to be
  // written into it (the cold store's tombstones are caught up this once): killed before its write,
  // the deletions made while the ref was damaged were in the index and never in the notes. The
  // marker tells the next recover to do it; recover removes it once that write is durable.
  await writeFile(notesRepairMarker(ctx), `${tip}\n`, { mode: 0o600 });
  const { kept, replaced } = await replaceNotesRef(ctx.repo, tip, aside, base);
  await pauseAt('recover:notes-ref-replaced');
  if (!replaced) {
    throw new BackupError(
      ExitCode.STORE_DAMAGED,
      `${NOTES_REF} is damaged (${problem}) and could not be replaced; remove it with git update-ref -d ${NOTES_REF} and run git backup recover again`,
    );
  }
  return `${NOTES_REF} was damaged (${problem}); ${kept ? `kept it as ${aside}` : `its value was ${tip}`}, ` +
    `${base ? `put it back at ${base.slice(0, 12)}, the notes commit the index last mirrored,` : 'started the notes again'} and wrote the index's history into them`;
}
