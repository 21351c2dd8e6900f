// From what the user typed to the backups it names.
import type { Context } from './context.js';
import type { BackupRecord, StoreData } from '../core/types.js';
import { resolveId, validateIdArgument } from '../core/ids.js';

export function findBackup(data: StoreData, input: string): BackupRecord {
  validateIdArgument(input);
  const id = resolveId(input, data.backups.map((b) => b.id));
  return data.backups.find((b) => b.id === id)!;
}

/** Resolve every argument before anything happens, so one bad id changes nothing. */
export async function resolveBackups(ctx: Context, inputs: string[]): Promise<BackupRecord[]> {
  const data = await ctx.store.read();
  return inputs.map((input) => findBackup(data, input));
}
