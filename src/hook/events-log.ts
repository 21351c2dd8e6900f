// Reading <store>/events.log from the offset db.json says was applied. The hooks only ever append,
// so everything past the offset is waiting; a file shorter than the offset was replaced or truncated
// by hand and is read again from the start.
import { appendFile, readFile, rename, stat, unlink } from 'node:fs/promises';
import { openRegular } from '../fs/regular-file.js';
import { dirname } from 'node:path';
import { join } from 'node:path';
import type { StoreData } from '../core/types.js';

export const eventsLogPath = (storeDir: string) => join(storeDir, 'events.log');

async function isFileOrAbsent(path: string): Promise<boolean> {
  return stat(path).then((st) => st.isFile(), () => true);
}

export async function fileSize(path: string): Promise<number> {
  try {
    const s = await stat(path);
    return s.isFile() ? s.size : 0; // not a file (something is in its way): nothing readable waits
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw e;
  }
}

/** The applied offset as stored, treating a missing or nonsensical value as 0. */
export function appliedOffset(data: Pick<StoreData, 'events_offset'>): number {
  const o = data.events_offset;
  return typeof o === 'number' && Number.isInteger(o) && o >= 0 ? o : 0;
}

/** Up to `max` bytes of the file from `offset` (none from what is not a regular file: a FIFO in its place is never waited on). */
export async function readChunk(path: string, offset: number, max: number): Promise<Buffer> {
  let fh;
  try {
    ({ fh } = await openRegular(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'EINVAL') return Buffer.alloc(0);
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
export async function eventsWaiting(storeDir: string, data: Pick<StoreData, 'events_offset'>): Promise<Waiting> {
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

/**
 * Where the hook block puts an event it could not append to events.log (the store was not
 * writable): beside the store, in the git common dir, for the next drain that can write.
 */
export const missedEventsPath = (storeDir: string) => join(dirname(storeDir), 'backup-events.missed');

/** How many events wait in the missed-events file (for status). */
export async function eventsMissed(storeDir: string): Promise<number> {
  try {
    const text = await readFile(missedEventsPath(storeDir), 'utf8');
    return text.split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}

/**
 * Move the events the hooks could not record into events.log, where the drain applies them like any
 * other (call under the drain lock). The file is claimed by a rename first, so a hook appending
 * meanwhile starts a new one. Returns how many lines moved. A crash between the append and the
 * unlink moves them twice on the next try: harmless, applying an event again changes nothing
 * (a rewrite already followed maps nothing; the others only trigger reconcile).
 */
export async function takeMissedEvents(storeDir: string): Promise<number> {
  const missed = missedEventsPath(storeDir);
  const claimed = join(storeDir, `events.missed.${process.pid}`);
  // Nowhere to put them while something that is not a file stands in the log's place (an append to a FIFO waits for a reader).
  if (!(await isFileOrAbsent(eventsLogPath(storeDir)))) return 0;
  try {
    await rename(missed, claimed);
  } catch {
    return 0; // none (the common case: one failed rename, no read)
  }
  const text = await readFile(claimed, 'utf8');
  const lines = text.split('\n').filter(Boolean);
  if (lines.length > 0) await appendFile(eventsLogPath(storeDir), lines.join('\n') + '\n', { mode: 0o600 });
  await unlink(claimed).catch(() => {});
  return lines.length;
}
