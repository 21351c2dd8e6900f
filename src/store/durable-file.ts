// A lowdb Adapter<StoreData> that reads strictly and writes durably.
//
// lowdb's own TextFile adapter goes through steno, which writes one fixed temp name and renames it
// without fsync: two processes corrupt each other and a crash can leave an empty file. Here every
// write goes to a unique temp file in the same directory, is fsynced, keeps the generation it replaces
// as db.json.prev (a hard link, so no copy), is renamed over db.json, and the directory is fsynced.
//
// The file is written compactly (no indentation) with the keys in a fixed order, `schema`, then
// `generation`, the other small fields and a summary, and `backups` last, so the generation and the
// head can be read from the first bytes of the file without parsing megabytes (readHead: `status`
// on a store of 10,000 live backups). The summary carries a SHA-256 of the records and the head,
// which every read of the records checks: nothing in the file changes unseen (headKey).
import type { Hash } from 'node:crypto';
import { nodeCrypto } from '../builtins.js';
import { constants as fsc } from 'node:fs';
import { copyFile, link, lstat, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Adapter } from 'lowdb';
import type { StoreData } from '../core/types.js';
import { BackupError, ExitCode } from '../errors.js';
import { FILE_MODE, fsyncPath, writeNewFile } from '../fs/durable-write.js';
import { openRegular, readWhole } from '../fs/regular-file.js';
import { summarize, type Summary } from '../core/query.js';
import { encodeRecord } from '../core/record.js';
import { BACKUP_STATES } from '../core/types.js';

export { FILE_MODE };

