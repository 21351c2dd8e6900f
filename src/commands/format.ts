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

const LIST_HEADER = ['ID', 'STATE', 'AGE', 'FILES', 'SIZE', 'BRANCH', 'ORIGIN', 'MESSAGE'];
const ORIGIN_COLUMN = LIST_HEADER.indexOf('ORIGIN');
/**
 * Between a kept row's cells. A row whose cells hold it (a record edited by hand), or whose first
 * cell is empty, is kept instead as CELL_END and its cells in JSON: every cell printed as it is,
 * byte for byte what the table printed before it was built a part at a time.
 */
const CELL_END = '\0';
const keptRow = (cells: readonly string[]): string =>
  cells[0] === '' || cells.some((c) => c.includes(CELL_END)) ? CELL_END + JSON.stringify(cells) : cells.join(CELL_END);
const rowCells = (row: string): string[] => (row.startsWith(CELL_END) ? (JSON.parse(row.slice(1)) as string[]) : row.split(CELL_END));
/**
 * The MESSAGE column: the message on one line, then the labels in brackets (what `list --label`
 * and `undo` go by: a `run`'s session, an agent's checkpoints), which were shown only without a message.
 */
function messageCell(r: BackupRecord): string {
  const labels = r.labels.map((l) => `[${l}]`).join(' ');
  if (!r.message) return oneLine(labels);
  return labels ? `${oneLine(r.message)} ${labels}` : oneLine(r.message);
}

/** Lines of the table per piece of output. */
const LINES_PER_PIECE = 2000;

/**
 * The table `list` prints, built a part at a time (`list --state DELETED` reads the cold store a
 * month at a time): each row kept as one string of its cells instead of its record, the column
 * widths as they grow. At 1,000,000 tombstones the records and their rows, held until the widths
 * were known, took 2.4 GB. Other clones' backups (fetched or synced) get an ORIGIN column: the
 * clone that made each one, `(here)` for this one's.
 */
export class ListTable {
  private readonly rows: string[] = [];
  private readonly widths = LIST_HEADER.map((h) => h.length);
  private foreign = false;

  constructor(private readonly now: Date) {}

  get size(): number {
    return this.rows.length;
  }

  /** `cloneId`: this clone's id, needed (and read) only once a record names an origin. */
  add(records: readonly BackupRecord[], cloneId: string | undefined): void {
    for (const r of records) {
      const mine = !r.origin || r.origin === cloneId;
      if (!mine && cloneId !== undefined) this.foreign = true;
      const cells = [
        r.id + (r.pinned ? '*' : ''),
        r.state,
        formatAge(r.created_at, this.now),
        String(r.files),
        formatBytes(r.bytes),
        r.branch ?? '(detached)',
        mine ? '(here)' : r.origin!,
        messageCell(r),
      ];
      for (let c = 0; c < cells.length; c++) this.widths[c] = Math.max(this.widths[c]!, cells[c]!.length);
      this.rows.push(keptRow(cells));
    }
  }

  /** The table's text, header first, in pieces of LINES_PER_PIECE lines (each ends with a newline but the last). */
  *pieces(): Generator<string> {
    const shown = LIST_HEADER.map((_, c) => c !== ORIGIN_COLUMN || this.foreign);
    const last = LIST_HEADER.length - 1;
    const line = (cells: readonly string[]) => {
      let out = '';
      for (let c = 0; c < cells.length; c++) {
        if (!shown[c]) continue;
        out += c === last ? cells[c] : cells[c]!.padEnd(this.widths[c]!) + '  ';
      }
      return out;
    };
    let piece = line(LIST_HEADER);
    for (let i = 0; i < this.rows.length; i++) {
      piece += '\n' + line(rowCells(this.rows[i]!));
      if ((i + 1) % LINES_PER_PIECE === 0) {
        yield piece;
        piece = '';
      }
    }
    if (piece !== '') yield piece;
  }
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
