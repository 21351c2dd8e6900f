// A small reader for the tar files `git archive` writes: ustar headers, pax extended headers ('x',
// for long paths and link targets, and large sizes) and pax global headers ('g', the commit id,
// ignored). It parses a whole buffer: archives are read back in full anyway (verification), and a
// reader of our own is ~100 lines where the npm tar packages bring streams, fs extraction and
// several dependencies we would not use. Every header checksum is checked; anything unexpected is
// an error, never a guess.

export type TarKind = 'file' | 'symlink' | 'dir';

export interface TarEntry {
  path: string;
  kind: TarKind;
  /** Permission bits from the header (git writes 0664/0775 under its default tar.umask). */
  mode: number;
  /** File content; for a symlink, the link target as bytes (what git stores as the blob). */
  content: Buffer;
}

export class TarError extends Error {}

const BLOCK = 512;

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

/** Every entry of an uncompressed tar, in archive order. */
export function readTar(tar: Buffer): TarEntry[] {
  const entries: TarEntry[] = [];
  let pax: Map<string, Buffer> | null = null;
  let at = 0;
  let ended = false;
  while (at + BLOCK <= tar.length) {
    const header = tar.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) {
      ended = true;
      break;
    }
    if (!checksumOk(header)) throw new TarError(`header checksum mismatch at byte ${at}`);
    const type = String.fromCharCode(header[156]!);
    const paxSize = pax?.get('size');
    const size = paxSize ? Number(paxSize.toString('latin1')) : octal(header, 124, 12, 'size');
    const start = at + BLOCK;
    if (start + size > tar.length) throw new TarError(`entry at byte ${at} runs past the end of the archive`);
    const data = tar.subarray(start, start + size);
    at = start + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x') {
      pax = parsePax(data);
      continue;
    }
    if (type === 'g') continue; // global header: git's commit id comment
    const prefix = field(header, 345, 155);
    const name = field(header, 0, 100);
    const rawPath = pax?.get('path') ?? (prefix.length ? Buffer.concat([prefix, Buffer.from('/'), name]) : name);
    const linkTarget = pax?.get('linkpath') ?? field(header, 157, 100);
    pax = null;
    const path = rawPath.toString('utf8').replace(/\/$/, '');
    const mode = octal(header, 100, 8, 'mode');
    if (type === '0' || type === '\0') entries.push({ path, kind: 'file', mode, content: Buffer.from(data) });
    else if (type === '2') entries.push({ path, kind: 'symlink', mode, content: Buffer.from(linkTarget) });
    else if (type === '5') entries.push({ path, kind: 'dir', mode, content: Buffer.alloc(0) });
    else throw new TarError(`unexpected entry type ${JSON.stringify(type)} for ${path}`);
  }
  if (!ended) throw new TarError('archive is truncated (no end-of-archive blocks)');
  return entries;
}
