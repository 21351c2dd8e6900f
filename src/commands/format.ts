// Human-readable renderings shared by the read commands.
import type { BackupRecord, HistoryEntry } from '../core/types.js';

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

export function formatAge(fromIso: string, now: Date): string {
  const s = Math.max(0, Math.round((now.getTime() - new Date(fromIso).getTime()) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

/** Left-aligned columns; the last column is not padded. */
export function table(rows: string[][]): string {
  if (rows.length === 0) return '';
  // A loop, not Math.max(...column): a call takes ~125,000 arguments at most, and `list --state
  // DELETED` over a year of backups prints a million rows.
  const widths = rows[0]!.map(() => 0);
  for (const r of rows) for (let c = 0; c < widths.length; c++) widths[c] = Math.max(widths[c]!, (r[c] ?? '').length);
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ')).join('\n');
}

/** One line, whatever the user put in a message. */
export function oneLine(text: string, max = 60): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? flat.slice(0, max - 1) + '…' : flat;
}

export function historyLine(id: string | null, e: HistoryEntry): string {
  const move = e.from ? `${e.from} -> ${e.to}` : `created ${e.to}`;
  const who = `${e.trigger}${e.forced ? ' (forced)' : ''}`;
  return [e.at, id, move, who, e.reason ? `: ${oneLine(e.reason, 200)}` : ''].filter((x) => x !== null && x !== '').join('  ');
}

export function listRows(records: BackupRecord[], now: Date, cloneId?: string): string[][] {
  // Other clones' backups (fetched or synced) get an ORIGIN column: the clone that made each one.
  const foreign = cloneId !== undefined && records.some((r) => r.origin && r.origin !== cloneId);
  const origin = (r: BackupRecord) => (foreign ? [!r.origin || r.origin === cloneId ? '(here)' : r.origin] : []);
  return [
    ['ID', 'STATE', 'AGE', 'FILES', 'SIZE', 'BRANCH', ...(foreign ? ['ORIGIN'] : []), 'MESSAGE'],
    ...records.map((r) => [
      r.id + (r.pinned ? '*' : ''),
      r.state,
      formatAge(r.created_at, now),
      String(r.files),
      formatBytes(r.bytes),
      r.branch ?? '(detached)',
      ...origin(r),
      oneLine(r.message || r.labels.map((l) => `[${l}]`).join(' ')),
    ]),
  ];
}

/** How many bytes a group of pieces holds before it is written, and at most how many pieces (writev's IOV_MAX is 1024). */
const GROUP_BYTES = 1 << 20;
const GROUP_PIECES = 1000;

/**
 * Pieces of output in groups of about a MiB, each written with one writev(2) (Output.outParts):
 * `list --json` of 100,000 backups is 70 MB, and one string of it (with its bytes) was most of the
 * command's memory and a third of its time (BENCHMARKS.md, "Scale"); a write per record would be
 * 100,000 system calls, and joining the pieces first a copy of it all.
 */
export function* inParts(pieces: Iterable<Buffer>): Generator<Buffer[]> {
  let group: Buffer[] = [];
  let size = 0;
  for (const piece of pieces) {
    group.push(piece);
    size += piece.length;
    if (size >= GROUP_BYTES || group.length >= GROUP_PIECES) {
      yield group;
      group = [];
      size = 0;
    }
  }
  if (group.length > 0) yield group;
}

/** The pieces of a JSON array whose items are given as the pieces of their JSON text. */
export function jsonArray<T>(items: readonly T[], pieces: (item: T) => Buffer[]): Generator<Buffer> {
  return jsonItems(items, pieces, { first: true, last: true });
}

/**
 * Part of a JSON array printed in parts: its opening `[` when `first` (else a `,` before the
 * items, when there are any), the items, and its closing `]` when `last`.
 */
export function* jsonItems<T>(items: readonly T[], pieces: (item: T) => Buffer[], at: { first: boolean; last: boolean }): Generator<Buffer> {
  if (at.first) yield OPEN;
  for (let i = 0; i < items.length; i++) {
    if (i > 0 || !at.first) yield COMMA;
    yield* pieces(items[i]!);
  }
  if (at.last) yield CLOSE;
}

const OPEN = Buffer.from('[');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']');
