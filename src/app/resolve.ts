// From what the user typed to the backups it names: the index first, then the tombstones in the
// cold store (read only when the index has no exact match: one month's segment). On a large
// index only the ids are read and the named records parsed (Store.lookup), not the index whole.
import type { Context } from './context.js';
import type { BackupRecord, StoreData } from '../core/types.js';
import { resolveId, validateIdArgument } from '../core/ids.js';
import { BackupError, ExitCode } from '../errors.js';
import { RawLayoutError } from '../store/append.js';
import type { IndexLookup } from '../store/store.js';

/** A full read of the store as an IndexLookup. */
function lookupOf(data: StoreData): IndexLookup {
  return { ids: data.backups.map((b) => b.id), cold: data.cold, record: (id) => data.backups.find((b) => b.id === id) };
}

export function findBackup(ctx: Context, data: StoreData, input: string): Promise<BackupRecord> {
  return findIn(ctx, lookupOf(data), input);
}

async function findIn(ctx: Context, index: IndexLookup, input: string): Promise<BackupRecord> {
  validateIdArgument(input);
  const exact = index.ids.includes(input) ? index.record(input) : undefined;
  if (exact) return exact;
  const ids = [...index.ids.filter((id) => id.startsWith(input)), ...(await ctx.store.tombstoneIds(index, input))];
  const id = resolveId(input, ids);
  const hot = index.record(id);
  if (hot) return hot;
  const [cold] = await ctx.store.tombstones(index, { prefix: id, wanted: (x) => x === id });
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
  const index = await ctx.store.lookup();
  if (index) {
    try {
      const out: BackupRecord[] = [];
      for (const input of inputs) out.push(await findIn(ctx, index, input));
      return out;
    } catch (e) {
      if (!(e instanceof RawLayoutError)) throw e;
    }
  }
  // No index to read by id (damaged, behind the notes, another layout): the full read repairs or explains.
  const data = await ctx.store.read();
  const out: BackupRecord[] = [];
  for (const input of inputs) out.push(await findBackup(ctx, data, input));
  return out;
}