/** db.json (or db.json.prev) exists but is not a store: truncated, garbled, or the wrong shape. */
export class StoreDamagedError extends BackupError {
  constructor(
    readonly file: string,
    readonly detail: string,
  ) {
    super(ExitCode.STORE_DAMAGED, `${file} is damaged (${detail})`);
    this.name = 'StoreDamagedError';
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function firstKey(o: Record<string, unknown>): string | undefined {
  for (const k in o) return k;
  return undefined;
}

/** Minimal shape check: deep validation of 10k records would cost more than it would catch. */
export function parseStore(text: string, file: string): StoreData {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new StoreDamagedError(file, text.length === 0 ? 'empty file' : `not valid JSON: ${(e as Error).message}`);
  }
  if (!isObject(data)) throw new StoreDamagedError(file, 'not a JSON object');
  if (!Number.isInteger(data.schema) || (data.schema as number) < 1) throw new StoreDamagedError(file, 'no schema number');
  if (!Number.isInteger(data.generation) || (data.generation as number) < 0) {
    throw new StoreDamagedError(file, 'no generation number');
  }
  if (!Array.isArray(data.backups)) throw new StoreDamagedError(file, 'no backups array');
  const backups = data.backups as unknown[];
  for (let i = 0; i < backups.length; i++) {
    const b = backups[i];
    if (!isObject(b) || typeof b.id !== 'string') throw new StoreDamagedError(file, 'a backup record without an id');
    // Id first, as this version writes records (a file written another way): writes that copy
    // records as bytes find them by it (store/append.ts).
    if (firstKey(b) !== 'id') backups[i] = { id: b.id, ...b };
  }
  // Derived when written (serializeStore), never carried as data.
  delete data.summary;
  return data as unknown as StoreData;
}

/**
 * The text we write: compact, keys in a fixed order, every small field first and `backups` last, so
 * the head (generation, counters, the summary `status` shows) is read from the first bytes of the
 * file without parsing megabytes of records (readHead). `summary.backups_bytes` is the byte length
 * of the backups array, so a reader can tell a whole file from a torn one by its size alone.
 */
export function serializeStore(data: StoreData): Buffer {
  return Buffer.concat(serializeStoreParts(data));
}

/**
 * serializeStore in the pieces the file is written from, the records as one buffer: encoded to
 * UTF-8 once, their byte length read from it, never copied again (a 14 MB index was encoded three
 * times, to measure it and to write it, and a concatenation would copy it once more).
 */
export function serializeStoreParts(data: StoreData): Buffer[] {
  const backups = Buffer.from(`[${data.backups.map(encodeRecord).join(',')}]`);
  const summary = summarize(data.backups);
  const sha256 = nodeCrypto().createHash('sha256').update(backups).update(headKey(data, summary)).digest('hex');
  return [headPart(data, summary, { bytes: backups.length, sha256, layout: PUBLIC_FIRST }), backups, CLOSE];
}

/**
 * `summary.records_layout` of an index whose every record is encodeRecord's (what `--json` prints
 * first): a full write encodes every record so; a write without parsing keeps what it read, as it
 * copies the other records' bytes (an index written before has none until its next full write).
 */
export const PUBLIC_FIRST = 'public-first';

/**
 * What `summary.backups_sha256` covers after the records array's bytes: the head's fields and the
 * summary's numbers, so that no byte of db.json can change unseen, neither a record, nor a count a
 * write without parsing carries on (store/append.ts), nor the events offset.
 */
export function headKey(head: Omit<StoreData, 'backups'>, s: Summary): string {
  // Not `records_layout`: a version from before it would take every index written since for
  // damaged (and rebuild it from the notes). A change of it in place goes unseen (headOf's size
  // check counts from the end of the head): printableRecords checks each record's layout itself.
  return JSON.stringify([
    BACKUP_STATES.map((st) => s.counts?.[st]), s.total, s.live, s.bytes, s.pinned,
    head.schema, head.generation, head.events_offset ?? null, head.events_applied ?? null, head.policy ?? null,
    head.notes_tip === undefined ? '-' : head.notes_tip, head.cold ?? null, head.stats ?? null,
  ]);
}

/**
 * The SHA-256 over the records array up to (not including) its `]`, when the whole file matches
 * the hash its head carries (a write without parsing continues it: store/append.ts); null when
 * it does not, or the head carries none.
 */
export function vouchedHash(buf: Buffer, found: { head: StoreHead; arrayStart: number }): Hash | null {
  const want = found.head.summary.backups_sha256;
  if (!want) return null;
  const hash = nodeCrypto().createHash('sha256').update(buf.subarray(found.arrayStart, buf.length - 2));
  return hash.copy().update(']').update(headKey(found.head, found.head.summary)).digest('hex') === want ? hash : null;
}

/**
 * Null when the file's head vouches for its records and summary, or has nothing to say (a file
 * written another way, or torn: the parse judges those); else what is wrong.
 */
function hashMismatch(buf: Buffer): string | null {
  const found = headOf(buf, buf.length);
  if (!found?.head.summary.backups_sha256) return null;
  return vouchedHash(buf, found) ? null : 'it does not match the SHA-256 in its head (changed in place)';
}

/** The last byte of db.json, after the records. */
export const CLOSE = Buffer.from('}');

/**
 * The head as written, up to and including `,"backups":` (the records follow, then `}`): the
 * small fields in a fixed order, the summary of the records, and the byte length and SHA-256 of
 * their array (append and patch check the bytes they copy through against it: store/append.ts).
 */
export function headPart(data: Omit<StoreData, 'backups'>, summary: Summary, records: { bytes: number; sha256: string; layout: string | undefined }): Buffer {
  const head: Record<string, unknown> = {
    schema: data.schema,
    generation: data.generation,
    summary: { ...summary, backups_bytes: records.bytes, backups_sha256: records.sha256, ...(records.layout === undefined ? {} : { records_layout: records.layout }) },
  };
  if (data.events_offset !== undefined) head.events_offset = data.events_offset;
  if (data.events_applied !== undefined) head.events_applied = data.events_applied;
  if (data.policy !== undefined) head.policy = data.policy;
  if (data.notes_tip !== undefined) head.notes_tip = data.notes_tip;
  if (data.cold !== undefined) head.cold = data.cold;
  if (data.stats !== undefined) head.stats = data.stats;
  return Buffer.from(`${JSON.stringify(head).slice(0, -1)},"backups":`);
}

/** Everything of db.json but its records, with the summary of them it was written with. */
export type StoreHead = Omit<StoreData, 'backups'> & { summary: Summary & { backups_bytes: number; backups_sha256?: string; records_layout?: string } };

const BACKUPS_KEY = ',"backups":[';
/** The head is a few hundred bytes (a cold segment per month adds ~50); more means "not ours". */
const HEAD_MAX = 64 * 1024;

/**
 * The head of db.json from its first bytes, or null when that cannot be trusted: no file, a file
 * written another way (by hand, by an older version, no summary), or one whose size is not what
 * its head says (torn). Null means "read the whole file", which also reports damage.
 */
export async function readHead(file: string): Promise<StoreHead | null> {
  let fh;
  let size: number;
  try {
    ({ fh, st: { size } } = await openRegular(file));
  } catch {
    return null;
  }
  try {
    const buf = Buffer.alloc(Math.min(size, HEAD_MAX));
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return headOf(buf.subarray(0, bytesRead), size)?.head ?? null;
  } catch {
    return null;
  } finally {
    await fh.close();
  }
}

/**
 * The head at the start of `buf` (the first bytes of a file of `size` bytes), and the offset of the
 * records' `[`, or null when it cannot be trusted (see readHead).
 */
export function headOf(buf: Buffer, size: number): { head: StoreHead; arrayStart: number } | null {
  const at = buf.subarray(0, HEAD_MAX).indexOf(BACKUPS_KEY);
  if (at < 0) return null;
  let head: Partial<StoreHead>;
  try {
    head = JSON.parse(`${buf.subarray(0, at).toString('utf8')}}`) as Partial<StoreHead>;
  } catch {
    return null;
  }
  const bytes = head.summary?.backups_bytes;
  if (!Number.isInteger(head.schema) || !Number.isInteger(head.generation) || !Number.isInteger(bytes)) return null;
  // `{head` + `,"backups":` + the array + `}`
  if (size !== at + BACKUPS_KEY.length - 1 + bytes! + 1) return null;
  return { head: head as StoreHead, arrayStart: at + BACKUPS_KEY.length - 1 };
}

/**
 * What db.json is on disk, for the compare-and-swap: every write renames a new file into place, so
 * (inode, size, mtime) changes with each one, and unlike the generation it is defined for a damaged
 * file too (a torn db.json with its header intact must not look like someone else's write). Null
 * when there is no db.json.
 */
export async function fileIdentity(file: string): Promise<string | null> {
  try {
    const st = await stat(file, { bigint: true });
    return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.isDirectory() ? 'd' : 'f'}`;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    // A symbolic link that leads nowhere git-backup can stat (a loop made by hand: ELOOP) is the
    // link's own identity: read, it is damage (moved aside, db.json.prev restored) instead of every
    // command, create and recover included, exiting 1 (a review found it).
    if ((e as NodeJS.ErrnoException).code !== 'ELOOP') throw e;
    const st = await lstat(file, { bigint: true });
    return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:l`;
  }
}

