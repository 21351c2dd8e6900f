// The state index: <git-common-dir>/backup/db.json, shared by all worktrees (design.md §Storage, §Guarantees).
//
// lowdb's Low is the in-memory model, over our DurableJSONFile adapter. Reads take no lock (writes
// are atomic renames, so a reader sees one whole generation or another). Every change is a
// read-modify-write under the lock, checked against the file it read (compare-and-swap) and against
// the lock's owner right before the rename, so a holder displaced by another process never writes.
import { mkdir, chmod, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { SCHEMA_VERSION, type StoreData } from '../core/types.js';
import { BackupError, ExitCode } from '../errors.js';
import { DurableJSONFile, PUBLIC_FIRST, StoreDamagedError, fileIdentity, readHead, removeLeftoverTemps, type StoreHead } from './durable-file.js';
import { heldByLiveProcess, lockLostError, staleMs, withLock, type LockSignal } from './lock.js';
import { pauseAt } from '../test-pause.js';
import { NOTES_REF } from '../git/notes.js';
import { appendTombstones, coldIds, coldSegmentPath, compactTombstones, readCold } from './cold.js';
import { bySegment, segmentOf } from '../core/cold.js';
import type { AppendView, BackupRecord, HeadFields } from '../core/types.js';
import { appendViewOf } from '../core/query.js';
import { RawLayoutError, appendEdit, nextGeneration, patchEdit, printableRecords, readRawIndex, recordAt, recordsInStates, type Printable, type RawEdit, type RawIndex } from './append.js';

export const DIR_MODE = 0o700;
/** How many times update() re-runs fn when the generation moved under it. */
const MAX_ATTEMPTS = 5;
/** How many times update() waits for the lock again after finding it was displaced before writing. */
const MAX_LOCK_ROUNDS = 3;

export interface StorePaths {
  dir: string;
  db: string;
  prev: string;
  lock: string;
}

export function storePaths(commonDir: string): StorePaths {
  const dir = join(commonDir, 'backup');
  const db = join(dir, 'db.json');
  return { dir, db, prev: `${db}.prev`, lock: `${db}.lock` };
}

export interface Store {
  readonly paths: StorePaths;
  /**
   * Read without the lock. A missing store reads as empty; a damaged db.json is recovered from
   * db.json.prev with a one-line warning; then, with a ledger attached, the index is brought up to
   * the notes (the truth, docs/store.md): events the index has not seen are replayed into it, and
   * a store whose both generations are gone or damaged is rebuilt from refs and notes.
   */
  read(): Promise<StoreData>;
  /**
   * Read-modify-write under the lock. fn may mutate `data` in place; if it throws, nothing is written.
   * fn may run more than once (when another writer got in), so it must have no side effects besides
   * mutating `data`. Returns fn's result.
   */
  update<T>(fn: (data: StoreData) => T | Promise<T>, opts?: UpdateOptions<T>): Promise<T>;
  /**
   * Add records (create): update() with fn seeing an AppendView. When db.json is whole, current with
   * the notes and owes the cold store nothing, the records already there are neither parsed nor
   * encoded again: their bytes are copied into the next generation (store/append.ts). Otherwise it
   * is update() over the parsed index, with the same guarantees either way.
   */
  append<T>(fn: (view: AppendView) => T | Promise<T>, opts?: UpdateOptions<T>): Promise<T>;
  /**
   * Change the records with these ids and the head's own fields (the drain's events and verdicts,
   * access times): update() with fn seeing only those records (an id not in the index is not in the
   * map) and the head. Written like append(), the other records' bytes copied as they are, whenever
   * append() could; a record made DELETED leaves the index in the same write (its tombstone
   * appended to the cold store first, as update()'s compaction does).
   */
  patch<T>(ids: readonly string[], fn: (records: Map<string, BackupRecord>, head: HeadFields) => T | Promise<T>, opts?: UpdateOptions<T>): Promise<T>;
  /**
   * The index's head (generation, counters, the summary of its records) from the first bytes of
   * db.json, when it can be trusted as it is: written whole by this version, and (with a ledger)
   * up to date with the notes. Null otherwise: then read() is the way, and it repairs what it finds.
   */
  head(): Promise<StoreHead | null>;
  /**
   * The head and the records still in play (CREATED and PENDING), the others not parsed: what a
   * hook drain's reconcile plans from, without parsing a large index whole. Null whenever head()
   * would be, or the index is not whole as this version writes it: then read() is the way.
   */
  live(): Promise<LiveRecords | null>;
  /**
   * The ids in the index, each record parsed only when asked for: what resolving the ids a user
   * typed needs (a command about one backup, on a large index). Null whenever live() would be.
   * A record that does not read as one throws RawLayoutError: read() is then the way.
   */
  lookup(): Promise<IndexLookup | null>;
  /**
   * Carry a change of the head's own fields in this process's next write of the index, whatever
   * that write is (a hook drain's events ride with its reconcile's moves: one write of a large
   * index instead of two, docs/hooks.md). Until flushRider(), or a write that carries it.
   */
  carry(rider: HeadRider): void;
  /** Write the rider no write has carried yet (alone: the head, the records copied as they are). */
  flushRider(): Promise<void>;
  /**
   * The records in the states `keep` wants as `list --json` prints them, from their bytes, not
   * parsed (an archived one parsed: its archive path is resolved at use). Null whenever live()
   * would be, or the index is not in the layout that prints so (records_layout): then read().
   */
  printable(keep: (state: string) => boolean): Promise<Printable[] | null>;
  /** Connect the store to the durable record and the clock (openContext does it). */
  attach(hooks: StoreHooks): void;
  /** How the last read or update found the index (for status and degraded mode). */
  readonly health: StoreHealth;
  /**
   * Tombstones moved out of the index into the cold store (docs/store.md, "Hot and cold"), as
   * `data` (a read of this store) accounts for them: those whose id starts with `prefix` (one
   * month's segment is read), or every one. Read only when a command asks for DELETED backups.
   */
  tombstones(data: Pick<StoreData, 'cold'>, opts?: { prefix?: string; wanted?: (id: string) => boolean }): Promise<BackupRecord[]>;
  /** Cold segments (all of them read whole) whose bytes are not what the index accounts for: name → what is wrong. */
  coldDamage(data: Pick<StoreData, 'cold'>): Promise<Map<string, string>>;
  /** Ids of cold tombstones that start with `prefix` (8+ characters), without parsing their records. */
  tombstoneIds(data: Pick<StoreData, 'cold'>, prefix: string): Promise<string[]>;
}

/** A change of the head's own fields that rides with the next write (Store.carry). */
export interface HeadRider {
  /** Change the head under the lock; run again on fresh data whenever the write is retried. */
  apply(head: HeadFields): Promise<void>;
  /** Once the write that carried it is durable, the lock still held (files the change consumed). */
  carried(): Promise<void>;
}

/** The records a reconcile judges (CREATED, PENDING) and the head they were read with. */
export interface LiveRecords {
  head: StoreHead;
  backups: BackupRecord[];
}

/** The index by id, records parsed on demand (Store.lookup). */
export interface IndexLookup {
  ids: readonly string[];
  cold: StoreHead['cold'];
  record(id: string): BackupRecord | undefined;
}

const IN_PLAY: ReadonlySet<string> = new Set(['CREATED', 'PENDING']);

/**
 * The note lines one update adds: object → lines. `fresh`: objects made a moment ago (no note yet).
 * `drop`: lines to take out of notes, object → lines (recover, for lines that are not events).
 * `refs`: new backups (id → snapshot) whose refs come into being with their notes, before the index
 * records them (written even when the notes cannot be: a damaged notes ref).
 */
export interface NotePlan {
  lines: Map<string, string[]>;
  fresh?: Set<string>;
  drop?: Map<string, string[]>;
  refs?: Map<string, string>;
}

/** The durable record (refs/notes/backups), seen from the store. Implemented in app/ledger.ts. */
export interface Ledger {
  /** The notes tip now (null: no notes yet). */
  tip(): Promise<string | null>;
  /** What is wrong with `tip` as the notes ref (not a notes commit), or null when nothing is. */
  check(tip: string): Promise<string | null>;
  /**
   * Bring `data` up to the notes at `tip`: replay the notes that changed since data.notes_tip, or
   * (`full`) rebuild every record from refs and notes. Returns note lines that should be written
   * (records adopted from a ref without a note), which the caller writes when it holds the lock.
   */
  sync(data: StoreData, tip: string | null, full: boolean, cold?: ColdLookup): Promise<NotePlan | null>;
  /** Write note lines first (the truth), and the plan's refs with them, returning the new tip. */
  write(plan: NotePlan): Promise<string | null>;
  /** Only the plan's refs (id → snapshot), when its lines are not to be written. */
  createRefs(refs: ReadonlyMap<string, string>): Promise<void>;
}

/** The records of `ids` the cold store holds (asked only for noted backups the index does not hold). */
export type ColdLookup = (ids: readonly string[]) => Promise<Map<string, BackupRecord>>;

export interface StoreHooks {
  ledger?: Ledger;
  /** Called as soon as the lock is held: the clock is read here, never before (a move dated before a lock wait could predate the backup). */
  onLocked?: () => void;
}

export interface StoreHealth {
  /** db: db.json was good; prev: restored from db.json.prev; rebuilt: both gone or damaged, rebuilt from refs and notes; new: no store yet. */
  source: 'db' | 'prev' | 'rebuilt' | 'new';
  /** What was wrong with db.json (and prev), when source is not db. */
  problem: string | null;
  /** What is wrong with refs/notes/backups (then the index is worked from without it), or null. */
  notes?: string | null;
}

export interface UpdateOptions<T> {
  /**
   * Note lines this update adds. They are written first, under the lock, once fn's result is
   * final, and the index records the notes tip they produced (so an index write lost after them
   * is replayed from the notes by the next read).
   */
  notes?: (result: T) => NotePlan | null;
  /**
   * Effects that must follow the write while the lock is still held (ref removal): they run
   * once, after db.json is durable, so a retry of `fn` never repeats them.
   */
  afterWrite?: (result: T) => Promise<void>;
  /** Give up sooner than the default lock timeout (best-effort writes such as access times). */
  timeoutMs?: number;
}

export function emptyStore(): StoreData {
  return { schema: SCHEMA_VERSION, generation: 0, backups: [] };
}

/** Bring an older schema up to this one. Identity for now: schema 1 is the first. */
function migrate(data: StoreData): StoreData {
  return { ...data, schema: SCHEMA_VERSION };
}

function checkSchema(data: StoreData, file: string): StoreData {
  if (data.schema > SCHEMA_VERSION) {
    throw new BackupError(
      ExitCode.UNEXPECTED,
      `${file} was written by a newer git-backup (schema ${data.schema}, this one knows ${SCHEMA_VERSION}); upgrade git-backup`,
    );
  }
  return data.schema < SCHEMA_VERSION ? migrate(data) : data;
}

interface Loaded {
  data: StoreData;
  /** What db.json was on disk when read (fileIdentity), which the write must still find there. */
  diskId: string | null;
  /** Note lines the sync with the notes wants written (adopted refs). */
  adopt: NotePlan | null;
}

function mergePlans(a: NotePlan | null, b: NotePlan | null): NotePlan | null {
  if (!a) return b;
  if (!b) return a;
  const lines = new Map(a.lines);
  for (const [o, l] of b.lines) lines.set(o, [...(lines.get(o) ?? []), ...l]);
  const drop = new Map(a.drop);
  for (const [o, l] of b.drop ?? []) drop.set(o, [...(drop.get(o) ?? []), ...l]);
  return {
    lines,
    fresh: new Set([...(a.fresh ?? []), ...(b.fresh ?? [])].filter((o) => !a.lines.has(o) || !b.lines.has(o))),
    ...(drop.size ? { drop } : {}),
  };
}

class FileStore implements Store {
  private hooks: StoreHooks = {};
  health: StoreHealth = { source: 'db', problem: null };
  /** The damaged value of the notes ref the last load found (docs/store.md, "A damaged notes ref"). */
  private damagedTip: string | null = null;
  /** Which warnings this process has given already (one line each, not one per read). */
  private warned = new Set<string>();

  /** The head change the next write carries (Store.carry). */
  private rider: HeadRider | null = null;
  /** What vouchedRaw() read (live(), lookup()), and which file db.json was then (inPlace takes it instead of reading again). */
  private lastRaw: { diskId: string | null; raw: RawIndex } | null = null;

  constructor(readonly paths: StorePaths) {}

  carry(rider: HeadRider): void {
    this.rider = rider;
  }

  async flushRider(): Promise<void> {
    if (this.rider) await this.patch([], () => undefined);
  }

  /** The rider's change is in db.json now: it is done with. */
  private async riderCarried(): Promise<void> {
    const rider = this.rider;
    this.rider = null;
    await rider?.carried();
  }

  attach(hooks: StoreHooks): void {
    this.hooks = { ...this.hooks, ...hooks };
  }

  async tombstones(data: Pick<StoreData, 'cold'>, opts: { prefix?: string; wanted?: (id: string) => boolean } = {}): Promise<BackupRecord[]> {
    const { records, damaged } = await readCold(this.paths.dir, data.cold, opts);
    // What could be read is still worth showing; what could not is named, with the repair. A
    // look-up by id (a prefix) says nothing here: its caller tells what it could not find.
    for (const [segment, why] of opts.prefix === undefined ? damaged : []) {
      this.warnOnce(`git-backup: the cold store segment ${coldSegmentPath(this.paths.dir, segment)} is damaged (${why}); ` +
        'tombstones in it may be missing; git backup recover writes it again from the notes\n');
    }
    return records;
  }

  async coldDamage(data: Pick<StoreData, 'cold'>): Promise<Map<string, string>> {
    return (await readCold(this.paths.dir, data.cold, { keep: false })).damaged;
  }

  tombstoneIds(data: Pick<StoreData, 'cold'>, prefix: string): Promise<string[]> {
    return coldIds(this.paths.dir, data.cold, prefix);
  }

  /** Which of `ids` are in the cold store as `data` accounts for it (the rare catch-up of a note changed after its backup was compacted). */
  private coldLookup(data: StoreData): ColdLookup {
    return async (ids) => {
      const want = new Set(ids);
      if (want.size === 0 || !data.cold) return new Map();
      // Only the months those ids were made in: a sync bringing another clone's new backups must
      // not read every tombstone ever kept.
      const months = new Set(ids.map(segmentOf));
      const segments = Object.fromEntries(Object.entries(data.cold).filter(([month]) => months.has(month)));
      return new Map((await readCold(this.paths.dir, segments, { wanted: (id) => want.has(id) })).records.map((r) => [r.id, r]));
    };
  }

  /**
   * Whether a head read without parsing the records can be taken as it is: this version's schema,
   * and up to the notes (an index behind them, or written before notes came first, is caught up
   * by read() or a full write).
   */
  private async current(head: StoreHead | null | undefined): Promise<boolean> {
    if (!head || head.schema !== SCHEMA_VERSION) return false;
    const ledger = this.hooks.ledger;
    return !ledger || (head.notes_tip !== undefined && head.notes_tip === (await ledger.tip()));
  }

  async head(): Promise<StoreHead | null> {
    const head = await readHead(this.paths.db);
    if (!(await this.current(head))) return null;
    this.health = { source: 'db', problem: null };
    return head;
  }

  /**
   * db.json as bytes when its head vouches for it and it is up to the notes (else null), kept as
   * lastRaw: the locked write that follows takes this read while db.json is still that file.
   */
  private async vouchedRaw(): Promise<RawIndex | null> {
    const diskId = await fileIdentity(this.paths.db);
    // One read per process while db.json stays the same file: a delete looked its id up, then
    // read its record for the preview, then wrote (at 100,000 live backups, 0.7 s a read).
    const raw = (await this.keptRaw(diskId)) ?? (await readRawIndex(this.paths.db));
    if (!raw || !(await this.current(raw.head))) return null;
    this.lastRaw = { diskId, raw };
    return raw;
  }

  /**
   * lastRaw when db.json is still the file it was read from. Its identity alone does not say so:
   * with 1-second file times the inode db.json.prev frees is taken again by the third write after
   * it, so three same-size writes in one second give db.json the identity of the first. The head
   * (a few hundred bytes) says which generation and which bytes the file holds.
   */
  private async keptRaw(diskId: string | null): Promise<RawIndex | null> {
    const last = this.lastRaw;
    if (!last || diskId === null || last.diskId !== diskId) return null;
    const head = await readHead(this.paths.db);
    const was = last.raw.head;
    if (!head || head.generation !== was.generation || head.summary.backups_sha256 !== was.summary.backups_sha256) return null;
    return last.raw;
  }

  async live(): Promise<LiveRecords | null> {
    const raw = await this.vouchedRaw();
    if (!raw) return null;
    let backups: BackupRecord[];
    try {
      backups = recordsInStates(raw, IN_PLAY);
    } catch (e) {
      if (e instanceof RawLayoutError) return null;
      throw e;
    }
    this.health = { source: 'db', problem: null };
    return { head: raw.head, backups };
  }

  async lookup(): Promise<IndexLookup | null> {
    const raw = await this.vouchedRaw(); // a write that follows (pin, a move) takes this read
    if (!raw) return null;
    this.health = { source: 'db', problem: null };
    let at: Map<string, number> | null = null;
    return {
      ids: raw.ids,
      cold: raw.head.cold,
      record: (id) => {
        at ??= new Map(raw.ids.map((x, k) => [x, k]));
        const k = at.get(id);
        return k === undefined ? undefined : recordAt(raw, k);
      },
    };
  }

  async printable(keep: (state: string) => boolean): Promise<Printable[] | null> {
    const raw = await readRawIndex(this.paths.db);
    if (!raw || raw.head.summary.records_layout !== PUBLIC_FIRST || !(await this.current(raw.head))) return null;
    try {
      const out = printableRecords(raw, keep);
      this.health = { source: 'db', problem: null };
      return out;
    } catch (e) {
      if (e instanceof RawLayoutError) return null;
      throw e;
    }
  }

  async read(): Promise<StoreData> {
    return (await this.load(new DurableJSONFile(this.paths.db, { prev: this.paths.prev }), false)).data;
  }

  /**
   * db.json through lowdb, falling back to db.json.prev when db.json is damaged or gone, then synced
   * with the notes. `locked`: under the store lock (no other writer can be half-way).
   */
  private async load(adapter: DurableJSONFile, locked: boolean): Promise<Loaded> {
    const diskId = await fileIdentity(this.paths.db);
    const { data, full } = await this.loadFiles(adapter);
    let adopt: NotePlan | null = null;
    const ledger = this.hooks.ledger;
    this.damagedTip = null;
    let notesProblem: string | null = null;
    if (ledger) {
      let tip = await ledger.tip();
      // A value the index did not record itself is checked before anything is read from it or
      // built on it: not a notes commit, the index is worked from as it is, and no note is written.
      const problem = tip !== null && tip !== data.notes_tip ? await ledger.check(tip) : null;
      if (problem !== null) {
        this.damagedTip = tip;
        notesProblem = problem;
        this.warnOnce(`git-backup: ${NOTES_REF} is damaged (${problem}); working from the index without it; repair it with git backup recover\n`);
        if (!full && !(data.notes_tip === undefined && data.backups.length === 0)) return { data, diskId, adopt: null };
        tip = null; // no index either: what refs/backups/* alone say
      }
      // An index without a tip that holds records was written before notes came first: it is
      // taken as it is (recover checks it against the notes); an empty one is derived whole.
      if (full || (data.notes_tip === undefined && data.backups.length === 0)) {
        adopt = await ledger.sync(data, tip, true);
        if (this.damagedTip !== null) adopt = null;
        // No index yet while a live process holds the lock: the first write of a new store (its
        // notes and ref come first, db.json a moment later). Nothing is missing. Nor when db.json
        // is there by now: that write ended (and let the lock go) while this read built the index
        // from the notes. A lock left by a killed process does not count: then the index is
        // missing, and status says so.
        if (!locked && this.health.source === 'new') await pauseAt('store:after-load');
        const firstWrite = !locked && this.health.source === 'new' && ((await heldByLiveProcess(this.paths.lock)) || (await fileIdentity(this.paths.db)) !== null);
        if (this.health.source === 'new' && data.backups.length > 0 && !firstWrite) {
          // No index at all, yet git knows backups: both generations were deleted (or this is a clone with fetched notes).
          this.health = { source: 'rebuilt', problem: `${this.paths.db} was missing` };
          process.stderr.write(`git-backup: no index at ${this.paths.db}; built it from refs/backups/* and refs/notes/backups (${data.backups.length} backup(s))\n`);
        }
      }
      else if (data.notes_tip === undefined) data.notes_tip = tip;
      else if (data.notes_tip !== tip) adopt = await ledger.sync(data, tip, false, this.coldLookup(data));
    }
    this.health.notes = notesProblem;
    return { data, diskId, adopt };
  }

  private warnOnce(line: string): void {
    if (this.warned.has(line)) return;
    this.warned.add(line);
    process.stderr.write(line);
  }

  private async loadFiles(adapter: DurableJSONFile): Promise<{ data: StoreData; full: boolean }> {
    const db = new Low<StoreData>(adapter, emptyStore());
    let damage: StoreDamagedError | null = null;
    try {
      await db.read();
      if (adapter.currentIsGood) {
        this.health = { source: 'db', problem: null };
        return { data: checkSchema(db.data, this.paths.db), full: false };
      }
    } catch (e) {
      if (!(e instanceof StoreDamagedError)) throw e;
      damage = e;
    }

    // db.json is damaged, or missing (a missing one with a prev beside it was deleted, not never made).
    let prev: StoreData | null = null;
    let prevDamage: StoreDamagedError | null = null;
    try {
      prev = await new DurableJSONFile(this.paths.prev).read();
    } catch (e) {
      if (!(e instanceof StoreDamagedError)) throw e;
      prevDamage = e;
    }
    if (!damage && !prev && !prevDamage) {
      // A new store, or both files deleted: refs and notes tell (load says so if they hold backups).
      this.health = { source: 'new', problem: null };
      return { data: emptyStore(), full: true };
    }
    const what = `${this.paths.db} was ${damage ? 'damaged' : 'missing'}`;
    if (prev) {
      // "using", not "restored": a read-only command does not write db.json; the next change does.
      process.stderr.write(`git-backup: ${what}; using generation ${prev.generation} from ${this.paths.prev}` +
        `${this.hooks.ledger ? ' brought up to the notes' : ''}${damage ? ` (${damage.detail})` : ''}; the next change writes db.json from it\n`);
      this.health = { source: 'prev', problem: what };
      return { data: checkSchema(prev, this.paths.prev), full: false };
    }
    if (!this.hooks.ledger) {
      throw new BackupError(
        ExitCode.STORE_DAMAGED,
        `the backup store is damaged beyond automatic repair: ${this.paths.db} (${damage ? damage.detail : 'missing'}) ` +
          `and ${this.paths.prev} (${prevDamage ? prevDamage.detail : 'missing'}); ` +
          'move them aside and rebuild the index from refs and notes (git backup recover)',
      );
    }
    const problem = `${what} and ${this.paths.prev} ${prevDamage ? `was damaged (${prevDamage.detail})` : 'was missing'}`;
    process.stderr.write(`git-backup: ${problem}; the index was rebuilt from refs/backups/* and refs/notes/backups (git backup recover writes it)\n`);
    this.health = { source: 'rebuilt', problem };
    return { data: emptyStore(), full: true };
  }

  update<T>(fn: (data: StoreData) => T | Promise<T>, opts: UpdateOptions<T> = {}): Promise<T> {
    return this.locked((signal) => this.modify(fn, opts, signal), opts);
  }

  append<T>(fn: (view: AppendView) => T | Promise<T>, opts: UpdateOptions<T> = {}): Promise<T> {
    return this.locked(async (signal) => {
      const done = await this.inPlace((raw) => appendEdit(raw, fn), opts, signal);
      return done ? done.value : this.modify((data) => fn(appendViewOf(data)), opts, signal);
    }, opts);
  }

  patch<T>(ids: readonly string[], fn: (records: Map<string, BackupRecord>, head: HeadFields) => T | Promise<T>, opts: UpdateOptions<T> = {}): Promise<T> {
    return this.locked(async (signal) => {
      const done = await this.inPlace((raw) => patchEdit(raw, ids, fn), opts, signal);
      if (done) return done.value;
      return this.modify((data) => {
        const wanted = new Set(ids);
        return fn(new Map(data.backups.filter((b) => wanted.has(b.id)).map((b) => [b.id, b])), data);
      }, opts, signal);
    }, opts);
  }

  /**
   * Run `body` holding the lock. A holder displaced by a racing stale takeover finds out before it
   * writes anything (held()); it then waits for the lock again like any other writer.
   */
  private async locked<T>(body: (signal: LockSignal) => Promise<T>, opts: UpdateOptions<T>): Promise<T> {
    for (let round = 1; ; round++) {
      try {
        return await withLock(
          this.paths.db,
          async (signal) => {
            this.hooks.onLocked?.();
            await removeLeftoverTemps(this.paths.dir, staleMs());
            return body(signal);
          },
          { lockfilePath: this.paths.lock, ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}) },
        );
      } catch (e) {
        if (!(e instanceof LockLost) || round >= MAX_LOCK_ROUNDS) throw e instanceof LockLost ? lockLostError(this.paths.lock) : e;
      }
    }
  }

  /** The read-modify-write of update(), the lock held. */
  private async modify<T>(fn: (data: StoreData) => T | Promise<T>, opts: UpdateOptions<T>, signal: LockSignal): Promise<T> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const adapter = new DurableJSONFile(this.paths.db, { prev: this.paths.prev });
      const { data, diskId, adopt } = await this.load(adapter, true);
      const generation = data.generation;
      const result = await fn(data);
      await this.rider?.apply(data);
      if (!(await signal.held())) throw new LockLost();
      // Compare-and-swap: db.json must still be the file we read (damaged or not).
      if ((await fileIdentity(this.paths.db)) !== diskId) continue; // someone else wrote: redo fn on fresh data
      // The truth first: note lines (and the tip they make) before the index that mirrors them.
      const tip = await this.writeNotes(mergePlans(adopt, opts.notes?.(result) ?? null));
      if (tip !== NO_NOTES) data.notes_tip = tip;
      data.schema = SCHEMA_VERSION;
      data.generation = generation + 1;
      this.guardCommit(adapter, signal, diskId);
      const db = new Low<StoreData>(adapter, data);
      let written = false;
      try {
        // Tombstones leave the index for the cold store, before the index that accounts for them.
        await compactTombstones(this.paths.dir, data);
        await pauseAt('store:after-cold');
        await db.write();
        written = true;
      } catch (e) {
        if (tip === NO_NOTES && e instanceof Overtaken) continue;
        this.indexNotWritten(e, tip !== NO_NOTES);
      }
      if (written) await this.riderCarried(); // else the rider waits for the next write
      await this.after(opts, result);
      return result;
    }
    throw new BackupError(
      ExitCode.LOCK_TIMEOUT,
      `the backup store at ${this.paths.db} kept changing while it was locked (${MAX_ATTEMPTS} attempts): ` +
        'another process is writing it without the lock; retry',
    );
  }

  /**
   * append() or patch() without parsing the index, or null when db.json is not in a state to be
   * written that way (then the caller goes the modify() way, and fn runs again).
   */
  private async inPlace<T>(edit: (raw: RawIndex) => Promise<RawEdit<T> | null>, opts: UpdateOptions<T>, signal: LockSignal): Promise<{ value: T } | null> {
    const diskId = await fileIdentity(this.paths.db);
    // The index live() read for the plan, when db.json is still that file (the identity the
    // compare-and-swap relies on): not read, scanned and hashed again (at 100,000 live backups,
    // a fifth of a drain); or the one this process wrote last (nextGeneration).
    const kept = await this.keptRaw(diskId);
    this.lastRaw = null;
    const raw = kept ?? (await readRawIndex(this.paths.db));
    // Tombstones still in the index are compacted by the full write; a head behind the notes is
    // caught up by it; records in an older layout are encoded again by it (once).
    if (!raw || !(await this.current(raw.head)) || raw.head.summary.counts.DELETED > 0 || raw.head.summary.records_layout !== PUBLIC_FIRST) return null;
    let done: RawEdit<T> | null;
    try {
      done = await edit(raw);
    } catch (e) {
      if (e instanceof RawLayoutError) return null;
      throw e;
    }
    if (!done) return null;
    if (this.rider) {
      const before = JSON.stringify(done.head);
      await this.rider.apply(done.head);
      if (JSON.stringify(done.head) !== before) done.changed = true;
    }
    if (!(await signal.held())) throw new LockLost();
    if ((await fileIdentity(this.paths.db)) !== diskId) return null;
    const tip = await this.writeNotes(opts.notes?.(done.value) ?? null);
    if (!done.changed && tip === NO_NOTES) {
      // Nothing to write: the index already says it (the rider's change too).
      await this.riderCarried();
      await this.after(opts, done.value);
      return { value: done.value };
    }
    const adapter = new DurableJSONFile(this.paths.db, { prev: this.paths.prev });
    this.guardCommit(adapter, signal, diskId);
    const stamp = { generation: raw.head.generation + 1, ...(tip !== NO_NOTES ? { notes_tip: tip } : {}) };
    let written = false;
    try {
      // Tombstones leave the index for the cold store, before the index that accounts for them.
      if (done.removed.size > 0) {
        done.head.cold = await appendTombstones(this.paths.dir, done.head.cold, bySegment([...done.removed.values()]));
        await pauseAt('store:after-cold');
      }
      const next = nextGeneration(raw, done, stamp);
      await adapter.writeParts(next.parts);
      written = true;
      // What was just written, for this process's next write while db.json is still that file.
      if (next.raw) this.lastRaw = { diskId: await fileIdentity(this.paths.db), raw: next.raw };
    } catch (e) {
      if (tip === NO_NOTES && e instanceof Overtaken) return null;
      this.indexNotWritten(e, tip !== NO_NOTES);
    }
    if (written) await this.riderCarried();
    this.health = { source: 'db', problem: null };
    await this.after(opts, done.value);
    return { value: done.value };
  }

  /** Write the note lines of a plan (the truth, before the index): the new tip, or NO_NOTES when there was nothing to write. */
  private async writeNotes(plan: NotePlan | null): Promise<string | null | typeof NO_NOTES> {
    if (plan?.refs?.size && !this.hooks.ledger) throw new Error('refs to write without a ledger');
    if (!plan || (plan.lines.size === 0 && !plan.drop?.size) || !this.hooks.ledger) return NO_NOTES;
    // Never build on a damaged ref (it may be a user's commit): the change is in the index only,
    // and recover writes its lines once it has repaired the ref. A ref repaired since the load
    // (recover does it under the lock) is written to as usual.
    if (this.damagedTip !== null && (await this.hooks.ledger.tip()) === this.damagedTip) {
      if (plan.refs?.size) await this.hooks.ledger.createRefs(plan.refs);
      this.warnOnce(`git-backup: this change is recorded in the index only until git backup recover repairs ${NOTES_REF}\n`);
      return NO_NOTES;
    }
    await pauseAt('store:before-notes');
    const tip = await this.hooks.ledger.write(plan);
    await pauseAt('store:after-notes');
    return tip;
  }

  /**
   * The lock and compare-and-swap checks again at the commit point, right before the rename: the
   * window in which a displaced holder could still write is a hard link and a rename long.
   */
  private guardCommit(adapter: DurableJSONFile, signal: LockSignal, diskId: string | null): void {
    adapter.beforeCommit = async () => {
      if (!(await signal.held())) throw new LockLost();
      if ((await fileIdentity(this.paths.db)) !== diskId) throw new Overtaken();
    };
  }

  /**
   * The index write failed. Without notes written, that is the command's failure. With them, the
   * change is recorded already: the index is only behind, and the next command replays it from the
   * notes; say so (unless another writer's index simply won the race) and go on.
   */
  private indexNotWritten(e: unknown, notesWritten: boolean): void {
    if (!notesWritten) throw e;
    if (e instanceof Overtaken || e instanceof LockLost) return;
    const code = (e as NodeJS.ErrnoException).code;
    process.stderr.write(
      `git-backup: the change is recorded in refs/notes/backups, but the index ${this.paths.db} could not be written ` +
        `(${code ?? (e as Error).message}); it is rebuilt from the notes by the next command or by git backup recover\n`,
    );
  }

  /** Effects that follow the write while the lock is held (ref removal): once, after db.json is durable. */
  private async after<T>(opts: UpdateOptions<T>, result: T): Promise<void> {
    if (!opts.afterWrite) return;
    await pauseAt('store:after-write');
    await opts.afterWrite(result);
  }
}

