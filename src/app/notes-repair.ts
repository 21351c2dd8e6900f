// `recover`'s repair of a damaged refs/notes/backups (docs/store.md, "A damaged notes ref"): the
// damaged value is kept aside for a person, the ref goes back to the notes commit the index last
// mirrored (or is started again), and recover then writes from the index every line the notes lack.
import type { Context } from './context.js';
import type { StoreData } from '../core/types.js';
import { BackupError, ExitCode } from '../errors.js';
import { damagedNotesRef } from '../core/notes-ref.js';
import { NOTES_REF } from '../git/notes.js';
import { notesTip } from '../git/notes-write.js';
import { notesRefProblem, replaceNotesRef } from '../git/notes-ref.js';

/**
 * Repair the notes ref if it is damaged, under the store lock (recover's update), before the notes
 * are read. Returns what was done, or null when the ref was fine. Idempotent: a second run (the
 * update's fn may run again) finds a sound ref.
 */
export async function repairNotesRef(ctx: Context, data: StoreData): Promise<string | null> {
  const tip = await notesTip(ctx.repo);
  // The value the index recorded is one of our own writes.
  if (tip === null || tip === data.notes_tip) return null;
  const problem = await notesRefProblem(ctx.repo, tip);
  if (problem === null) return null;
  const last = data.notes_tip ?? null;
  const base = last !== null && (await notesRefProblem(ctx.repo, last)) === null ? last : null;
  const aside = damagedNotesRef(NOTES_REF, ctx.now);
  const { kept, replaced } = await replaceNotesRef(ctx.repo, tip, aside, base);
  if (!replaced) {
    throw new BackupError(
      ExitCode.STORE_DAMAGED,
      `${NOTES_REF} is damaged (${problem}) and could not be replaced; remove it with git update-ref -d ${NOTES_REF} and run git backup recover again`,
    );
  }
  return `${NOTES_REF} was damaged (${problem}); ${kept ? `kept it as ${aside}` : `its value was ${tip}`}, ` +
    `${base ? `put it back at ${base.slice(0, 12)}, the notes commit the index last mirrored,` : 'started the notes again'} and wrote the index's history into them`;
}
