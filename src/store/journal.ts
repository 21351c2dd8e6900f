// The journal of multi-step effects (design.md §Lifecycle, §Guarantees): one small JSON file per operation in
// <store>/journal/, written durably before its first step and removed after its last. Whatever is
// found there belongs to an operation that was interrupted (or is running right now: entries carry
// the pid and host of their owner, and a live owner's entry is left alone).
import { nodeCrypto } from '../builtins.js';
import { hostname } from 'node:os';
import { readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeDurably } from '../fs/durable-write.js';

interface Owner {
  /** The store that wrote it: a copy of the repository made while it ran carries the entry, whose paths are that store's. */
  store?: string;
  pid: number;
  host: string;
  started_at: string;
}

/** archive: write → verify → record ARCHIVED → remove the ref. */
export interface ArchiveJournal extends Owner {
  op: 'archive';
  id: string;
  snapshot: string;
  path: string;
}

/** delete of an ARCHIVED backup: record DELETED → overwrite (when sensitive) → unlink. */
export interface DeleteArchiveJournal extends Owner {
  op: 'delete-archive';
  id: string;
  path: string;
  overwrite: boolean;
}

/** gc: git prune (and repack); each of git's steps is safe to interrupt, so this only reports it. */
export interface GcJournal extends Owner {
  op: 'gc';
}

/**
 * restore whose temp files go beside its targets (the store is on another filesystem): the names
 * (`.NAME.<token>.tmp` in these directories of root) are known before the first is made, so a
 * killed restore's leftovers are found exactly and removed.
 */
export interface RestoreTempsJournal extends Owner {
  op: 'restore-temps';
  root: string;
  token: string;
  dirs: string[];
}

export type Journal = ArchiveJournal | DeleteArchiveJournal | GcJournal | RestoreTempsJournal;
export type JournalInput =
  | Omit<ArchiveJournal, keyof Owner>
  | Omit<DeleteArchiveJournal, keyof Owner>
  | Omit<GcJournal, keyof Owner>
  | Omit<RestoreTempsJournal, keyof Owner>;

export interface JournalFile {
  file: string;
  entry: Journal;
}

export const journalDir = (storeDir: string) => join(storeDir, 'journal');

/** Write the entry durably (stamped with the real time, not GIT_BACKUP_NOW: liveness is about real processes); returns its file, to be passed to endJournal after the last step. */
export async function beginJournal(storeDir: string, input: JournalInput): Promise<string> {
  const dir = journalDir(storeDir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const entry = { ...input, store: storeDir, pid: process.pid, host: hostname(), started_at: new Date().toISOString() } as Journal;
  const name = `${entry.op}-${'id' in entry ? entry.id : 'repo'}-${nodeCrypto().randomBytes(4).toString('hex')}.json`;
  const file = join(dir, name);
  await writeDurably(file, JSON.stringify(entry) + '\n');
  return file;
}

export async function endJournal(file: string): Promise<void> {
  await rm(file, { force: true });
}

/** Every journal entry on disk (unreadable ones are reported as null entries: a torn write never got durable). */
export async function listJournals(storeDir: string): Promise<JournalFile[]> {
  let names: string[];
  try {
    names = await readdir(journalDir(storeDir));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: JournalFile[] = [];
  for (const name of names.filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort()) {
    const file = join(journalDir(storeDir), name);
    try {
      out.push({ file, entry: JSON.parse(await readFile(file, 'utf8')) as Journal });
    } catch {
      // writeDurably renames a complete, fsynced file into place, so this is not a torn entry of
      // ours: leave it for a person, recover reports it.
    }
  }
  return out;
}

/** An owner older than this is taken for dead even if its pid is alive (the pid was reused). */
const MAX_AGE_MS = 24 * 3_600_000;

/** Whether the process that wrote the entry may still be running (same host and pid alive, or us). */
export function ownerAlive(entry: Journal, now: Date = new Date()): boolean {
  if (entry.pid === process.pid && entry.host === hostname()) return true;
  if (now.getTime() - Date.parse(entry.started_at) > MAX_AGE_MS) return false;
  if (entry.host !== hostname()) return true; // another machine sharing the store: not ours to judge
  try {
    process.kill(entry.pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A process killed a moment ago may linger as a zombie until its parent reaps it (a process-group
  // kill from a shell or a test): it holds a pid but will never run again.
  try {
    const stat = readFileSync(`/proc/${entry.pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z' || state === 'X') return false;
  } catch {
    // no /proc (not Linux): trust kill(0)
  }
  return true;
}

/** Journal files that do not parse (not ours, or damaged by hand): recover reports them. */
export async function unreadableJournals(storeDir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(journalDir(storeDir));
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const name of names.filter((n) => !n.startsWith('.')).sort()) {
    const file = join(journalDir(storeDir), name);
    try {
      const e = JSON.parse(await readFile(file, 'utf8')) as Partial<Journal>;
      if (!name.endsWith('.json') || typeof e !== 'object' || e === null || typeof e.op !== 'string' || typeof e.pid !== 'number') out.push(file);
    } catch {
      out.push(file);
    }
  }
  return out;
}
