// Writing db.json without parsing it (docs/store.md, "Writes that cost what they change"). On a
// store of 10,000 live backups, parsing and re-encoding its 14 MB was most of what `create`, a hook
// drain's events and verdicts, or `show`'s access time cost; adding a record, changing a few, or
// only the head needs the head, the ids, those records, and the other bytes copied through.
import type { Hash } from 'node:crypto';
import { nodeCrypto } from '../builtins.js';
import { readWhole } from '../fs/regular-file.js';
import type { AppendView, BackupRecord, HeadFields } from '../core/types.js';
import { adjustSummary, summarize, type Summary } from '../core/query.js';
import { STORE_ONLY_FROM, encodeRecord } from '../core/record.js';
import { CLOSE, PUBLIC_FIRST, headKey, headOf, headPart, vouchedHash, type StoreHead } from './durable-file.js';

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
 * The fewest bytes a record encodeRecord writes can take (every key, each value at its shortest):
 * in an index of that layout the next record cannot start sooner, so the walk for record starts
 * skips that far instead of scanning every byte (a seventh of the bytes at ~1 KB a record). A
 * record somehow shorter is missed, the count check below fails, and the index is read the slow way.
 */
export const MIN_RECORD_BYTES = encodeRecord({
  id: '', state: 'CREATED', created_at: '', updated_at: '', accessed_at: null, message: '', branch: null, base: null, snapshot: '',
  paths: [], files: 0, bytes: 0, include_ignored: false, worktree: '', pinned: false, labels: [], pending_commit: null,
  confirmed_by: null, confidence: null, history: [], tombstone: null, archive: null,
}).length;

/**
 * db.json read whole but not parsed, or null when it cannot be appended to as it is (missing,
 * torn, damaged, written another way): then the ordinary locked read-modify-write does it.
 */
export async function readRawIndex(file: string): Promise<RawIndex | null> {
  let buf: Buffer;
  try {
    buf = await readWhole(file);
  } catch {
    return null;
  }
  const found = headOf(buf, buf.length);
  if (!found || buf[found.arrayStart] !== 0x5b) return null;
  const arrayEnd = buf.length - 2; // `...]}`: the size check in headOf vouches for the length
  if (buf[arrayEnd] !== 0x5d || buf[arrayEnd + 1] !== 0x7d) return null;
  const starts: number[] = [];
  const ids: string[] = [];
  const gap = found.head.summary.records_layout === PUBLIC_FIRST ? MIN_RECORD_BYTES : 1;
  for (let at = buf.indexOf(RECORD_START, found.arrayStart); at >= 0 && at < arrayEnd; at = buf.indexOf(RECORD_START, at + gap)) {
    const idStart = at + RECORD_START.length;
    const idEnd = buf.indexOf(QUOTE, idStart);
    // Records as the full write lays them out: `[` then records joined by single commas (a write copies runs of them through).
    if (idEnd < 0 || buf[at - 1] !== (starts.length === 0 ? 0x5b : 0x2c)) return null;
    starts.push(at);
    ids.push(buf.toString('utf8', idStart, idEnd));
  }
  if (found.head.summary.total !== ids.length) return null; // a record not written id first: not ours to slice
  // The size says the file is whole; the hash says the bytes an append copies through are the ones
  // written (a file garbled in place would otherwise be carried into the next generation and prev).
  const hash = vouchedHash(buf, found);
  if (!hash) return null;
  return { head: found.head, buf, arrayStart: found.arrayStart, arrayEnd, starts, ids, hash };
}

/** A record's bytes were not the record the ids said (a layout this reader does not know). */
export class RawLayoutError extends Error {}

/** Where record `k` ends (its `,` separator, or the array's `]`). */
const recordEnd = (raw: RawIndex, k: number) => (k + 1 < raw.starts.length ? raw.starts[k + 1]! - 1 : raw.arrayEnd);

/** The record at position `k` of the file, parsed alone. */
export function recordAt(raw: RawIndex, k: number): BackupRecord {
  let record: BackupRecord;
  try {
    record = JSON.parse(raw.buf.toString('utf8', raw.starts[k]!, recordEnd(raw, k))) as BackupRecord;
  } catch {
    throw new RawLayoutError();
  }
  if (record.id !== raw.ids[k]) throw new RawLayoutError();
  return record;
}

