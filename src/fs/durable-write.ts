// Small durable-file helpers for files other than db.json (journal entries, archives, manifests):
// write to a unique temp name beside the target, fsync, rename, fsync the directory.
import { nodeCrypto } from '../builtins.js';
import { constants as fsc } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export const FILE_MODE = 0o600;
/** The cold store's directory, private like the store's. */
export const DIR_MODE_COLD = 0o700;

/** A temp name in target's directory that no other writer can pick (leading dot: never listed as a result). */
export function tempBeside(target: string): string {
  return join(dirname(target), `.${basename(target)}.${nodeCrypto().randomBytes(6).toString('hex')}.tmp`);
}

export async function fsyncPath(path: string): Promise<void> {
  const fh = await open(path, fsc.O_RDONLY);
  try {
    await fh.sync();
  } catch (e) {
    // Some filesystems refuse fsync on a directory; the data itself was fsynced.
    if ((e as NodeJS.ErrnoException).code !== 'EINVAL' && (e as NodeJS.ErrnoException).code !== 'EISDIR') throw e;
  } finally {
    await fh.close();
  }
}

/** Create `path` (it must not exist) holding `data`, 0600 (or `mode`), fsynced; removed again if that fails. */
export async function writeNewFile(path: string, data: string | Buffer | readonly Buffer[], mode = FILE_MODE): Promise<void> {
  const fh = await open(path, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, mode);
  try {
    try {
      await fh.chmod(mode); // the umask only removes bits, but a strange one could remove ours
      // Pieces one after the other (each writeFile continues where the last ended): no copy into one buffer.
      for (const piece of Array.isArray(data) ? data : [data]) await fh.writeFile(piece);
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch (e) {
    await unlink(path).catch(() => {});
    throw e;
  }
}

/** Write data to target durably (0600, or `mode`): unique temp, fsync, rename, fsync the directory. */
export async function writeDurably(target: string, data: string | Buffer, mode = FILE_MODE): Promise<void> {
  const tmp = tempBeside(target);
  await writeNewFile(tmp, data, mode);
  try {
    await rename(tmp, target);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
  await fsyncPath(dirname(target));
}
