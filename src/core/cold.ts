// The hot/cold split of the index (docs/store.md, "Hot and cold"). Pure.
//
// A DELETED record is a tombstone: nothing will ever happen to it again, yet backups taken every
// few minutes make most records tombstones within months. Kept in db.json they made every command
// and hook pay for the all-time count (100k records: a 90 MB index, seconds per read). So they
// leave db.json for the cold store: append-only JSONL segments, one per month of the id's date,
// read only when a command asks for a DELETED backup. The notes stay the truth for them too.
import type { BackupRecord, ColdSegment, StoreData } from './types.js';

/** The segment a record goes to: the year and month of its id (`YYYYMMDD-…`), else `other`. */
export function segmentOf(id: string): string {
  return /^\d{8}-/.test(id) ? `${id.slice(0, 4)}-${id.slice(4, 6)}` : 'other';
}

/** Segments that may hold an id starting with `prefix` (an id argument: 8+ characters, the date first). */
export function segmentsFor(prefix: string, cold: StoreData['cold']): string[] {
  const names = Object.keys(cold ?? {});
  if (/^\d{6}/.test(prefix)) return names.filter((n) => n === `${prefix.slice(0, 4)}-${prefix.slice(4, 6)}`);
  return names;
}

/**
 * The line a tombstone is kept as: the record without what only a live backup needs (`protects`,
 * the path-by-path content list, can be large; `content`, the latest verdict, means nothing once
 * the content is gone). The id comes first, so a scan can find a line without parsing it.
 */
export function coldLine(r: BackupRecord): string {
  const { id, protects: _p, content: _c, author: _a, ...rest } = r;
  // Optional fields a read of db.json gives as null or [] (core/record.ts encodeRecord) are left
  // out when empty: a million tombstones would carry ~70 MB of them.
  const line: Partial<BackupRecord> = { id, ...rest };
  for (const k of ['base_successor', 'archive', 'origin'] as const) if (line[k] === null) delete line[k];
  if (line.copies?.length === 0) delete line.copies;
  return JSON.stringify(line) + '\n';
}

/** A segment's records, and how many of its lines could not be read (damage). */
export interface ColdParse {
  records: BackupRecord[];
  /** Lines that are not a tombstone record (among those looked at: with `wanted`, lines it accepts or whose id cannot be found). */
  unreadable: number;
  /** Lines read as records (a record compacted twice counts twice, as the segment's count does). */
  lines: number;
}

/**
 * Records of a segment's text (the part the index accounts for). A line that does not parse (a
 * file damaged by hand) is skipped and counted: the notes still hold the tombstone, and `recover`
 * writes the damaged segment again from them.
 */
export function parseColdLines(text: string, wanted?: (id: string) => boolean): ColdParse {
  const out: ColdParse = { records: [], unreadable: 0, lines: 0 };
  let pos = 0;
  while (pos < text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    const line = text.slice(pos, nl);
    pos = nl + 1;
    if (wanted) {
      const m = /^\{"id":"([^"\\]*)"/.exec(line);
      if (!m) {
        out.unreadable++;
        continue;
      }
      if (!wanted(m[1]!)) continue;
    }
    try {
      const r = JSON.parse(line) as unknown;
      if (typeof r === 'object' && r !== null && typeof (r as BackupRecord).id === 'string' && (r as BackupRecord).state === 'DELETED') {
        out.records.push(r as BackupRecord);
        out.lines++;
        continue;
      }
    } catch {
      // counted below
    }
    out.unreadable++;
  }
  return out;
}

/**
 * What is wrong with a segment read whole, or null: a line that is not a record, fewer bytes than
 * the index accounts for, or another number of records than it counted (a line garbled into
 * another valid one, or one lost). Pure: the caller read the text.
 */
export function segmentDamage(seg: ColdSegment, fileBytes: number, parsed: ColdParse): string | null {
  if (fileBytes < seg.bytes) return `${fileBytes} of the ${seg.bytes} bytes the index accounts for`;
  if (parsed.unreadable > 0) return `${parsed.unreadable} line(s) are not tombstone records`;
  if (parsed.lines !== seg.count) return `${parsed.lines} record(s) where the index counts ${seg.count}`;
  return null;
}

/** Ids in a segment's text that start with `prefix`, without parsing the lines. */
export function coldIdsIn(text: string, prefix: string): string[] {
  const out: string[] = [];
  const needle = `{"id":"${prefix}`;
  for (let at = text.startsWith(needle) ? 0 : text.indexOf(`\n${needle}`); at >= 0; at = text.indexOf(`\n${needle}`, at + 1)) {
    const start = text[at] === '\n' ? at + 8 : at + 7;
    const end = text.indexOf('"', start);
    if (end > start) out.push(text.slice(start, end));
  }
  return out;
}

/** How many tombstones the cold store holds, by what the index accounts for. */
export function coldCount(cold: StoreData['cold']): number {
  let n = 0;
  for (const s of Object.values(cold ?? {})) n += s.count;
  return n;
}

/**
 * Take the tombstones out of `data.backups`, grouped by segment (the caller appends them to the
 * cold store before it writes the index). Mutates `data.backups`.
 */
export function takeTombstones(data: StoreData): Map<string, BackupRecord[]> {
  const dead = data.backups.filter((b) => b.state === 'DELETED');
  if (dead.length > 0) data.backups = data.backups.filter((b) => b.state !== 'DELETED');
  return bySegment(dead);
}

/** Tombstones grouped by the segment their id's month names, in the order given. */
export function bySegment(tombstones: readonly BackupRecord[]): Map<string, BackupRecord[]> {
  const out = new Map<string, BackupRecord[]>();
  for (const b of tombstones) {
    const s = segmentOf(b.id);
    let list = out.get(s);
    if (!list) out.set(s, (list = []));
    list.push(b);
  }
  return out;
}

/** The segment's bookkeeping after `added` was appended to what the index accounted for. */
export function grown(seg: ColdSegment | undefined, added: readonly BackupRecord[], bytes: number): ColdSegment {
  let max = seg?.max ?? '';
  for (const r of added) if (r.id > max) max = r.id;
  return { bytes: (seg?.bytes ?? 0) + bytes, count: (seg?.count ?? 0) + added.length, max };
}
