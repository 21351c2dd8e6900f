// From what the user typed to the backups it names: the index first, then the tombstones in the
// cold store (read only when the index has no exact match: one month's segment). On a large
// index only the ids are read and the named records parsed (Store.lookup), not the index whole.
import type { Context } from './context.js';
import type { BackupRecord, StoreData } from '../core/types.js';
import { resolveId, validateIdArgument } from '../core/ids.js';
import { segmentsFor } from '../core/cold.js';
import { BackupError, ExitCode } from '../errors.js';
import { RawLayoutError } from '../store/append.js';
import type { IndexLookup } from '../store/store.js';

/** A full read of the store as an IndexLookup. */
function lookupOf(data: StoreData): IndexLookup {
  let byId: Map<string, BackupRecord> | null = null;
  return { ids: data.backups.map((b) => b.id), cold: data.cold, record: (id) => (byId ??= new Map(data.backups.map((b) => [b.id, b]))).get(id) };
}

/**
 * `fn` over the index by id (Store.lookup: the ids, and only the records asked for parsed), or,
 * when there is none to read so (damaged, behind the notes, another layout) or a record does not
 * read as one, over the full read, which repairs or explains.
 */
export async function withIndex<T>(ctx: Context, fn: (index: IndexLookup) => Promise<T>): Promise<T> {
  const index = await ctx.store.lookup();
  if (index) {
    try {
      return await fn(index);
    } catch (e) {
      if (!(e instanceof RawLayoutError)) throw e;
    }
  }
  return fn(lookupOf(await ctx.store.read()));
}

export function findBackup(ctx: Context, data: StoreData, input: string): Promise<BackupRecord> {
  return findIn(ctx, lookupOf(data), input);
}

async function findIn(ctx: Context, index: IndexLookup, input: string): Promise<BackupRecord> {
  validateIdArgument(input);
  const exact = index.ids.includes(input) ? index.record(input) : undefined;
  if (exact) return exact;
  const ids = [...index.ids.filter((id) => id.startsWith(input)), ...(await ctx.store.tombstoneIds(index, input))];
  let id: string;
  try {
    id = resolveId(input, ids);
  } catch (e) {
    throw e instanceof BackupError && e.exitCode === ExitCode.NOT_FOUND ? await withColdHint(ctx, index, input, e) : e;
  }
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

/**
 * "No backup X", and when the cold segment X's date names is damaged (gone, cut short, a garbled
 * line), that a tombstone there may not be found and what repairs it: the exit code stays "not
 * found" (a review found a damaged segment's ids answered with no hint at all).
 */
async function withColdHint(ctx: Context, index: IndexLookup, input: string, e: BackupError): Promise<BackupError> {
  // Without its month the input names no one segment (segmentsFor would give them all).
  if (!/^\d{6}/.test(input)) return e;
  const [segment] = segmentsFor(input, index.cold);
  if (segment === undefined) return e;
  const why = (await ctx.store.coldDamage({ cold: { [segment]: index.cold![segment]! } })).get(segment);
  return why ? new BackupError(e.exitCode, `${e.message}; the cold store segment ${segment} is damaged (${why}), so a tombstone in it may not be found: git backup recover writes it again from the notes`) : e;
}

/** Resolve every argument before anything happens, so one bad id changes nothing. */
export function resolveBackups(ctx: Context, inputs: string[]): Promise<BackupRecord[]> {
  return withIndex(ctx, async (index) => {
    const out: BackupRecord[] = [];
    for (const input of inputs) out.push(await findIn(ctx, index, input));
    return out;
  });
}
