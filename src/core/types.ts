// The domain's vocabulary. Plain data only: everything here is serialised into db.json
// and into the notes, so no classes, no Dates (ISO strings instead), no undefined fields.

import type { ContentProof, ProtectedEntry } from './content.js';

export const BACKUP_STATES = ['CREATED', 'PENDING', 'CONFIRMED', 'CLEANABLE', 'ARCHIVED', 'DELETED'] as const;
export type BackupState = (typeof BACKUP_STATES)[number];

export const TRIGGERS = ['USER', 'DISK_SPACE', 'GIT_HOOK', 'TIME_BASED'] as const;
export type Trigger = (typeof TRIGGERS)[number];

/** One step of a backup's life, as kept in its history and in its note. */
export interface HistoryEntry {
  at: string; // ISO-8601 UTC
  from: BackupState | null; // null for the creation record
  to: BackupState;
  trigger: Trigger;
  reason: string;
  forced: boolean;
}

/** What was lost when a backup was deleted; kept forever in place of the content. */
export interface Tombstone {
  deleted_at: string;
  trigger: Trigger;
  reason: string;
  files: number;
  bytes: number;
  paths: string[];
}

/**
 * Where an ARCHIVED backup's content lives (design.md §Storage): a gzip'd tar at `path`, with a manifest beside
 * it (`<id>.manifest.json`: every path, mode and blob hash) that verify and restore check it against.
 */
export interface ArchiveInfo {
  /**
   * Where the archive is: `YYYY/MM/<id>.tar.gz`, relative to the archive directory, resolved at use
   * (so a moved or copied repository reads its own archives). Older records hold an absolute path.
   */
  path: string;
  /** sha256 (hex) of the archive file's bytes. */
  sha256: string;
  bytes: number;
  created_at: string;
  /** sha256 (hex) of the manifest file's bytes, so a changed manifest cannot vouch for a changed archive. */
  manifest_sha256: string;
  /** Files in the archive (tracked tree and untracked part combined). */
  files: number;
}

/** The commit a backup's base was rewritten into, following chains (amend of an amend, amend then rebase). */
export interface BaseSuccessor {
  commit: string;
  /**
   * Whether an amend was among the rewrites. An amend is a new commit made after the backup, so
   * the successor itself may hold the work; a rebase only replays the base, so the work must be
   * committed on top of the successor (`git pull --rebase --autostash` must not make uncommitted
   * work look committed).
   */
  amended: boolean;
}

export interface BackupRecord {
  id: string;
  state: BackupState;
  created_at: string;
  updated_at: string;
  message: string;
  /** Branch checked out at creation (short name), null when HEAD was detached. */
  branch: string | null;
  /** HEAD commit at creation; null on an unborn branch. Never rewritten: it is the snapshot's first parent. */
  base: string | null;
  /**
   * Where the base went when it was amended or rebased (post-rewrite): without it a backup whose
   * work was amended into its base would never qualify, as the amended commit does not descend from
   * the base. Optional because older records lack it: read it as `base_successor ?? null`. Kept in
   * db.json only (see docs/reconcile.md).
   */
  base_successor?: BaseSuccessor | null;
  /** The stash-shaped snapshot commit, reachable from refs/backups/<id> until archived or deleted. */
  snapshot: string;
  /** Paths the user limited the backup to; empty means the whole working tree. */
  paths: string[];
  /** Files the backup protects (changed vs base, plus untracked) and their size in bytes. */
  files: number;
  bytes: number;
  include_ignored: boolean;
  /** Top of the working tree the backup was taken from (worktrees share one store). */
  worktree: string;
  pinned: boolean;
  labels: string[];
  pending_commit: string | null;
  confirmed_by: string | null;
  confidence: number | null;
  /** Last time the user showed, diffed or restored it: recent access argues for keeping it. */
  accessed_at: string | null;
  history: HistoryEntry[];
  tombstone: Tombstone | null;
  /**
   * The archive of an ARCHIVED backup (kept on a DELETED one as where it was). Optional because
   * records written before archives existed lack it: read it as `archive ?? null`.
   */
  archive?: ArchiveInfo | null;
  /**
   * What it protects, path by path with its content id (design.md §Storage): the basis of every content
   * proof. Optional: records from before it existed, or rebuilt from notes, lack it until the
   * next decision pass reads it back from the snapshot (db.json only: it can be large).
   */
  protects?: ProtectedEntry[] | null;
  /**
   * The email (lower case) of its snapshot's author, the user who took it: only their commits
   * supersede its content (docs/reconcile.md). Read back from the snapshot by the next decision pass
   * and kept, so the verdict holds once an archived backup's snapshot is pruned (db.json only).
   */
  author?: string | null;
  /** The latest content verdict: where its content is held, and which paths are unique. */
  content?: ContentProof | null;
  /**
   * The clone that created it (backup.cloneId, docs/remote.md). Missing or null: this clone (records
   * from before clones were told apart). Another clone's backups are never moved by an automatic trigger here.
   */
  origin?: string | null;
  /** Verified copies on backup remotes (docs/remote.md), newest verification per remote. */
  copies?: RemoteCopy[] | null;
}

