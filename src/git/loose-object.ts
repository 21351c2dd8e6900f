// Writing objects the way git writes a loose object, without a git process (core/own-commits.ts says
// when we may): our commits, and a new note's blob, trees and notes commit (notes-write.ts). zlib of
// "<type> <size>\0<body>" at objects/<2 hex>/<38 hex>, made as a read-only temporary file in that
// directory and linked into place, so a reader sees the whole object or none, and an object that
// is already there is left as it is. And reading a loose object back, for the notes tree.
import { open, utimes } from 'node:fs/promises';
import { closeSync, existsSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { nodeCrypto, nodeZlib } from '../builtins.js';
import type { RepoPaths } from './exec.js';

/**
 * Whether `id` is a loose object of this type here, freshened as git freshens an object it was about
 * to write again (its time set to now, so a `git prune --expire` racing with us keeps it). False
 * says nothing: it may be in a pack, or be another type, or not be ours to touch.
 */
export async function freshLooseObject(repo: RepoPaths, id: string, type: 'tree' | 'commit' | 'blob'): Promise<boolean> {
  const file = looseObjectPath(repo, id);
  try {
    const fh = await open(file, 'r');
    let head: Buffer;
    try {
      // The header ("tree 2992\0") comes out only after the block's Huffman tables, which take up to
      // ~300 bytes in a dynamic block (any tree or text of some size): 64 bytes gave nothing there.
      const { buffer, bytesRead } = await fh.read(Buffer.alloc(HEAD_READ), 0, HEAD_READ, 0);
      head = nodeZlib().inflateSync(buffer.subarray(0, bytesRead), { finishFlush: nodeZlib().constants.Z_SYNC_FLUSH });
    } finally {
      await fh.close();
    }
    if (!head.subarray(0, type.length + 1).equals(Buffer.from(`${type} `))) return false;
    const now = new Date();
    await utimes(file, now, now);
    return true;
  } catch {
    return false;
  }
}

const HEAD_READ = 1024;

/**
 * Whether every one of `ids` is a loose object here, each freshened as freshLooseObject does, with
 * no look inside: an id names its content and its type, so the file at its path is that object (git's
 * own freshening looks no further). One system call each, without waiting on the thread pool: an
 * agent's hundred untracked files cost a millisecond, not twenty. False says nothing (see above).
 */
export function freshLooseObjectsPresent(repo: RepoPaths, ids: readonly string[]): boolean {
  const now = new Date();
  try {
    for (const id of ids) utimesSync(looseObjectPath(repo, id), now, now);
    return true;
  } catch {
    return false;
  }
}

const looseObjectPath = (repo: RepoPaths, id: string) => join(repo.commonDir, 'objects', id.slice(0, 2), id.slice(2));

/** Write `text` as a commit object into the repository's own object store; its id. */
export function writeCommitObject(repo: RepoPaths, text: string): Promise<string> {
  return writeLooseObject(repo, 'commit', Buffer.from(text, 'utf8'));
}

/**
 * Write an object of this type and content into the repository's own object store (SHA-1: the
 * caller has core/own-commits.ts's word that the store is the plain one); its id. Synchronous
 * inside: a checkpoint writes six such objects of a few hundred bytes, and each asynchronous call
 * waits its turn in the thread pool (about 1.5 ms an object against 0.1).
 */
export async function writeLooseObject(repo: RepoPaths, type: 'commit' | 'tree' | 'blob', body: Buffer): Promise<string> {
  const raw = Buffer.concat([Buffer.from(`${type} ${body.length}\0`), body]);
  const id = nodeCrypto().createHash('sha1').update(raw).digest('hex');
  const target = looseObjectPath(repo, id);
  const dir = dirname(target);
  if (existsSync(target)) return id;
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `tmp_obj_${nodeCrypto().randomBytes(6).toString('hex')}`);
  try {
    const fd = openSync(tmp, 'wx', 0o444);
    try {
      writeFileSync(fd, nodeZlib().deflateSync(raw, { level: 1 }));
    } finally {
      closeSync(fd);
    }
    // As git does: a link (an object already there wins), a rename where links are not supported.
    try {
      linkSync(tmp, target);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') renameSync(tmp, target);
    }
  } finally {
    rmSync(tmp, { force: true });
  }
  return id;
}

/**
 * The type and content of `id` when it is a loose object here, read without a git process; null
 * when it is not loose (packed, or absent) or cannot be read as one: ask git then.
 */
export async function readLooseObject(repo: RepoPaths, id: string): Promise<{ type: string; body: Buffer } | null> {
  try {
    const raw = nodeZlib().inflateSync(readFileSync(looseObjectPath(repo, id)));
    const nul = raw.indexOf(0);
    const m = /^(commit|tree|blob|tag) (\d+)$/.exec(raw.toString('latin1', 0, Math.max(nul, 0)));
    if (!m || raw.length - nul - 1 !== Number(m[2])) return null;
    return { type: m[1]!, body: raw.subarray(nul + 1) };
  } catch {
    return null;
  }
}
