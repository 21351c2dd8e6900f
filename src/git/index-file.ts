// What an index file says about content, read without git: its entries (mode, object id, flags,
// path) without their stat data. Two indexes with the same content differ only in what git
// remembers about the files on disk (a `git status` or `git stash create` refreshes that and writes
// the index again). Used by the kept temporary index (worktree-index.ts). Format:
// Documentation/gitformat-index.txt; versions 2 to 4.
import { createHash } from 'node:crypto';

export interface IndexContent {
  /** Entries in the index (a conflicted path counts once per stage). */
  count: number;
  /** SHA-1 over every entry's mode, object id, flags and path, in order. */
  digest: string;
}

/** Bytes of an entry before its object id: ctime, mtime, dev, ino, mode, uid, gid, size. */
const STAT_BYTES = 40;
const MODE_AT = 24;
const EXTENDED = 0x4000;
const NAME_MASK = 0xfff;

/**
 * The content of an index file, or null when the bytes are not whole (the trailer must be the
 * SHA-1, or SHA-256, of the rest: git does not check it when it reads an index, so a changed byte
 * would go unseen), not a version this reader knows, or a split index (its entries live in another
 * file). An index written with index.skipHash has no trailer to check, so it is null too.
 */
export function indexContent(bytes: Buffer): IndexContent | null {
  const oidBytes = trailerSize(bytes);
  if (oidBytes === null || bytes.toString('latin1', 0, 4) !== 'DIRC') return null;
  const version = bytes.readUInt32BE(4);
  if (version < 2 || version > 4) return null;
  const count = bytes.readUInt32BE(8);
  const end = bytes.length - oidBytes;
  const hash = createHash('sha1');
  let at = 12;
  let previousPath: Buffer = Buffer.alloc(0);
  try {
    for (let k = 0; k < count; k++) {
      const flagsAt = at + STAT_BYTES + oidBytes;
      const flags = bytes.readUInt16BE(flagsAt);
      let nameAt = flagsAt + 2;
      if (flags & EXTENDED) {
        if (version < 3) return null;
        nameAt += 2;
      }
      let path: Buffer;
      let next: number;
      if (version === 4) {
        // The path is the previous one without its last `strip` bytes, then the bytes up to a NUL.
        const { value: strip, length } = varint(bytes, nameAt);
        const suffixAt = nameAt + length;
        const nul = bytes.indexOf(0, suffixAt);
        if (nul < 0 || nul >= end || strip > previousPath.length) return null;
        path = Buffer.concat([previousPath.subarray(0, previousPath.length - strip), bytes.subarray(suffixAt, nul)]);
        next = nul + 1;
      } else {
        const nameLength = flags & NAME_MASK;
        const nul = nameLength < NAME_MASK ? nameAt + nameLength : bytes.indexOf(0, nameAt);
        if (nul < 0 || nul >= end || bytes[nul] !== 0) return null;
        path = bytes.subarray(nameAt, nul);
        next = at + ((nul - at + 8) & ~7); // NUL-padded to a multiple of 8
      }
      if (next > end) return null;
      hash.update(bytes.subarray(at + MODE_AT, at + MODE_AT + 4)); // mode
      hash.update(bytes.subarray(at + STAT_BYTES, nameAt)); // object id, flags (stage, assume-valid, skip-worktree, intent-to-add)
      hash.update(path).update('\0');
      previousPath = path;
      at = next;
    }
    // Extensions: a split index ("link") keeps most entries in its shared index, which this does not read.
    while (at + 8 <= end) {
      if (bytes.toString('latin1', at, at + 4) === 'link') return null;
      at += 8 + bytes.readUInt32BE(at + 4);
    }
  } catch {
    return null; // read past the end: not a whole index
  }
  return at === end ? { count, digest: hash.digest('hex') } : null;
}

/** The trailer's size when it is the SHA-1 (20) or SHA-256 (32) of the bytes before it; else null. */
function trailerSize(bytes: Buffer): number | null {
  for (const [algorithm, size] of [['sha1', 20], ['sha256', 32]] as const) {
    if (bytes.length < 12 + size) continue;
    const body = bytes.subarray(0, bytes.length - size);
    if (createHash(algorithm).update(body).digest().equals(bytes.subarray(bytes.length - size))) return size;
  }
  return null;
}

/** git's offset varint (varint.c): 7 bits a byte, high bit "more", each continuation adds one. */
function varint(bytes: Buffer, at: number): { value: number; length: number } {
  let c = bytes[at]!;
  let value = c & 0x7f;
  let length = 1;
  while (c & 0x80) {
    const b = bytes[at + length];
    if (b === undefined) throw new RangeError('varint past the end');
    c = b;
    value = ((value + 1) << 7) | (c & 0x7f);
    length++;
  }
  return { value, length };
}