/** One verified copy of a backup's content on a backup remote. */
export interface RemoteCopy {
  /** The remote as configured (a name, or a URL without its user and password). */
  remote: string;
  /** When the copy was verified (ISO). */
  at: string;
  /** What the remote holds: the snapshot commit, or (ARCHIVED) a commit holding the archive and manifest. */
  kind: 'snapshot' | 'archive';
  /** The commit the remote's ref was verified to point at. */
  oid: string;
}

export interface StoreData {
  schema: number;
  generation: number;
  backups: BackupRecord[];
  /**
   * Bytes of <store>/events.log already applied by a hook drain (missing = 0). It lives in db.json,
   * advanced in the same write that applies the events, so a crash can neither apply an event twice
   * nor lose one.
   */
  events_offset?: number;
  /** How many hook events have been applied, in total (missing = 0); lets tests prove exactly-once. */
  events_applied?: number;
  /** The policies' own bookkeeping (missing = never ran). */
  policy?: PolicyStamp;
  /**
   * The commit of refs/notes/backups this index has seen every event of (missing: an index written
   * before notes came first, or a new one). The notes are the truth and are written first: a tip on
   * disk that differs means the index is behind, and it is brought up to date from the notes that
   * changed between the two (docs/store.md).
   */
  notes_tip?: string | null;
  /**
   * The cold store: DELETED records moved out of this index into append-only segments
   * (<store>/cold/<YYYY-MM>.jsonl, by the month in the id), segment name → what of it this index
   * accounts for. Missing: nothing compacted yet. Bytes past `bytes` in a segment belong to a
   * compaction that was killed before this index was written: readers ignore them and the next
   * compaction cuts them off (docs/store.md, "Hot and cold").
   */
  cold?: Record<string, ColdSegment>;
  /** What status --prometheus reports beyond the records (missing: nothing counted yet). */
  stats?: StoreStats;
}

/** The fields of the index's head a change may set: everything but the records, the schema and the generation. */
export type HeadFields = Omit<StoreData, 'backups' | 'schema' | 'generation'>;

/**
 * The index as adding a backup sees it (create): every id, the records newest id first, parsed as
 * they are walked, and where a new one goes. The store hands it out without parsing the records a
 * create never looks at (docs/store.md, "Writes that cost what they change").
 */
export interface AppendView {
  readonly ids: readonly string[];
  /** The cold store as the index accounts for it (tombstones keep their ids). */
  readonly cold: StoreData['cold'];
  newestFirst(): Iterable<BackupRecord>;
  add(record: BackupRecord): void;
}

/** When a drain or a policy evaluation last ended, and how. */
export interface RunStamp {
  at: string;
  ok: boolean;
  /** What went wrong (ok false), or how many moves were applied and refused (a tick). */
  detail?: string;
}

export interface StoreStats {
  /** The last hook drain that applied events (ok), or that failed. */
  drain?: RunStamp;
  /** The last real policy evaluation (tick, a drain's periodic check, emergency). */
  tick?: RunStamp;
  /**
   * Transitions since this counter was added, by `TRIGGER:result` (applied: written; failed: an
   * automatic move refused when applied). A counter: it only grows (a rebuilt index starts again).
   */
  transitions?: Record<string, number>;
}

/** One cold segment as the index that wrote it knows it. */
export interface ColdSegment {
  /** Length of the segment this index accounts for (whole lines). */
  bytes: number;
  /** Tombstones in it. */
  count: number;
  /** The greatest id in it (ids sort by creation time): lets `create` skip a scan for a clash. */
  max: string;
}

export interface PolicyStamp {
  /** Last rate-limited check run by a hook drain (ISO): at most one per backup.check.interval. */
  last_check_at?: string;
  /** The disk level last seen by a real tick, so an alert fires when a threshold is crossed, not on every tick. */
  disk_level?: 'ok' | 'warning' | 'critical' | 'emergency';
}

export const SCHEMA_VERSION = 1;
