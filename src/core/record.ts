// Backup records: construction and the public JSON shape (design.md §Command line). The note lines that mirror
// them are in notes-format.ts; rebuilding a record from those lines is in rebuild.ts.

import type { BackupRecord, HistoryEntry, Trigger } from './types.js';
import type { RecordFacts } from './notes-format.js';
import type { ProtectedEntry } from './content.js';
import { STAMP_LENGTH } from './ids.js';

// ---------------------------------------------------------------------------------------------
// Construction

export interface NewRecordInput {
  id: string;
  created_at: Date | string;
  message: string;
  branch: string | null;
  base: string | null;
  snapshot: string;
  paths: readonly string[];
  files: number;
  bytes: number;
  include_ignored: boolean;
  worktree: string;
  /** What it protects, path by path (from the snapshot). */
  protects?: readonly ProtectedEntry[] | null;
  pinned?: boolean;
  labels?: readonly string[];
  /** Who created it: USER for `create`, GIT_HOOK for the pre-rebase backup. Default USER. */
  trigger?: Trigger;
  /** Default "created". */
  reason?: string;
  /** The clone that created it (backup.cloneId); absent for records from before clones had names. */
  origin?: string | null;
}

/** A time as the one ISO form used everywhere (24 characters, UTC, milliseconds). */
export function isoTime(t: Date | string): string {
  const d = typeof t === 'string' ? new Date(t) : t;
  const ms = d.getTime();
  if (Number.isNaN(ms)) throw new Error(`invalid time ${JSON.stringify(String(t))}`);
  const s = d.toISOString();
  // Years outside 0000–9999 get a sign and six digits, which would break fixed width.
  if (s.length !== 24) throw new Error(`time ${s} is outside the years 0000-9999`);
  return s;
}

