// The state index: <git-common-dir>/backup/db.json, shared by all worktrees (SPEC §3, §8).
//
// lowdb's Low is the in-memory model, over our DurableJSONFile adapter. Reads take no lock (writes
// are atomic renames, so a reader sees one whole generation or another). Every change is a
// read-modify-write under the lock, checked against the generation it read (compare-and-swap) just
// before the write, because a racy stale-lock takeover can let two processes in at once.
import { mkdir, chmod, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { SCHEMA_VERSION, type StoreData } from '../core/types.js';
import { BackupError, ExitCode } from '../errors.js';
import { DurableJSONFile, StoreDamagedError, readGeneration, removeLeftoverTemps } from './durable-file.js';
import { lockLostError, staleMs, withLock } from './lock.js';
import { pauseAt } from '../test-pause.js';

export const DIR_MODE = 0o700;
/** How many times update() re-runs fn when the generation moved under it. */
const MAX_ATTEMPTS = 5;

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
   * db.json.prev with a one-line warning; both bad is BackupError(STORE_DAMAGED).
   */
  read(): Promise<StoreData>;
  /**
   * Read-modify-write under the lock. fn may mutate `data` in place; if it throws, nothing is written.
   * fn may run more than once (when another writer got in), so it must have no side effects besides
   * mutating `data`. Returns fn's result.
   */
  update<T>(fn: (data: StoreData) => T | Promise<T>, opts?: UpdateOptions<T>): Promise<T>;
}

export interface UpdateOptions<T> {
  /**
   * Effects that must follow the write while the lock is still held (notes, ref removal): they run
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
  /** The generation db.json had on disk (null: no db.json), which the write must still find there. */
  diskGeneration: number | null;
}

class FileStore implements Store {
  constructor(readonly paths: StorePaths) {}

  async read(): Promise<StoreData> {
    return (await this.load(new DurableJSONFile(this.paths.db, { prev: this.paths.prev }))).data;
  }

  /** db.json through lowdb, falling back to db.json.prev when db.json is damaged or gone. */
  private async load(adapter: DurableJSONFile): Promise<Loaded> {
    const db = new Low<StoreData>(adapter, emptyStore());
    let damage: StoreDamagedError | null = null;
    try {
      await db.read();
      if (adapter.currentIsGood) return { data: checkSchema(db.data, this.paths.db), diskGeneration: db.data.generation };
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
    if (!damage && !prev && !prevDamage) return { data: emptyStore(), diskGeneration: null }; // a new store
    if (prev) {
      process.stderr.write(
        `git-backup: ${this.paths.db} was ${damage ? 'damaged' : 'missing'}; ` +
          `restored generation ${prev.generation} from ${this.paths.prev}\n`,
      );
      // A damaged db.json reads as generation -1 in the compare-and-swap (see update).
      return { data: checkSchema(prev, this.paths.prev), diskGeneration: damage ? -1 : null };
    }
    throw new BackupError(
      ExitCode.STORE_DAMAGED,
      `the backup store is damaged beyond automatic repair: ${this.paths.db} (${damage ? damage.detail : 'missing'}) ` +
        `and ${this.paths.prev} (${prevDamage ? prevDamage.detail : 'missing'}); ` +
        'move them aside and rebuild the index from refs and notes (git backup recover)',
    );
  }

  async update<T>(fn: (data: StoreData) => T | Promise<T>, opts: UpdateOptions<T> = {}): Promise<T> {
    return withLock(
      this.paths.db,
      async (signal) => {
        await removeLeftoverTemps(this.paths.dir, staleMs());
        for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
          const adapter = new DurableJSONFile(this.paths.db, { prev: this.paths.prev });
          const { data, diskGeneration } = await this.load(adapter);
          const generation = data.generation;
          const result = await fn(data);
          if (signal.compromised) throw lockLostError(this.paths.lock);
          // Compare-and-swap: db.json must still hold what we read (a damaged one reads as -1).
          let now: number | null;
          try {
            now = await readGeneration(this.paths.db);
          } catch (e) {
            if (!(e instanceof StoreDamagedError)) throw e;
            now = -1;
          }
          if (now !== diskGeneration) continue; // someone else wrote: redo fn on fresh data
          data.schema = SCHEMA_VERSION;
          data.generation = generation + 1;
          const db = new Low<StoreData>(adapter, data);
          await db.write();
          if (opts.afterWrite) {
            await pauseAt('store:after-write');
            await opts.afterWrite(result);
          }
          return result;
        }
        throw new BackupError(
          ExitCode.LOCK_TIMEOUT,
          `the backup store at ${this.paths.db} kept changing while it was locked (${MAX_ATTEMPTS} attempts): ` +
            'another process is writing it without the lock; retry',
        );
      },
      { lockfilePath: this.paths.lock, ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}) },
    );
  }
}

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
  const made = await mkdir(paths.dir, { recursive: true, mode: DIR_MODE });
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
