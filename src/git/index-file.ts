// What the kept temporary index (worktree-index.ts) needs from an index file, read without git:
// how many entries it holds (its 12-byte header: "DIRC", version 2 to 4, count), which exact bytes
// it is (the trailer git writes: the SHA-1, or SHA-256, of the rest), and whether a kept one is
// whole. Format: Documentation/gitformat-index.txt.
import { nodeCrypto } from '../builtins.js';

export interface IndexIdentity {
  /** Entries in the index (a conflicted path counts once per stage). */
  count: number;
  /** The last 32 bytes in hex (the trailer, SHA-1 or SHA-256, and what precedes it): they name these exact bytes. */
  id: string;
}

/** The header's entry count, or null when this is not an index of version 2 to 4. */
function headerCount(bytes: Buffer): number | null {
  if (bytes.length < 12 || bytes.toString('latin1', 0, 4) !== 'DIRC') return null;
  const version = bytes.readUInt32BE(4);
  return version >= 2 && version <= 4 ? bytes.readUInt32BE(8) : null;
}

/**
 * The user's index: its entry count and the trailer that names its bytes, or null when it is not
 * an index this reader knows or has no trailer (index.skipHash writes zeros). Not checked against
 * the bytes (git does not either): a different index has a different trailer.
 */
export function indexIdentity(bytes: Buffer): IndexIdentity | null {
  const count = headerCount(bytes);
  if (count === null || bytes.length < 12 + 32 || bytes.subarray(bytes.length - 20).every((b) => b === 0)) return null;
  return { count, id: bytes.subarray(bytes.length - 32).toString('hex') };
}

/**
 * A kept index's entry count when its bytes are whole (its trailer is the hash of the rest: git
 * does not check that when it reads an index, and a changed byte in an entry would put a wrong
 * object in a backup without a word), else null.
 */
export function verifiedEntryCount(bytes: Buffer): number | null {
  return trailerSize(bytes) === null ? null : headerCount(bytes);
}

/** The trailer's size when it is the SHA-1 (20) or SHA-256 (32) of the bytes before it; else null. */
function trailerSize(bytes: Buffer): number | null {
  for (const [algorithm, size] of [['sha1', 20], ['sha256', 32]] as const) {
    if (bytes.length < 12 + size) continue;
    const body = bytes.subarray(0, bytes.length - size);
    if (nodeCrypto().createHash(algorithm).update(body).digest().equals(bytes.subarray(bytes.length - size))) return size;
  }
  return null;
}

/**
 * Whether an entry of this index has the assume-unchanged bit (CE_VALID, `git update-index
 * --assume-unchanged`) or the skip-worktree bit (`--skip-worktree`, or a sparse checkout): `git add
 * -u` takes such a file as it is in the index whatever its working tree holds, so a backup would
 * miss its edits. Walks the entries without decoding names (flags
 * only: a few milliseconds for 40,000); null when the walk cannot be sure (an unknown layout, a
 * split index whose shared part it does not read): then ask git.
 */
export function hasAssumeUnchanged(bytes: Buffer): boolean | null {
  const count = headerCount(bytes);
  if (count === null) return null;
  const version = bytes.readUInt32BE(4);
  // SHA-1 first (nearly every repository): a walk with the wrong id size cannot end exactly at the
  // trailer, so SHA-256 is tried only when that one fails.
  return walkFlags(bytes, version, count, 20) ?? walkFlags(bytes, version, count, 32);
}

function walkFlags(bytes: Buffer, version: number, count: number, hashSize: number): boolean | null {
  const fixed = 40 + hashSize + 2;
  let off = 12;
  let found = false;
  for (let i = 0; i < count; i++) {
    if (off + fixed > bytes.length) return null;
    // Bytes by hand, not readUInt16BE: this loop runs once per process, mostly before the JIT has
    // compiled it, where each call costs (a first walk of 40,000 entries: 16 ms, by hand 10-13 ms).
    const flags = (bytes[off + fixed - 2]! << 8) | bytes[off + fixed - 1]!;
    if (flags & 0x8000) found = true;
    let p = off + fixed;
    if (flags & 0x4000) {
      if (version < 3 || p + 2 > bytes.length) return null;
      // The extended flags: 0x4000 is skip-worktree.
      if (bytes[p]! & 0x40) found = true;
      p += 2;
    }
    if (version === 4) {
      while (p < bytes.length && bytes[p]! & 0x80) p++;
      p++;
    }
    // The flags' low 12 bits are the name's length when it is shorter than 0xFFF (v2, v3): no
    // search for its NUL then.
    const short = version !== 4 && (flags & 0xfff) < 0xfff;
    const nul = short ? p + (flags & 0xfff) : bytes.indexOf(0, p);
    if (nul < 0 || nul >= bytes.length || bytes[nul] !== 0) return null;
    // Versions 2 and 3 pad each entry with 1 to 8 NULs to a multiple of 8; version 4 does not pad.
    off = version === 4 ? nul + 1 : off + ((nul - off + 8) & ~7);
  }
  // Then extensions (a 4-byte signature, a 4-byte size), then the trailer.
  while (bytes.length - off > hashSize) {
    if (off + 8 > bytes.length) return null;
    const sig = bytes.toString('latin1', off, off + 4);
    if (!/^[A-Za-z]{4}$/.test(sig) || sig === 'link') return null;
    off += 8 + bytes.readUInt32BE(off + 4);
  }
  return bytes.length - off === hashSize ? found : null;
}