/** writeNotes had no lines to write. */
const NO_NOTES = Symbol('no notes');

/** The lock turned out not to be ours before anything was written. */
class LockLost extends Error {}
/** db.json changed between our read and our commit point (another writer got in). */
class Overtaken extends Error {}

/**
 * Open (creating its directory 0700 if needed) the store of the repository whose common dir is given.
 * `create: false` (the hook drain): never create it, nor any parent; a store that is not there is
 * StoreGoneError (the repository is being deleted, or git-backup was never set up in it).
 */
export async function openStore(commonDir: string, opts: { create?: boolean } = {}): Promise<Store> {
  const paths = storePaths(commonDir);
  if (opts.create === false) {
    if (!(await isDirectory(paths.dir))) throw new StoreGoneError(paths.dir);
    return new FileStore(paths);
  }
  let made: string | undefined;
  try {
    made = await mkdir(paths.dir, { recursive: true, mode: DIR_MODE });
  } catch (e) {
    // Something that is not a directory in its place (EEXIST; ENOTDIR for a file above it): no
    // command can work, and nothing here should move it unasked. Say what it is and what to do.
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST' && code !== 'ENOTDIR') throw e;
    throw new BackupError(
      ExitCode.STORE_DAMAGED,
      `the backup store ${paths.dir} is not a directory (a file is in its place); move it aside ` +
        `(mv ${paths.dir} ${paths.dir}.damaged) and run git backup recover, which builds the index again from refs and notes`,
    );
  }
  if (made !== undefined) await chmod(paths.dir, DIR_MODE);
  return new FileStore(paths);
}

/** The store directory is not there (and was not to be created). */
export class StoreGoneError extends BackupError {
  constructor(readonly dir: string) {
    super(ExitCode.OK, `no backup store at ${dir}`);
  }
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}
