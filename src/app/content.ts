// Content proofs for use cases: judge backups against the integration branch (for cleanup,
// confidence and show), and keep the latest verdicts in db.json. A constant number of git
// processes per call, whatever the number of backups (git/content.ts).
import type { Context } from './context.js';
import type { RecordEdit } from './transition.js';
import type { BackupRecord, StoreData } from '../core/types.js';
import { integrationProof, type ContentProof, type ProtectedEntry } from '../core/content.js';
import { readJudgingFacts, readProtects } from '../git/content.js';
import { integrationBranch, readRefs } from '../git/facts.js';

export interface CleanupProofs {
  /** id → the verdict in the integration branch; null: nothing can be proven (no integration branch, unknown content). */
  proofs: Map<string, ContentProof | null>;
  /** Protected entries read back from snapshots for records that lacked them (to keep in db.json). */
  protects: Map<string, ProtectedEntry[]>;
  /** id → the snapshot's author, for records that lacked it (to keep in db.json). */
  authors: Map<string, string>;
}

/**
 * id → protected entries read back from the snapshot, for the records that lack them (from before
 * the content proof, or rebuilt from notes); records whose snapshot is gone are left out.
 */
export async function readMissingProtects(ctx: Context, records: readonly BackupRecord[]): Promise<Map<string, ProtectedEntry[]>> {
  const protects = new Map<string, ProtectedEntry[]>();
  const missing = records.filter((r) => !r.protects);
  if (missing.length === 0) return protects;
  const read = await readProtects(ctx.repo, missing.map((r) => r.snapshot));
  for (const r of missing) {
    const entries = read.get(r.snapshot);
    if (entries) protects.set(r.id, entries);
  }
  return protects;
}

/** The integration-branch verdict of each record (DELETED ones are skipped). */
export async function readCleanupProofs(ctx: Context, records: readonly BackupRecord[]): Promise<CleanupProofs> {
  const proofs = new Map<string, ContentProof | null>();
  const live = records.filter((r) => r.state !== 'DELETED');
  if (live.length === 0) return { proofs, protects: new Map(), authors: new Map() };
  const protects = await readMissingProtects(ctx, live);
  const integration = integrationBranch(await readRefs(ctx.repo), (await ctx.config()).integrationBranch);
  if (!integration) {
    for (const r of live) proofs.set(r.id, null);
    return { proofs, protects, authors: new Map() };
  }
  const starts = [integration.tip];
  for (const r of live) {
    if (r.base) starts.push(r.base);
    if (r.base_successor) starts.push(r.base_successor.commit);
    if (r.pending_commit) starts.push(r.pending_commit);
  }
  const judged = live.map((r) => ({ ...r, protects: protects.get(r.id) ?? r.protects ?? null }));
  const { graph, content, authors: bySnapshot, baseBlobs } = await readJudgingFacts(ctx.repo, starts, judged);
  const authors = authorsToKeep(live, bySnapshot);
  for (const r of judged) proofs.set(r.id, integrationProof(r, integration.tip, graph, content, r.author ?? authors.get(r.id) ?? null, baseBlobs));
  return { proofs, protects, authors };
}

/** id → the snapshot author read back (by snapshot), for the records that do not keep one yet. */
export function authorsToKeep(records: readonly BackupRecord[], bySnapshot: ReadonlyMap<string, string> | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of records) {
    const author = r.author ? undefined : bySnapshot?.get(r.snapshot);
    if (author) out.set(r.id, author);
  }
  return out;
}

/**
 * Whether a new verdict says nothing the kept one does not: the same paths held, superseded,
 * uncommitted and unique, by the same commits, in the same history. Where it was judged (`tip`) is
 * left out: every commit on a branch moves it, and rewriting each of the branch's backups for that
 * (8,600 records a drain at 100,000 live backups) was a third of a hook drain. So the kept verdict
 * carries the tip where it was last reached, and every decision judges afresh anyway.
 */
function same(a: ContentProof | null | undefined, b: ContentProof | null | undefined): boolean {
  if (!a || !b) return !a && !b;
  // Field by field: a pass compares every live backup's verdict, and two JSON.stringify calls each
  // were 33 ms of a drain at 10,000 live backups.
  const sameList = (x: readonly string[] | undefined, y: readonly string[] | undefined) =>
    x !== undefined && y !== undefined && x.length === y.length && x.every((v, i) => v === y[i]);
  return (
    a.history === b.history && a.files === b.files && a.held === b.held &&
    sameList(a.superseded, b.superseded) && sameList(a.uncommitted, b.uncommitted) &&
    sameList(a.unique, b.unique) && sameList(a.commits, b.commits)
  );
}

/**
 * Keep protected entries read back from snapshots and the latest verdicts in db.json (not in the
 * notes: a verdict changes with every commit, and the entries can be large). Writes only when
 * something differs from what the store holds.
 */
export async function recordContent(
  ctx: Context,
  protects: ReadonlyMap<string, ProtectedEntry[]>,
  proofs: ReadonlyMap<string, ContentProof | null>,
  /** The store (or its records in play) as the caller read it, when nothing was written since (saves a read on the hook path). */
  seen?: Pick<StoreData, 'backups'>,
  /** Snapshot authors read back for records that lacked them. */
  authors: ReadonlyMap<string, string> = new Map(),
): Promise<void> {
  const edit = contentEdit(protects, proofs, seen ?? (await ctx.store.read()), authors);
  // Only those records are read and written again (store.patch): after each commit a few verdicts change, not 10,000.
  if (edit) await ctx.store.patch(edit.ids, (records) => edit.apply(records));
}

/**
 * recordContent's change as an edit of the records that differ in `seen` (null: none do), for a
 * write of its own or to ride with reconcile's moves (one write of a large index instead of two).
 */
export function contentEdit(
  protects: ReadonlyMap<string, ProtectedEntry[]>,
  proofs: ReadonlyMap<string, ContentProof | null>,
  seen: Pick<StoreData, 'backups'>,
  authors: ReadonlyMap<string, string>,
): RecordEdit | null {
  const differs = (r: BackupRecord) =>
    (protects.has(r.id) && !r.protects) || (authors.has(r.id) && !r.author) || (proofs.has(r.id) && !same(r.content, proofs.get(r.id)));
  const ids = seen.backups.filter(differs).map((r) => r.id);
  if (ids.length === 0) return null;
  return {
    ids,
    apply: (records) => {
      for (const r of records.values()) {
        if (r.state === 'DELETED') continue;
        const entries = protects.get(r.id);
        if (entries && !r.protects) r.protects = entries;
        if (authors.has(r.id) && !r.author) r.author = authors.get(r.id)!;
        if (proofs.has(r.id)) r.content = proofs.get(r.id) ?? null;
      }
    },
  };
}