function tempName(file: string): string {
  return join(dirname(file), `${basename(file)}.${process.pid}.${nodeCrypto().randomBytes(6).toString('hex')}.tmp`);
}

const TEMP = /^db\.json(\.prev)?\.\d+\.[0-9a-f]{12}\.tmp$/;
/** A stale lock moved aside by a takeover, or a claim made beside the lock, by a process killed before it finished (store/lock.ts). */
const STALE_LOCK = /^(db\.json|drain|push)\.lock\.(stale|new)-[0-9a-f]{16}$/;

/**
 * Remove temp files that a writer killed mid-write left in the store directory, and the lock
 * directories a killed takeover or claim left beside the lock. Called under the lock, where no one else is writing; the age limit
 * spares a racing writer's file all the same.
 */
export async function removeLeftoverTemps(dir: string, olderThanMs: number): Promise<string[]> {
  const removed: string[] = [];
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const lockAside = STALE_LOCK.test(name);
    if (!lockAside && !TEMP.test(name)) continue;
    const p = join(dir, name);
    try {
      if (Date.now() - (await stat(p)).mtimeMs < olderThanMs) continue;
      if (lockAside) await rm(p, { recursive: true, force: true });
      else await unlink(p);
      removed.push(name);
    } catch {
      // gone already, or not ours to remove: harmless either way
    }
  }
  return removed;
}

/** How many damaged generations are kept aside for a person to look at (older ones are removed). */
export const KEEP_DAMAGED = 3;

/**
 * Remove all but the newest `keep` `db.json.damaged-<ms>` files (or directories: a directory put
 * in place of db.json is moved aside the same way). Without it, a store damaged again and again
 * (a disk that keeps failing, a script that keeps writing it) would fill the directory.
 */
