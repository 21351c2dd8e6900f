// The cold store: tombstones (DELETED records) moved out of db.json into append-only JSONL
// segments, <store>/cold/<YYYY-MM>.jsonl (docs/store.md, "Hot and cold"). Written only under the
// store lock, by Store.update, before the index that accounts for them; read only when a command
// asks for a DELETED backup.
//
// Crash safety without a second commit point: db.json records, per segment, how many bytes it
// accounts for. A compaction killed after its append but before the index write leaves bytes past
// that length; readers never read past it, and the next compaction cuts them off before it
// appends (the records are still in the index it read, so they are appended again).
import { constants as fsc } from 'node:fs';
import { mkdir, rename, type FileHandle } from 'node:fs/promises';
import { KEEP_DAMAGED, pruneDamaged } from './durable-file.js';
import { openRegular, readWhole } from '../fs/regular-file.js';
import { join } from 'node:path';
import type { BackupRecord, StoreData } from '../core/types.js';
import { coldIdsIn, coldLine, grown, parseColdLines, segmentDamage, segmentsFor, takeTombstones } from '../core/cold.js';
import { DIR_MODE_COLD, FILE_MODE, fsyncPath } from '../fs/durable-write.js';

export function coldDir(storeDir: string): string {
  return join(storeDir, 'cold');
}

export function coldSegmentPath(storeDir: string, segment: string): string {
  return join(coldDir(storeDir), `${segment}.jsonl`);
}

/**
 * A segment opened to append to. One that is not a regular file (a FIFO, a directory, a socket put
 * in its place) reads as empty, which is damage, and could not be written to (a FIFO has no
 * offsets, a directory cannot be opened for writing): every compaction into it failed, recover's
 * repair too. It is moved aside like a damaged db.json and a new file is started; the index then
 * accounts for bytes the new file does not hold, which reads as damage until recover writes the
 * segment again from the notes (recover's own write starts it from its first byte).
 */
async function openSegment(path: string): Promise<FileHandle> {
  for (let round = 0; ; round++) {
    try {
      return (await openRegular(path, fsc.O_RDWR | fsc.O_CREAT, FILE_MODE)).fh;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'ENXIO' && code !== 'EOPNOTSUPP') throw e;
    }
    if (round > 0) throw Object.assign(new Error(`${path} is not a regular file`), { code: 'EINVAL' });
    await rename(path, `${path}.damaged-${Date.now()}`);
    await pruneDamaged(path, KEEP_DAMAGED);
  }
}

/**
 * Move the tombstones of `data.backups` to the cold store and account for them in `data.cold`.
 * Called by Store.update under the lock, after the notes and before db.json is written.
 */
export async function compactTombstones(storeDir: string, data: StoreData): Promise<void> {
  const groups = takeTombstones(data);
  if (groups.size > 0) data.cold = await appendTombstones(storeDir, data.cold, groups);
}

/**
 * Append tombstones (grouped by segment) to the cold store after what `cold` accounts for: the
 * bookkeeping the index written next must carry. Under the store lock, after the notes and before
 * db.json (Store.update's compaction, and Store.patch's for the few records a delete makes DELETED).
 */
export async function appendTombstones(storeDir: string, coldBefore: StoreData['cold'], groups: ReadonlyMap<string, readonly BackupRecord[]>): Promise<NonNullable<StoreData['cold']>> {
  const dir = coldDir(storeDir);
  const made = await mkdir(dir, { recursive: true, mode: DIR_MODE_COLD });
  const cold = { ...(coldBefore ?? {}) };
  for (const [segment, records] of groups) {
    const text = records.map(coldLine).join('');
    const bytes = Buffer.byteLength(text);
    const known = cold[segment]?.bytes ?? 0;
    const fh = await openSegment(coldSegmentPath(storeDir, segment));
    try {
      // Bytes past what the index accounts for are a killed compaction's: its records are in the
      // index we read, and are written again now.
      if ((await fh.stat()).size !== known) await fh.truncate(known);
      await fh.write(text, known, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    cold[segment] = grown(cold[segment], records, bytes);
  }
  // A new directory or new segment files must survive a crash as well as their bytes.
  if (made !== undefined) await fsyncPath(join(dir, '..'));
  await fsyncPath(dir);
  return cold;
}

/** The accounted-for part of a segment ('' when the file is gone), and the file's length. */
async function segmentText(storeDir: string, segment: string, bytes: number): Promise<{ text: string; size: number }> {
  let buf: Buffer;
  try {
    buf = await readWhole(coldSegmentPath(storeDir, segment));
  } catch (e) {
    // Gone, or not a file (a FIFO is never waited on): shorter than the index accounts for, which is damage recover repairs.
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EINVAL' || code === 'EISDIR') return { text: '', size: 0 };
    throw e;
  }
  return { text: buf.subarray(0, bytes).toString('utf8'), size: buf.length };
}

/** Tombstones read from the cold store, and the segments found damaged on the way (name → what is wrong). */
export interface ColdRead {
  records: BackupRecord[];
  damaged: Map<string, string>;
}

/**
 * Tombstones from the cold store: of the segments that may hold ids starting with `prefix` (all
 * of them without one), and only those `wanted` accepts. A record written twice (a later
 * compaction of a record whose note changed) counts once, the later line winning. Damage is
 * reported as far as the lines looked at tell (all of it when every line is wanted).
 */
export async function readCold(storeDir: string, cold: StoreData['cold'], opts: { prefix?: string; wanted?: (id: string) => boolean; keep?: boolean } = {}): Promise<ColdRead> {
  const byId = new Map<string, BackupRecord>();
  const damaged = new Map<string, string>();
  const segments = opts.prefix === undefined ? Object.keys(cold ?? {}) : segmentsFor(opts.prefix, cold);
  const prefix = opts.prefix;
  const wanted = prefix === undefined ? opts.wanted : (id: string) => id.startsWith(prefix) && (opts.wanted?.(id) ?? true);
  for (const s of segments.sort()) {
    const seg = cold![s]!;
    const { text, size } = await segmentText(storeDir, s, seg.bytes);
    const parsed = parseColdLines(text, wanted);
    // keep false (a check for damage): one segment's records at a time, not a million of them.
    if (opts.keep !== false) for (const r of parsed.records) byId.set(r.id, r);
    const why = wanted ? (size < seg.bytes || parsed.unreadable > 0 ? segmentDamage(seg, size, parsed) : null) : segmentDamage(seg, size, parsed);
    if (why) damaged.set(s, why);
  }
  return { records: [...byId.values()], damaged };
}

/** Ids in the cold store that start with `prefix` (8+ characters: one segment is read, lines are not parsed). */
export async function coldIds(storeDir: string, cold: StoreData['cold'], prefix: string): Promise<string[]> {
  const out = new Set<string>();
  for (const s of segmentsFor(prefix, cold)) {
    const seg = cold![s]!;
    // Ids sort by creation time: a segment whose greatest id sorts before the prefix has none.
    if (seg.max < prefix) continue;
    for (const id of coldIdsIn((await segmentText(storeDir, s, seg.bytes)).text, prefix)) out.add(id);
  }
  return [...out];
}
