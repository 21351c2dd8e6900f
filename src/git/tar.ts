// A small incremental reader for the tar files `git archive` writes: ustar headers, pax extended
// headers ('x', for long paths and link targets, and large sizes) and pax global headers ('g', the
// commit id, ignored). It is a state machine fed chunks of any size (TarReader.push): it holds one
// 512-byte header and a pax header's records at most, never an entry's content, so an archive of
// any size is read in bounded memory. Every header checksum is checked; anything unexpected is an
// error, never a guess. Ours rather than an npm package: see docs/archive.md.

export type TarKind = 'file' | 'symlink' | 'dir';

export interface TarHeader {
  path: string;
  kind: TarKind;
  /** Permission bits from the header (git writes 0664/0775 under its default tar.umask). */
  mode: number;
  /** Bytes of content that follow as data events: a file's size, a symlink's target length, 0 for a directory. */
  size: number;
}

/**
 * What one push yields, in archive order: each entry is `entry`, then `data` chunks adding up to
 * its size (a symlink's target is its content, as git stores it), then `end`. A data chunk may be
 * a view into the pushed buffer: use it before the next push.
 */
export type TarEvent = { type: 'entry'; header: TarHeader } | { type: 'data'; chunk: Buffer } | { type: 'end' };


export class TarError extends Error {}

const BLOCK = 512;
/** git's pax records are a path or a link target; a bigger one is not from git archive. */
const MAX_PAX = 1 << 20;

/** A NUL-terminated header field as raw bytes. */
function field(buf: Buffer, start: number, len: number): Buffer {
  const f = buf.subarray(start, start + len);
  const nul = f.indexOf(0);
  return nul < 0 ? f : f.subarray(0, nul);
}

function octal(buf: Buffer, start: number, len: number, what: string): number {
  const text = field(buf, start, len).toString('latin1').trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarError(`bad ${what} field ${JSON.stringify(text)}`);
  return parseInt(text, 8);
}

function checksumOk(header: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : header[i]!;
  return sum === octal(header, 148, 8, 'checksum');
}

/** Pax records: "<len> <key>=<value>\n", len counting the whole record. Values kept as bytes. */
function parsePax(data: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let at = 0;
  while (at < data.length) {
    const sp = data.indexOf(0x20, at);
    if (sp < 0) throw new TarError('bad pax record');
    const len = Number(data.subarray(at, sp).toString('latin1'));
    if (!Number.isInteger(len) || len <= sp - at || at + len > data.length) throw new TarError('bad pax record length');
    const rec = data.subarray(sp + 1, at + len - 1); // without the trailing newline
    const eq = rec.indexOf(0x3d);
    if (eq < 0) throw new TarError('bad pax record');
    out.set(rec.subarray(0, eq).toString('utf8'), Buffer.from(rec.subarray(eq + 1)));
    at += len;
  }
  return out;
}

/**
 * Nothing git writes is absolute or climbs with `..`; such a name would only come from a forged
 * archive. Restore never writes a tar name to disk (it goes through the manifest and git), so this
 * is a second line, refused here so no consumer has to think about it.
 */
function checkPath(path: string): void {
  if (path === '' || path.startsWith('/') || path.split('/').some((c) => c === '..')) throw new TarError(`unsafe path ${JSON.stringify(path)} in the archive`);
}

/** What the bytes after the current header are. */
type Body =
  | { kind: 'content' } // an entry's content: passed on as data events
  | { kind: 'pax'; parts: Buffer[] } // a pax extended header: kept and parsed at its end
  | { kind: 'skip' }; // a global header, or bytes git never writes for links and directories

export class TarReader {
  private readonly header = Buffer.alloc(BLOCK);
  private headerFill = 0;
  /** Offset of the current header in the archive, for error messages. */
  private headerAt = 0;
  private offset = 0;
  private body: Body | null = null;
  /** Content bytes of the current body still to come, then padding to the next block. */
  private left = 0;
  private pad = 0;
  private pax: Map<string, Buffer> | null = null;
  private ended = false;