export function newRecord(input: NewRecordInput): BackupRecord {
  const at = isoTime(input.created_at);
  const creation: HistoryEntry = {
    at,
    from: null,
    to: 'CREATED',
    trigger: input.trigger ?? 'USER',
    reason: input.reason ?? 'created',
    forced: false,
  };
  return {
    id: input.id,
    state: 'CREATED',
    created_at: at,
    updated_at: at,
    message: input.message,
    branch: input.branch,
    base: input.base,
    snapshot: input.snapshot,
    paths: [...input.paths],
    files: input.files,
    bytes: input.bytes,
    include_ignored: input.include_ignored,
    worktree: input.worktree,
    pinned: input.pinned ?? false,
    labels: [...(input.labels ?? [])],
    pending_commit: null,
    confirmed_by: null,
    confidence: null,
    accessed_at: null,
    history: [creation],
    tombstone: null,
    ...(input.protects ? { protects: input.protects.map((e) => ({ ...e })) } : {}),
    ...(input.origin ? { origin: input.origin } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Public JSON (design.md §Command line)

/**
 * The `--json` shape is the record itself (its fields are the design.md §Command line ones plus include_ignored,
 * worktree, accessed_at, tombstone, archive and base_successor); toPublicJson fixes the key order
 * and copies it.
 */
export type PublicRecord = BackupRecord;

/**
 * The record as `--json` prints it: the design.md §Command line fields plus include_ignored, worktree, accessed_at,
 * tombstone, archive and base_successor (null when absent), in a fixed key order, as a deep copy
 * (callers may serialise it later while the record changes).
 */
export function toPublicJson(r: BackupRecord): PublicRecord {
  const v = publicView(r);
  return {
    ...v,
    base_successor: v.base_successor ? { ...v.base_successor } : null,
    paths: [...v.paths],
    labels: [...v.labels],
    tombstone: v.tombstone ? { ...v.tombstone, paths: [...v.tombstone.paths] } : null,
    archive: v.archive ? { ...v.archive } : null,
    content: v.content ? { ...v.content, superseded: [...v.content.superseded], uncommitted: [...v.content.uncommitted], unique: [...v.content.unique], commits: [...v.content.commits] } : null,
    copies: (v.copies ?? []).map((c) => ({ ...c })),
  };
}

/** toPublicJson's fields in its order, sharing the record's objects (history entries are new: only their six fields). */
function publicView(r: BackupRecord): PublicRecord {
  return {
    id: r.id,
    state: r.state,
    created_at: r.created_at,
    updated_at: r.updated_at,
    accessed_at: r.accessed_at,
    message: r.message,
    branch: r.branch,
    base: r.base,
    base_successor: r.base_successor ?? null,
    snapshot: r.snapshot,
    paths: r.paths,
    files: r.files,
    bytes: r.bytes,
    include_ignored: r.include_ignored,
    worktree: r.worktree,
    pinned: r.pinned,
    labels: r.labels,
    pending_commit: r.pending_commit,
    confirmed_by: r.confirmed_by,
    confidence: r.confidence,
    history: r.history.map((e) => ({ at: e.at, from: e.from, to: e.to, trigger: e.trigger, reason: e.reason, forced: e.forced })),
    tombstone: r.state === 'DELETED' && r.tombstone ? r.tombstone : null,
    archive: r.archive ?? null,
    content: r.content ?? null,
    origin: r.origin ?? null,
    copies: r.copies ?? [],
  };
}

/** The first key of a stored record that `--json` does not print: everything before it is what it prints. */
export const STORE_ONLY_FROM = ',"protects":';

/**
 * A record as db.json stores it: what `--json` prints, byte for byte and in its order, then the
 * fields kept in the index only (`protects`, `author`). So `list --json` copies a record's bytes up
 * to STORE_ONLY_FROM instead of parsing and encoding it again (docs/store.md, "Records in the order
 * --json prints them").
 */
export function encodeRecord(r: BackupRecord): string {
  const stored: Record<string, unknown> = { ...publicView(r), protects: r.protects ?? null, author: r.author ?? null };
  // Fields this version does not know (a newer one wrote them) are kept, after the ones it does.
  for (const [k, v] of Object.entries(r)) if (!(k in stored) && v !== undefined) stored[k] = v;
  return JSON.stringify(stored);
}

/** Set the facts a transition or a facts event carries (undefined fields stay as they are). */
export function applyFacts(r: BackupRecord, f: RecordFacts | undefined): void {
  if (!f) return;
  if (f.pending_commit !== undefined) r.pending_commit = f.pending_commit;
  if (f.confirmed_by !== undefined) r.confirmed_by = f.confirmed_by;
  if (f.confidence !== undefined) r.confidence = f.confidence;
  if (f.archive !== undefined) r.archive = f.archive;
  if (f.content !== undefined) r.content = f.content;
  if (f.copies !== undefined) r.copies = f.copies && f.copies.map((c) => ({ ...c }));
}

/** What makes two backups the same backup: where they were taken, what they cover and what they hold. */
export interface BackupIdentity {
  worktree: string;
  /** This clone (backup.cloneId): another clone's backups are never "the newest of this worktree". */
  origin?: string;
  base: string | null;
  paths: string[];
  include_ignored: boolean;
  protects: ProtectedEntry[];
}

/**
 * The newest live backup (CREATED or PENDING: its snapshot is still in place) of this worktree, if it
 * holds exactly what `candidate` would: same base, same paths, same protected content. A second
 * `create` (or a checkpoint of a turn that changed nothing) then returns it instead of a copy.
 * The newest only: an older identical one means the work changed and changed back since, and that
 * sequence is worth its own backup.
 */
export function identicalNewest(newestFirst: Iterable<BackupRecord>, candidate: BackupIdentity): BackupRecord | null {
  let newest: BackupRecord | null = null;
  for (const b of newestFirst) {
    // Ids begin with the creation second: once past the newest one's second, nothing older can be newer.
    if (newest && b.id.slice(0, STAMP_LENGTH) !== newest.id.slice(0, STAMP_LENGTH)) break;
    if (b.worktree !== candidate.worktree || b.state === 'DELETED') continue;
    if (candidate.origin !== undefined && isForeign(b, candidate.origin)) continue;
    if (!newest || b.created_at > newest.created_at || (b.created_at === newest.created_at && b.id > newest.id)) newest = b;
  }
  if (!newest || (newest.state !== 'CREATED' && newest.state !== 'PENDING')) return null;
  const same =
    newest.base === candidate.base &&
    newest.include_ignored === candidate.include_ignored &&
    sameList(newest.paths, candidate.paths) &&
    !!newest.protects &&
    newest.protects.length === candidate.protects.length &&
    newest.protects.every((p, i) => p.path === candidate.protects[i]!.path && p.oid === candidate.protects[i]!.oid && p.mode === candidate.protects[i]!.mode);
  return same ? newest : null;
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Whether another clone made it (docs/remote.md): a record without an origin is this clone's. */
export function isForeign(r: Pick<BackupRecord, 'origin'>, cloneId: string): boolean {
  return !!r.origin && r.origin !== cloneId;
}
