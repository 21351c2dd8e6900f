// Reading <store>/events.log from the offset db.json says was applied. The hooks only ever append,
// so everything past the offset is waiting; a file shorter than the offset was replaced or truncated
// by hand and is read again from the start.
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { StoreData } from '../core/types.js';

export const eventsLogPath = (storeDir: string) => join(storeDir, 'events.log');

export async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw e;
  }
}

/** The applied offset as stored, treating a missing or nonsensical value as 0. */
export function appliedOffset(data: StoreData): number {
  const o = data.events_offset;
  return typeof o === 'number' && Number.isInteger(o) && o >= 0 ? o : 0;
}

/** Up to `max` bytes of the file from `offset`. */
export async function readChunk(path: string, offset: number, max: number): Promise<Buffer> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0);
    throw e;
  }
  try {
    const buf = Buffer.alloc(max);
    const { bytesRead } = await fh.read(buf, 0, max, offset);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

export interface Waiting {
  bytes: number;
  /** Complete event lines not applied yet. */
  lines: number;
}

/** How much of the log no drain has applied yet (for status). */
export async function eventsWaiting(storeDir: string, data: StoreData): Promise<Waiting> {
  const path = eventsLogPath(storeDir);
  const size = await fileSize(path);
  let offset = appliedOffset(data);
  if (size < offset) offset = 0;
  if (size === offset) return { bytes: 0, lines: 0 };
  const chunk = await readChunk(path, offset, size - offset);
  let lines = 0;
  for (let i = chunk.indexOf(0x0a); i >= 0; i = chunk.indexOf(0x0a, i + 1)) lines++;
  return { bytes: size - offset, lines };
}