  /** Feed the next bytes of the archive; returns the events they complete. Throws TarError. */
  push(chunk: Buffer): TarEvent[] {
    const events: TarEvent[] = [];
    let at = 0;
    while (at < chunk.length && !this.ended) {
      const avail = chunk.length - at;
      if (this.body) {
        const n = Math.min(this.left, avail);
        if (n > 0) this.bodyData(chunk.subarray(at, at + n), events);
        this.left -= n;
        at += n;
        if (this.left === 0) this.bodyEnd(events);
      } else if (this.pad > 0) {
        const n = Math.min(this.pad, avail);
        this.pad -= n;
        at += n;
      } else {
        const n = Math.min(BLOCK - this.headerFill, avail);
        if (this.headerFill === 0) this.headerAt = this.offset + at;
        chunk.copy(this.header, this.headerFill, at, at + n);
        this.headerFill += n;
        at += n;
        if (this.headerFill === BLOCK) {
          this.headerFill = 0;
          this.onHeader(events);
        }
      }
    }
    this.offset += chunk.length;
    return events;
  }

  /** The input is over: throws TarError unless the end-of-archive block was seen. */
  finish(): void {
    if (this.ended) return;
    if (this.body) throw new TarError(`entry at byte ${this.headerAt} runs past the end of the archive`);
    throw new TarError('archive is truncated (no end-of-archive blocks)');
  }

  private onHeader(events: TarEvent[]): void {
    const header = this.header;
    // One all-zero block ends the archive; what follows (git pads to a 10 KiB record) is not read.
    if (header.every((b) => b === 0)) {
      this.ended = true;
      return;
    }
    if (!checksumOk(header)) throw new TarError(`header checksum mismatch at byte ${this.headerAt}`);
    const type = String.fromCharCode(header[156]!);
    const paxSize = this.pax?.get('size');
    const size = paxSize ? Number(paxSize.toString('latin1')) : octal(header, 124, 12, 'size');
    if (!Number.isSafeInteger(size) || size < 0) throw new TarError(`bad size ${JSON.stringify(paxSize?.toString('latin1'))} at byte ${this.headerAt}`);
    if (type === 'x') {
      if (size > MAX_PAX) throw new TarError(`pax header of ${size} bytes at byte ${this.headerAt} is too large`);
      this.startBody({ kind: 'pax', parts: [] }, size, events);
      return;
    }
    if (type === 'g') {
      this.startBody({ kind: 'skip' }, size, events); // global header: git's commit id comment
      return;
    }
    const pax = this.pax;
    this.pax = null;
    const prefix = field(header, 345, 155);
    const name = field(header, 0, 100);
    const rawPath = pax?.get('path') ?? (prefix.length ? Buffer.concat([prefix, Buffer.from('/'), name]) : name);
    const path = rawPath.toString('utf8').replace(/\/$/, '');
    const mode = octal(header, 100, 8, 'mode');
    if (type === '0' || type === '\0') {
      checkPath(path);
      events.push({ type: 'entry', header: { path, kind: 'file', mode, size } });
      this.startBody({ kind: 'content' }, size, events);
      return;
    }
    let target: Buffer;
    if (type === '2') target = Buffer.from(pax?.get('linkpath') ?? field(header, 157, 100));
    else if (type === '5') target = Buffer.alloc(0);
    else throw new TarError(`unexpected entry type ${JSON.stringify(type)} for ${path}`);
    checkPath(path);
    events.push({ type: 'entry', header: { path, kind: type === '2' ? 'symlink' : 'dir', mode, size: target.length } });
    if (target.length) events.push({ type: 'data', chunk: target });
    events.push({ type: 'end' });
    this.startBody({ kind: 'skip' }, size, events);
  }

  private startBody(body: Body, size: number, events: TarEvent[]): void {
    this.body = body;
    this.left = size;
    this.pad = (BLOCK - (size % BLOCK)) % BLOCK;
    if (size === 0) this.bodyEnd(events);
  }

  private bodyData(data: Buffer, events: TarEvent[]): void {
    const body = this.body!;
    if (body.kind === 'content') events.push({ type: 'data', chunk: data });
    else if (body.kind === 'pax') body.parts.push(Buffer.from(data)); // copied: the caller may reuse its chunk
  }

  private bodyEnd(events: TarEvent[]): void {
    const body = this.body!;
    this.body = null;
    if (body.kind === 'content') events.push({ type: 'end' });
    else if (body.kind === 'pax') this.pax = parsePax(Buffer.concat(body.parts));
  }
}