/** What follows a record's id when the writer put its state second (every record this version writes). */
const STATE_NEXT = Buffer.from('","state":"');

/**
 * The records in one of `states`, each parsed alone; the others are only walked past (their state
 * read from the bytes after the id, or, in a record written another way, from a parse of it).
 * The reconcile of a hook drain needs the CREATED and PENDING ones, a few of a large index.
 */
export function recordsInStates(raw: RawIndex, states: ReadonlySet<string>): BackupRecord[] {
  const out: BackupRecord[] = [];
  for (let k = 0; k < raw.starts.length; k++) {
    const at = raw.starts[k]! + RECORD_START.length + Buffer.byteLength(raw.ids[k]!);
    if (raw.buf.compare(STATE_NEXT, 0, STATE_NEXT.length, at, at + STATE_NEXT.length) === 0) {
      const from = at + STATE_NEXT.length;
      const state = raw.buf.toString('latin1', from, raw.buf.indexOf(QUOTE, from));
      if (states.has(state)) out.push(recordAt(raw, k));
      continue;
    }
    const record = recordAt(raw, k);
    if (states.has(record.state)) out.push(record);
  }
  return out;
}

/**
 * A record as `list --json` prints it: `open`, its bytes up to (not including) its closing `}`; or
 * parsed, when printing needs more than its bytes (an archive's path, resolved at use).
 */
export type Printable = { id: string; created_at: string } & ({ open: Buffer } | { record: BackupRecord });

const CREATED_NEXT = Buffer.from('","created_at":"');
const STORE_ONLY = Buffer.from(STORE_ONLY_FROM);
const NO_ARCHIVE = Buffer.from(',"archive":null,');
const ARCHIVE_KEY = Buffer.from(',"archive":');

/**
 * The records whose state `keep` wants, as Printable, none of them parsed but an archived one:
 * what `--json` prints of a record is its bytes up to STORE_ONLY_FROM (encodeRecord's layout, which
 * the caller has checked the index is in). A record not laid out so throws RawLayoutError.
 */
export function printableRecords(raw: RawIndex, keep: (state: string) => boolean): Printable[] {
  const { buf } = raw;
  const out: Printable[] = [];
  for (let k = 0; k < raw.starts.length; k++) {
    const start = raw.starts[k]!;
    const at = start + RECORD_START.length + Buffer.byteLength(raw.ids[k]!);
    if (!holds(buf, at, STATE_NEXT)) throw new RawLayoutError();
    const stateFrom = at + STATE_NEXT.length;
    const stateEnd = quoteFrom(buf, stateFrom);
    if (stateEnd < 0) throw new RawLayoutError();
    if (!keep(buf.toString('latin1', stateFrom, stateEnd))) continue;
    if (!holds(buf, stateEnd, CREATED_NEXT)) throw new RawLayoutError();
    const createdFrom = stateEnd + CREATED_NEXT.length;
    const createdEnd = quoteFrom(buf, createdFrom);
    if (createdEnd < 0) throw new RawLayoutError();
    const created_at = buf.toString('latin1', createdFrom, createdEnd);
    // The public part's last key is `copies`; `archive` is a top-level key no nested object has.
    const cut = lastWithin(buf, STORE_ONLY, start, recordEnd(raw, k));
    const archive = cut < 0 ? -1 : lastWithin(buf, ARCHIVE_KEY, start, cut);
    if (archive < 0) throw new RawLayoutError();
    if (holds(buf, archive, NO_ARCHIVE)) out.push({ id: raw.ids[k]!, created_at, open: buf.subarray(start, cut) });
    else out.push({ id: raw.ids[k]!, created_at, record: recordAt(raw, k) });
  }
  return out;
}

// Byte loops, not Buffer methods: the patterns are a few bytes and the strings short, and a call
// into C++ per look was most of printableRecords' time on 100,000 records.

