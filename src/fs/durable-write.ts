// Small durable-file helpers for files other than db.json (journal entries, archives, manifests):
// write to a unique temp name beside the target, fsync, rename, fsync the directory.
import { nodeCrypto } from '../builtins.js';
import { constants as fsc } from 'node:fs';
import { link, open, rename, unlink, writeFile } from 'node:fs/promises';
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

/**
 * Replace `target` whole through a temp file renamed over it, without fsync: for a file whose last
 * write may be lost in a crash (a memo, a pid file, the last push's outcome) but which a reader
 * must never see half written, and whatever stood in its place (a FIFO) is replaced, not opened.
 */
export async function replaceWhole(target: string, data: string | Buffer, mode = FILE_MODE): Promise<void> {
  const tmp = tempBeside(target);
  try {
    await writeFile(tmp, data, { mode });
    await rename(tmp, target);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
}

/** Create `path` (it must not exist) holding `data`, 0600 (or `mode`), fsynced; removed again if that fails. */
export async function writeNewFile(path: string, data: string | Buffer | readonly Buffer[], mode = FILE_MODE): Promise<void> {
  const fh = await open(path, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, mode);
  try {
    try {
      await fh.chmod(mode); // the umask only removes bits, but a strange one could remove ours
      // Pieces one after the other (each writeFile continues where the last ended), small ones
      // gathered into chunks: no copy of the whole into one buffer, and not one write per piece.
      for (const chunk of chunked(Array.isArray(data) ? data : [data])) await fh.writeFile(chunk);
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch (e) {
    await unlink(path).catch(() => {});
    throw e;
  }
}

/**
 * Consecutive pieces gathered into chunks of about CHUNK bytes (a piece that large goes alone). A
 * write of the index that replaces thousands of records is as many pieces (store/append.ts), and
 * each write is a system call and a trip through libuv's thread pool: measured at 100,000 live
 * records, 36,000 writes made a third of a hook drain.
 */
const CHUNK = 1 << 20;
function* chunked(pieces: readonly (string | Buffer)[]): Generator<string | Buffer> {
  let held: Buffer[] = [];
  let size = 0;
  const gathered = () => {
    const chunk = Buffer.concat(held, size);
    held = [];
    size = 0;
    return chunk;
  };
  for (const piece of pieces) {
    if (typeof piece === 'string' || piece.length >= CHUNK) {
      if (held.length > 0) yield gathered();
      yield piece;
      continue;
    }
    held.push(piece);
    size += piece.length;
    if (size >= CHUNK) yield gathered();
  }
  if (held.length > 0) yield gathered();
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

/**
 * Create `target` holding `data`, never seen half-written: written durably beside it, then linked
 * into place, which fails when it exists. False when another process made it first. A filesystem
 * without hard links gets it created in place (writeNewFile). Errors otherwise as writeNewFile's.
 */
export async function createDurably(target: string, data: string | Buffer, mode = FILE_MODE): Promise<boolean> {
  const tmp = tempBeside(target);
  await writeNewFile(tmp, data, mode);
  try {
    await link(tmp, target);
    await fsyncPath(dirname(target));
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EMLINK') throw e;
    try {
      await writeNewFile(target, data, mode);
      return true;
    } catch (e2) {
      if ((e2 as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e2;
    }
  } finally {
    await unlink(tmp).catch(() => {});
  }
}
