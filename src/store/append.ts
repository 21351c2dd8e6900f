// Adding a backup without parsing the index (docs/store.md, "Adding a backup"). On a store of
// 10,000 live backups, parsing and re-encoding db.json's 14 MB was most of what `create` cost; an
// append needs only the head, the ids, the newest record or two, and the old bytes copied through.
import { createHash, type Hash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { AppendView, BackupRecord, StoreData } from '../core/types.js';
import { summaryWith } from '../core/query.js';
import { CLOSE, headOf, headPart, type StoreHead } from './durable-file.js';

/** db.json as bytes: its trusted head, and where each record starts (file order) with its id. */
export interface RawIndex {
  head: StoreHead;
  buf: Buffer;
  /** Offsets of the records array's `[` and of its closing `]`. */
  arrayStart: number;
  arrayEnd: number;
  starts: number[];
  ids: string[];
  /** SHA-256 over the array's bytes up to its `]`, checked against the head: an append continues it. */
  hash: Hash;
}

/** What a record starts with: the writer puts `id` first, and `{"` cannot occur inside a JSON string. */
const RECORD_START = Buffer.from('{"id":"');
const QUOTE = 0x22;

/**
 * db.json read whole but not parsed, or null when it cannot be appended to as it is (missing,
 * torn, damaged, written another way): then the ordinary locked read-modify-write does it.
 */
export async function readRawIndex(file: string): Promise<RawIndex | null> {
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch {
    return null;
  }
  const found = headOf(buf, buf.length);
  if (!found || buf[found.arrayStart] !== 0x5b) return null;
  const arrayEnd = buf.length - 2; // `...]}`: the size check in headOf vouches for the length
  if (buf[arrayEnd] !== 0x5d || buf[arrayEnd + 1] !== 0x7d) return null;
  const starts: number[] = [];
  const ids: string[] = [];
  for (let at = buf.indexOf(RECORD_START, found.arrayStart); at >= 0 && at < arrayEnd; at = buf.indexOf(RECORD_START, at + 1)) {
    const idStart = at + RECORD_START.length;
    const idEnd = buf.indexOf(QUOTE, idStart);
    if (idEnd < 0) return null;
    starts.push(at);
    ids.push(buf.toString('utf8', idStart, idEnd));
  }
  if (found.head.summary.total !== ids.length) return null; // a record not written id first: not ours to slice
  // The size says the file is whole; the hash says the bytes an append copies through are the ones
  // written (a file garbled in place would otherwise be carried into the next generation and prev).
  const want = found.head.summary.backups_sha256;
  const hash = createHash('sha256').update(buf.subarray(found.arrayStart, arrayEnd));
  if (!want || hash.copy().update(']').digest('hex') !== want) return null;
  return { head: found.head, buf, arrayStart: found.arrayStart, arrayEnd, starts, ids, hash };
}

/** A record's bytes were not the record the ids said (a layout this reader does not know). */
export class RawLayoutError extends Error {}

/** The record at position `k` of the file, parsed alone. */
function recordAt(raw: RawIndex, k: number): BackupRecord {
  const end = k + 1 < raw.starts.length ? raw.starts[k + 1]! - 1 : raw.arrayEnd;
  let record: BackupRecord;
  try {
    record = JSON.parse(raw.buf.toString('utf8', raw.starts[k]!, end)) as BackupRecord;
  } catch {
    throw new RawLayoutError();
  }
  if (record.id !== raw.ids[k]) throw new RawLayoutError();
  return record;
}

/** The AppendView of a raw index: records parsed only as newestFirst() reaches them. */
export function rawAppendView(raw: RawIndex, added: BackupRecord[]): AppendView {
  return {
    ids: raw.ids,
    cold: raw.head.cold,
    *newestFirst() {
      const order = raw.ids.map((_, k) => k).sort((a, b) => (raw.ids[a]! < raw.ids[b]! ? 1 : raw.ids[a]! > raw.ids[b]! ? -1 : 0));
      for (const k of order) yield recordAt(raw, k);
    },
    add: (record) => void added.push(record),
  };
}

/**
 * The next generation: the head with `changes` applied and `added` counted in its summary, the old
 * records' bytes as they were, the added ones after them. Parts for DurableJSONFile.writeParts.
 * Once only: it continues raw.hash.
 */
export function appendedParts(raw: RawIndex, changes: Partial<Omit<StoreData, 'backups'>>, added: readonly BackupRecord[]): Buffer[] {
  const old = raw.buf.subarray(raw.arrayStart, raw.arrayEnd); // `[` and the records, without `]`
  const more = Buffer.from(`${added.map((r) => `${raw.ids.length > 0 || r !== added[0] ? ',' : ''}${JSON.stringify(r)}`).join('')}]`);
  const { summary, ...head } = raw.head;
  const next = { ...head, ...changes };
  const sha256 = raw.hash.update(more).digest('hex');
  return [headPart(next, summaryWith(summary, added), { bytes: old.length + more.length, sha256 }), old, more, CLOSE];
}
