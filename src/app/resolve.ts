// From what the user typed to the backups it names: the index first, then the tombstones in the
// cold store (read only when the index has no exact match: one month's segment).
import type { Context } from './context.js';
import type { BackupRecord, StoreData } from '../core/types.js';
import { resolveId, validateIdArgument } from '../core/ids.js';
import { BackupError, ExitCode } from '../errors.js';

export async function findBackup(ctx: Context, data: StoreData, input: string): Promise<BackupRecord> {
  validateIdArgument(input);
  const exact = data.backups.find((b) => b.id === input);
  if (exact) return exact;
  const ids = [...data.backups.map((b) => b.id).filter((id) => id.startsWith(input)), ...(await ctx.store.tombstoneIds(data, input))];
  const id = resolveId(input, ids);
  const hot = data.backups.find((b) => b.id === id);
  if (hot) return hot;
  const [cold] = await ctx.store.tombstones(data, { prefix: id, wanted: (x) => x === id });
  // Its id is in the segment but its line does not read as a record: the segment is damaged.
  if (!cold) {
    throw new BackupError(
      ExitCode.STORE_DAMAGED,
      `the record of ${id} in the cold store cannot be read (its segment is damaged); git backup recover writes it again from the notes`,
    );
  }
  return cold;
}

/** Resolve every argument before anything happens, so one bad id changes nothing. */
export async function resolveBackups(ctx: Context, inputs: string[]): Promise<BackupRecord[]> {
  const data = await ctx.store.read();
  const out: BackupRecord[] = [];
  for (const input of inputs) out.push(await findBackup(ctx, data, input));
  return out;
}