/** Whether buf holds `pattern` at `pos`. */
function holds(buf: Buffer, pos: number, pattern: Buffer): boolean {
  if (pos < 0 || pos + pattern.length > buf.length) return false;
  for (let i = 0; i < pattern.length; i++) if (buf[pos + i] !== pattern[i]) return false;
  return true;
}

/** The first `"` at or after pos, or -1. */
function quoteFrom(buf: Buffer, pos: number): number {
  for (let p = pos; p < buf.length; p++) if (buf[p] === QUOTE) return p;
  return -1;
}

/** The last place in [floor, before) where `pattern` starts and ends before `before`, or -1. */
function lastWithin(buf: Buffer, pattern: Buffer, floor: number, before: number): number {
  const first = pattern[0];
  for (let p = before - pattern.length; p >= floor; p--) if (buf[p] === first && holds(buf, p, pattern)) return p;
  return -1;
}

/** The AppendView of a raw index: records parsed only as newestFirst() reaches them. */
function rawAppendView(raw: RawIndex, added: BackupRecord[]): AppendView {
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

/** What an edit of a raw index makes of it: written by the store as the next generation. */
export interface RawEdit<T> {
  value: T;
  head: HeadFields;
  /** Records changed in place, by their position in the file. */
  replaced: Map<number, BackupRecord>;
  /** Records made DELETED, by their position: they leave the index for the cold store (Store.inPlace appends them there first). */
  removed: Map<number, BackupRecord>;
  added: BackupRecord[];
  /** The summary of the records afterwards. */
  summary: Summary;
  /** Whether anything differs from the file read (else nothing is written). */
  changed: boolean;
}

function headFieldsOf(raw: RawIndex): HeadFields {
  const { summary: _s, schema: _v, generation: _g, ...fields } = raw.head;
  return JSON.parse(JSON.stringify(fields)) as HeadFields; // a copy the edit may change
}

/** append(): fn adds records through the lazy view; nothing else changes. */
export async function appendEdit<T>(raw: RawIndex, fn: (view: AppendView) => T | Promise<T>): Promise<RawEdit<T>> {
  const added: BackupRecord[] = [];
  const value = await fn(rawAppendView(raw, added));
  const summary = adjustSummary(raw.head.summary, summarize([]), summarize(added));
  return { value, head: headFieldsOf(raw), replaced: new Map(), removed: new Map(), added, summary, changed: added.length > 0 };
}

/** Up to this many records a patch is written in place whatever the size of the index. */
const PATCH_MAX = 64;

/**
 * patch(): fn changes the records with these ids (parsed alone; absent ids are not in the map) and
 * the head's fields. A record made DELETED leaves the index (its tombstone goes to the cold store,
 * as the full write's compaction does). Null when so many records change that the full write costs less.
 */
export async function patchEdit<T>(
  raw: RawIndex,
  ids: readonly string[],
  fn: (records: Map<string, BackupRecord>, head: HeadFields) => T | Promise<T>,
): Promise<RawEdit<T> | null> {
  const wanted = new Set(ids);
  // Parsing records one by one costs more than one parse of them all: past an eighth of the index
  // (the first drain over a store judges every backup), the full write is the cheaper way.
  if (wanted.size > PATCH_MAX && wanted.size > raw.ids.length / 8) return null;
  const at = new Map<string, number>();
  raw.ids.forEach((id, k) => wanted.has(id) && at.set(id, k));
  const records = new Map([...at].map(([id, k]) => [id, recordAt(raw, k)]));
  const before = summarize([...records.values()]);
  const head = headFieldsOf(raw);
  const untouched = JSON.stringify(head);
  const value = await fn(records, head);
  const replaced = new Map<number, BackupRecord>();
  const removed = new Map<number, BackupRecord>();
  for (const [id, k] of at) {
    const r = records.get(id)!;
    if (r.state === 'DELETED') removed.set(k, r);
    // A record written back only if it now reads differently from its bytes.
    else if (encodeRecord(r) !== raw.buf.toString('utf8', raw.starts[k]!, recordEnd(raw, k))) replaced.set(k, r);
  }
  const after = [...records.values()].filter((r) => r.state !== 'DELETED');
  const summary = adjustSummary(raw.head.summary, before, summarize(after));
  return { value, head, replaced, removed, added: [], summary, changed: replaced.size > 0 || removed.size > 0 || JSON.stringify(head) !== untouched };
}

/**
 * The next generation of a raw index: the head with `generation` (and a notes tip) set, the records
 * an edit replaced encoded again where they were, those it removed left out, the added ones at the
 * end, every other byte as it was (runs of untouched records copied as one piece). Parts for
 * DurableJSONFile.writeParts. An append continues a copy of raw.hash (raw can be written from again).
 */
/**
 * The next generation's bytes; for an append (which continues the hash of the bytes it checked),
 * also the RawIndex they make: a process that writes again (a `run --watch` session, an agent's
 * checkpoint server) takes it instead of reading back, scanning and hashing what it wrote (a
 * session's index grows with every checkpoint: 1.4 MB after a hundred, 8 ms a read).
 */
export function nextGeneration<T>(raw: RawIndex, edit: RawEdit<T>, stamp: { generation: number; notes_tip?: string | null }): { parts: Buffer[]; raw: RawIndex | null } {
  const n = raw.starts.length;
  // The records array as `[` + pieces joined by `,` + `]`, as the full write lays it out.
  const pieces: Buffer[] = [];
  let next = 0; // the first record not yet in a piece
  for (const k of [...new Set([...edit.replaced.keys(), ...edit.removed.keys()])].sort((a, b) => a - b)) {
    if (k > next) pieces.push(raw.buf.subarray(raw.starts[next]!, recordEnd(raw, k - 1)));
    const r = edit.replaced.get(k);
    if (r) pieces.push(Buffer.from(encodeRecord(r)));
    next = k + 1;
  }
  if (next < n) pieces.push(raw.buf.subarray(raw.starts[next]!, raw.arrayEnd));
  const added = edit.added.map((r) => Buffer.from(encodeRecord(r)));
  pieces.push(...added);
  const parts: Buffer[] = [OPEN_ARRAY];
  pieces.forEach((p, i) => (i > 0 ? parts.push(COMMA, p) : parts.push(p)));
  parts.push(CLOSE_ARRAY);
  const head = { ...edit.head, schema: raw.head.schema, ...stamp };
  // An append continues the hash of the bytes it checked (`[` and the records, up to `]`); records
  // replaced or removed in the middle mean hashing again (8 ms for 14 MB).
  const appendOnly = edit.replaced.size === 0 && edit.removed.size === 0;
  const array = appendOnly ? parts.slice(n > 0 ? 2 : 1, -1).reduce((h, p) => h.update(p), raw.hash.copy()) : parts.slice(0, -1).reduce((h, p) => h.update(p), nodeCrypto().createHash('sha256'));
  const hash = array.copy().update(CLOSE_ARRAY);
  const layout = raw.head.summary.records_layout;
  hash.update(headKey(head, edit.summary));
  const bytes = parts.reduce((b, p) => b + p.length, 0);
  const all = [headPart(head, edit.summary, { bytes, sha256: hash.digest('hex'), layout }), ...parts, CLOSE];
  if (!appendOnly) return { parts: all, raw: null };
  const buf = Buffer.concat(all);
  const found = headOf(buf, buf.length);
  if (!found) return { parts: all, raw: null };
  // The records kept are one piece right after `[`, as they were; the added ones follow, a comma before each.
  const starts = raw.starts.map((at) => at - raw.arrayStart + found.arrayStart);
  let at = found.arrayStart + 1 + (n > 0 ? raw.arrayEnd - raw.starts[0]! + 1 : 0);
  for (const p of added) {
    starts.push(at);
    at += p.length + 1;
  }
  return { parts: all, raw: { head: found.head, buf, arrayStart: found.arrayStart, arrayEnd: buf.length - 2, starts, ids: [...raw.ids, ...edit.added.map((r) => r.id)], hash: array } };
}

const OPEN_ARRAY = Buffer.from('[');
const COMMA = Buffer.from(',');
const CLOSE_ARRAY = Buffer.from(']');