export async function pruneDamaged(file: string, keep: number): Promise<string[]> {
  const prefix = `${basename(file)}.damaged-`;
  let names: string[];
  try {
    names = await readdir(dirname(file));
  } catch {
    return [];
  }
  const aside = names
    .filter((n) => n.startsWith(prefix) && /^\d+$/.test(n.slice(prefix.length)))
    .sort((a, b) => Number(b.slice(prefix.length)) - Number(a.slice(prefix.length)));
  const removed: string[] = [];
  for (const name of aside.slice(keep)) {
    await rm(join(dirname(file), name), { recursive: true, force: true }).catch(() => undefined);
    removed.push(name);
  }
  return removed;
}

export interface DurableFileOptions {
  /** Where the generation being replaced is kept; null to keep none. */
  prev: string | null;
}

export class DurableJSONFile implements Adapter<StoreData> {
  /**
   * Whether db.json, as last seen by read(), was a good store. write() keeps the file it replaces as
   * db.json.prev only then, so a damaged db.json never overwrites the good previous generation.
   */
  currentIsGood = true;

  /** Called after the new generation is on disk and before it replaces db.json; throwing cancels the write. */
  beforeCommit: (() => Promise<void>) | null = null;

  constructor(
    readonly file: string,
    readonly opts: DurableFileOptions = { prev: null },
  ) {}

  async read(): Promise<StoreData | null> {
    let buf: Buffer;
    try {
      buf = await readWhole(this.file);
    } catch (e) {
      this.currentIsGood = false;
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return null;
      // Replaced by a directory, unreadable: damaged like a garbled file (never a crash, design.md §Guarantees).
      throw new StoreDamagedError(this.file, code === 'EISDIR' ? 'a directory, not a file' : `cannot be read: ${code ?? (e as Error).message}`);
    }
    try {
      const mismatch = hashMismatch(buf);
      if (mismatch) throw new StoreDamagedError(this.file, mismatch);
      const data = parseStore(buf.toString('utf8'), this.file);
      this.currentIsGood = true;
      return data;
    } catch (e) {
      this.currentIsGood = false;
      throw e;
    }
  }

  async write(data: StoreData): Promise<void> {
    await this.writeParts(serializeStoreParts(data));
  }

  /** write(), of a generation already serialized (append and patch: store/append.ts). */
  async writeParts(parts: Buffer[]): Promise<void> {
    const tmp = tempName(this.file);
    await writeNewFile(tmp, parts);
    try {
      await this.beforeCommit?.();
      if (this.opts.prev && this.currentIsGood) await this.keepPrevious(this.opts.prev);
      // A damaged db.json is kept aside for a person to look at (and a directory in its place could
      // not be renamed over at all).
      if (!this.currentIsGood) {
        await rename(this.file, `${this.file}.damaged-${Date.now()}`).catch(() => undefined);
        await pruneDamaged(this.file, KEEP_DAMAGED);
      }
      await rename(tmp, this.file);
    } catch (e) {
      await unlink(tmp).catch(() => {});
      throw e;
    }
    // One directory fsync makes both renames (prev and db.json) durable.
    await fsyncPath(dirname(this.file));
    this.currentIsGood = true;
  }

  /** db.json.prev := the current db.json, atomically (link to a temp name, rename over prev). */
  private async keepPrevious(prev: string): Promise<void> {
    const tmp = tempName(prev);
    try {
      await link(this.file, tmp);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return; // first write: nothing to keep
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV' && code !== 'EMLINK') throw e;
      // A filesystem without hard links: copy, and fsync the copy before it replaces prev.
      await copyFile(this.file, tmp, fsc.COPYFILE_EXCL);
      const fh = await open(tmp, 'r+');
      try {
        await fh.chmod(FILE_MODE);
        await fh.sync();
      } finally {
        await fh.close();
      }
    }
    try {
      await rename(tmp, prev).catch(async (e: NodeJS.ErrnoException) => {
        // A directory where db.json.prev should be (made by hand, or by a tool gone wrong) would
        // stop every write for good: it is moved aside like a damaged db.json, and the link renamed again.
        if (e.code !== 'EISDIR' && e.code !== 'ENOTEMPTY' && e.code !== 'EEXIST') throw e;
        await rename(prev, `${prev}.damaged-${Date.now()}`);
        await pruneDamaged(prev, KEEP_DAMAGED);
        await rename(tmp, prev);
      });
    } catch (e) {
      await unlink(tmp).catch(() => {});
      throw e;
    }
  }
}
