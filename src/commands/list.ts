// `git backup list` and `git backup status`: the everyday read-only views, both on the fast path
// (cli-fast.ts reads LIST_OPTIONS without loading yargs). What they run loads only when they run
// (imported inside runList and runStatus), so the fast path's start-up pays for the option tables alone.
import type { Context } from '../app/context.js';
import type { BackupRecord, BackupState, StoreData } from '../core/types.js';
import { coldCount } from '../core/cold.js';
import type { BackupConfig } from '../core/config.js';
import type { inspectHooks } from '../install/inspect.js';
import { parseState, type ListQuery } from '../core/query.js';
import { define, givenOnce, inContext, jsonOpt, listOpt, positiveInt, stringList, textOpt } from './define.js';
import { usageError } from '../errors.js';

export const LIST_SORTS = ['age', 'size', 'confidence'] as const;

/** list's options, shared with the fast path (which takes `--limit` as text and checks it itself). */
export const LIST_OPTIONS = {
  state: listOpt('state', { describe: 'only these states (repeatable)' }, parseState),
  sort: {
    choices: LIST_SORTS,
    default: 'age' as const,
    describe: 'newest first, largest first, or most confident first',
    requiresArg: true,
    coerce: (v: unknown) => givenOnce('--sort', v) as (typeof LIST_SORTS)[number],
  },
  limit: { type: 'number', describe: 'at most N backups' },
  label: listOpt('label', { describe: 'only backups carrying this label (repeatable: all of them)' }),
  branch: textOpt('branch', { describe: 'only backups taken on this branch' }, { nonEmpty: true }),
  grep: textOpt('grep', { describe: 'only backups whose message contains TEXT (any case)' }),
  since: textOpt('since', { describe: 'only backups taken since DURATION ago (36h, 14d) or DATE (2026-11-20)' }, { nonEmpty: true }),
  json: jsonOpt,
} as const;

export const listCommand = define({
  command: 'list',
  describe: 'list backups (all but DELETED unless --state says otherwise)',
  builder: (y) =>
    y
      .options(LIST_OPTIONS)
      .coerce('limit', positiveInt('--limit'))
      .example('git backup list --label run:1a2b3c4d', 'the before/after pair of one run'),
  handler: (a) =>
    inContext((ctx) =>
      runList(ctx, {
        state: a.state ?? [],
        sort: a.sort,
        limit: (a.limit as number | undefined) ?? null,
        json: a.json,
        find: { label: stringList(a.label), branch: a.branch ?? null, grep: a.grep ?? null, since: a.since ?? null },
      }),
    ),
});

/** status's options, shared with the fast path (a textfile-collector cron job starts it every minute). */
export const STATUS_OPTIONS = {
  json: jsonOpt,
  prometheus: { type: 'boolean', default: false, describe: 'print metrics in the Prometheus text format instead' },
  'prometheus-file': textOpt(
    'prometheus-file',
    { describe: "write those metrics to PATH atomically (a temp file renamed over it; 0644), e.g. node_exporter's textfile directory/git_backup.prom; prints nothing" },
    { nonEmpty: true },
  ),
} as const;

export const statusCommand = define({
  command: 'status',
  describe: 'counts per state, total size, where the store lives, hooks installed, hook events waiting',
  builder: (y) =>
    y
      .options(STATUS_OPTIONS)
      .example('git backup status --prometheus', 'backups per state, bytes, last drain and tick, transitions by trigger and result')
      .example('git backup status --prometheus-file /var/lib/node_exporter/textfile/git_backup.prom', 'for node_exporter (from cron)'),
  handler: (a) => inContext((ctx) => runStatus(ctx, { json: a.json, prometheus: a.prometheus, prometheusFile: a.prometheusFile ?? null })),
});

/** Cold tombstones the index does not hold as well (an index restored from db.json.prev may). */
function notIn(hot: readonly BackupRecord[]): (id: string) => boolean {
  const ids = new Set(hot.map((b) => b.id));
  return (id) => !ids.has(id);
}

export interface ListArgs {
  state: BackupState[];
  sort: 'age' | 'size' | 'confidence';
  limit: number | null;
  json: boolean;
  /** `--label`, `--branch`, `--grep`, `--since` (as typed); missing: no such filter. */
  find?: { label: string[]; branch: string | null; grep: string | null; since: string | null };
}

export async function runList(ctx: Context, args: ListArgs): Promise<void> {
  if (args.json && (await printCopied(ctx, args))) return;
  const { parseSince, queryBackups } = await import('../core/query.js');
  const { inParts, jsonArray } = await import('./format.js');
  const data = await ctx.store.read();
  const f = args.find;
  const match = f && { labels: f.label, branch: f.branch, grep: f.grep, since: f.since === null ? null : parseSince(f.since, ctx.now) };
  const query = { states: args.state, sort: args.sort, limit: args.limit, ...(match ? { match } : {}) };
  // Tombstones live in the cold store (docs/store.md): read only when DELETED ones are asked for,
  // and newest first a segment at a time when the list is by age (the usual case).
  if (args.state.includes('DELETED') && args.sort === 'age') {
    const { printed, done } = args.json ? await jsonPrinter(ctx) : await tablePrinter(ctx, data);
    await newestWithTombstones(ctx, data, query, printed);
    return done();
  }
  const all = args.state.includes('DELETED') ? [...data.backups, ...(await ctx.store.tombstones(data, { wanted: notIn(data.backups) }))] : data.backups;
  const records = queryBackups(all, query);
  if (args.json) {
    const json = await printedJson(ctx, records);
    ctx.io.outParts(inParts(jsonArray(records, (r) => [json(r)])));
    return;
  }
  const { printed, done } = await tablePrinter(ctx, data);
  await printed(records);
  return done();
}

interface Printer {
  /** Records to print, in order: a part of them. */
  printed: (part: BackupRecord[]) => Promise<void>;
  /** The last part was given. */
  done: () => Promise<void>;
}

/**
 * The table, its rows kept as text as the parts come (commands/format.ts ListTable) and printed
 * once the column widths are known.
 */
async function tablePrinter(ctx: Context, data: StoreData): Promise<Printer> {
  const { ListTable, inParts } = await import('./format.js');
  const table = new ListTable(ctx.now);
  let cloneId: string | undefined;
  return {
    printed: async (part) => {
      if (cloneId === undefined && part.some((r) => r.origin)) cloneId = await (await import('../app/clone.js')).cloneIdOf(ctx);
      table.add(part, cloneId);
    },
    done: async () => {
      if (table.size === 0) {
        ctx.io.out(data.backups.length + coldCount(data.cold) === 0 ? 'no backups yet; take one with: git backup create -m "before refactor"' : 'no backups match');
        return;
      }
      ctx.io.outParts(inParts((function* () {
        for (const piece of table.pieces()) yield Buffer.from(piece);
      })()));
    },
  };
}

/**
 * The backups `query` picks, the cold store's among them, newest first: the index's, then the
 * cold segments newest first, each part handed to `printed` once no segment still to read can hold
 * a newer one (core/segment-order.ts), and no segment read past the limit. At 1,000,000 records
 * `list --state DELETED` held every tombstone at once (2.4 GB for the table).
 */
async function newestWithTombstones(ctx: Context, data: StoreData, query: ListQuery, printed: (part: BackupRecord[]) => Promise<void>): Promise<void> {
  const { ageKey, byKeyDescending, queryBackups } = await import('../core/query.js');
  const { HeldInOrder, segmentCeilings } = await import('../core/segment-order.js');
  const pick = (rs: BackupRecord[]) => queryBackups(rs, { ...query, limit: null });
  const merge = new HeldInOrder((rs: BackupRecord[]) => byKeyDescending(rs, (r) => ageKey(r.created_at)));
  let shown = 0;
  const out = async (part: BackupRecord[]): Promise<boolean> => {
    const room = query.limit === null ? part : part.slice(0, query.limit - shown);
    shown += room.length;
    await printed(room);
    return query.limit !== null && shown >= query.limit;
  };
  merge.add(pick(data.backups));
  const wanted = notIn(data.backups);
  for (const { segment, ceiling } of segmentCeilings(Object.keys(data.cold ?? {}))) {
    if (await out(merge.take((r) => ageKey(r.created_at) >= ceiling))) return;
    if (ctx.io.readerGone?.()) return;
    merge.add(pick(await ctx.store.tombstones({ cold: { [segment]: data.cold![segment]! } }, { wanted })));
  }
  await out(merge.rest());
}

/**
 * `--json` printed as it comes: the array's items in groups of about a MiB (one line, as before,
 * when the list is that small); done() closes it.
 */
async function jsonPrinter(ctx: Context): Promise<Printer> {
  const { inParts, jsonItems } = await import('./format.js');
  const PART = 10_000;
  let pending: BackupRecord[] = [];
  let first = true;
  const flush = async (last: boolean) => {
    if (pending.length === 0 && !last) return;
    const json = await printedJson(ctx, pending);
    ctx.io.outParts(inParts(jsonItems(pending, (r) => [json(r)], { first, last })));
    first = false;
    pending = [];
  };
  return {
    printed: async (part) => {
      pending.push(...part);
      if (pending.length >= PART) await flush(false);
    },
    done: () => flush(true),
  };
}

const CLOSE_RECORD = Buffer.from('}');

/**
 * `list --json`, newest first, filtered by state only: the records' bytes copied from db.json
 * (docs/store.md, "Records in the order --json prints them"). False when the store cannot print
 * so, or other filters or sorts are asked for: then the records are parsed and encoded.
 */
async function printCopied(ctx: Context, args: ListArgs): Promise<boolean> {
  const f = args.find;
  if (args.sort !== 'age' || args.state.includes('DELETED') || (f && (f.label.length > 0 || f.branch !== null || f.grep !== null || f.since !== null))) return false;
  const { ageKey, byKeyDescending } = await import('../core/query.js');
  const wanted = new Set<string>(args.state);
  const rows = await ctx.store.printable(wanted.size === 0 ? (s) => s !== 'DELETED' : (s) => wanted.has(s));
  if (!rows) return false;
  const sorted = byKeyDescending(rows, (r) => ageKey(r.created_at));
  const { inParts, jsonArray } = await import('./format.js');
  const shown = args.limit === null ? sorted : sorted.slice(0, args.limit);
  const json = await printedJson(ctx, shown.flatMap((r) => ('record' in r ? [r.record] : [])));
  ctx.io.outParts(inParts(jsonArray(shown, (r) => ('open' in r ? [r.open, CLOSE_RECORD] : [json(r.record)]))));
  return true;
}

/**
 * How `--json` prints each of `records`: its archive path resolved where the file is now (absolute:
 * a script wants one it can open), all of them first (a look at the disk each), then encoded as
 * the output reaches each record.
 */
async function printedJson(ctx: Context, records: readonly BackupRecord[]): Promise<(r: BackupRecord) => Buffer> {
  const { archivePathOf, withArchiveAt } = await import('../app/archive.js');
  const { toPublicJson } = await import('../core/record.js');
  const archived = new Map<string, string>();
  for (const r of records) if (r.archive) archived.set(r.id, await archivePathOf(ctx, r.archive));
  return (r) => Buffer.from(JSON.stringify(r.archive ? withArchiveAt(toPublicJson(r), archived.get(r.id)!) : toPublicJson(r)));
}

export interface StatusArgs {
  json: boolean;
  prometheus?: boolean;
  /** Where to write the metrics (null: print them, with --prometheus). */
  prometheusFile?: string | null;
}

export async function runStatus(ctx: Context, args: StatusArgs): Promise<void> {
  const file = args.prometheusFile ?? null;
  if (args.prometheus || file !== null) {
    if (args.json) throw usageError('--json and --prometheus are two formats: give one');
    if (file === '') throw usageError('--prometheus-file needs a path');
    return runPrometheus(ctx, file);
  }
  const { summarize } = await import('../core/query.js');
  const { inspectHooks } = await import('../install/inspect.js');
  const { eventsWaiting, eventsMissed } = await import('../hook/events-log.js');
  const { formatBytes } = await import('./format.js');
  const { formatDuration } = await import('../core/duration.js');
  const { formatSize } = await import('../core/config-values.js');
  const { lastPush, pushInProgress } = await import('../app/push-outcome.js');
  // The store, the config (git config) and the hooks at once. The store's head (its first bytes,
  // with the summary written beside the records) is enough when it is whole and up to date with
  // the notes; otherwise the whole index is read, and repaired if it must be (scale, issue 8).
  const [head, config, hooks] = await Promise.all([
    ctx.store.head(),
    // Loaded (and validated) here too, so a bad backup.* value surfaces in status with exit 3.
    ctx.config(),
    ctx.hooksDir().then((dir) => inspectHooks(ctx.repo, dir)),
  ]);
  const full = head ? null : await ctx.store.read();
  const data = head ?? full!;
  const s = head ? { ...head.summary } : summarize(full!.backups);
  // Tombstones in the cold store are counted from the index's bookkeeping, not read.
  const cold = coldCount(data.cold);
  s.counts = { ...s.counts, DELETED: s.counts.DELETED + cold };
  s.total += cold;
  const report = {
    store: ctx.store.paths.dir,
    db: ctx.store.paths.db,
    generation: data.generation,
    total: s.total,
    bytes: s.bytes,
    states: s.counts,
    pinned: s.pinned,
    hooks,
    events_waiting: await eventsWaiting(ctx.store.paths.dir, data),
    events_missed: await eventsMissed(ctx.store.paths.dir),
    // degraded: the index on disk is damaged or missing and what is shown was derived from refs and notes.
    index: { state: ctx.store.health.source === 'db' || ctx.store.health.source === 'new' ? 'ok' : 'degraded', source: ctx.store.health.source, problem: ctx.store.health.problem },
    config,
    // The backup remote (docs/remote.md): the last push from here, ok or why it failed.
    last_push: await lastPush(ctx),
    push_in_progress: await pushInProgress(ctx),
  };
  if (args.json) {
    ctx.io.out(JSON.stringify(report));
    return;
  }
  const lines = [
    `store: ${report.store}`,
    ...(report.index.state === 'degraded'
      ? [`index: DEGRADED: ${report.index.problem}; shown from ${report.index.source === 'prev' ? 'db.json.prev and ' : ''}refs and notes; nothing is lost, run git backup recover to write it again`]
      : []),
    `backups: ${report.total} (${formatBytes(report.bytes)} protected content, ${report.pinned} pinned)`,
    ...Object.entries(report.states).map(([state, n]) => `  ${state.padEnd(9)} ${n}`),
    hooksLine(report.hooks),
    `hook events waiting: ${report.events_waiting.lines} (${formatBytes(report.events_waiting.bytes)})`,
    ...(report.events_missed > 0
      ? [`hook events not recorded: ${report.events_missed} (the store was not writable); the next drain that can write applies them, git backup reconcile catches the states up`]
      : []),
    ...(report.push_in_progress ? [`push to ${config.remote.name ?? 'the backup remote'}: in progress (a hook drain is pushing)`] : []),
    ...(report.last_push
      ? [report.last_push.ok
          ? `last push to ${report.last_push.remote}: ok (${report.last_push.at})`
          : `last push to ${report.last_push.remote} failed at ${report.last_push.at}: ${report.last_push.error}; will retry (git backup push, or the next drain)`]
      : config.remote.name ? [`backup remote: ${config.remote.name} (nothing pushed yet: git backup push)`] : []),
    configLine(config, formatDuration, formatSize),
  ];
  ctx.io.out(lines.join('\n'));
}

/** The store's numbers in Prometheus' text format (core/metrics.ts), printed or written atomically. */
async function runPrometheus(ctx: Context, file: string | null): Promise<void> {
  const { summarize } = await import('../core/query.js');
  const { renderPrometheus } = await import('../core/metrics.js');
  const { eventsWaiting } = await import('../hook/events-log.js');
  const data = await ctx.store.read();
  const s = summarize(data.backups);
  s.counts.DELETED += coldCount(data.cold);
  const bytes: Partial<Record<BackupState, number>> = {};
  let archiveBytes = 0;
  for (const b of data.backups) {
    if (b.state === 'DELETED') continue;
    bytes[b.state] = (bytes[b.state] ?? 0) + b.bytes;
    if (b.state === 'ARCHIVED') archiveBytes += b.archive?.bytes ?? 0;
  }
  const text = renderPrometheus({
    states: s.counts,
    bytes,
    archiveBytes,
    pinned: s.pinned,
    eventsWaiting: (await eventsWaiting(ctx.store.paths.dir, data)).lines,
    degraded: ctx.store.health.source !== 'db' && ctx.store.health.source !== 'new',
    stats: data.stats ?? {},
  });
  if (file === null) {
    ctx.io.out(text);
    return;
  }
  const { publishMetrics } = await import('../app/metrics-file.js');
  await publishMetrics(file, text);
}

function hooksLine(h: Awaited<ReturnType<typeof inspectHooks>>): string {
  const mode = h.mode === 'hooks' ? '' : ` (${h.mode})`;
  if (h.installed.length === 0) return `hooks: not installed${mode}; run git backup install`;
  const parts = [`hooks${mode}: ${h.installed.join(', ')} in ${h.location}`];
  if (h.missing.length) parts.push(`missing ${h.missing.join(', ')}`);
  if (h.outdated.length) parts.push(`outdated ${h.outdated.join(', ')} (git backup install --force)`);
  if (h.lefthookNotInstalled?.length) parts.push(`not run by git until lefthook install: ${h.lefthookNotInstalled.join(', ')}`);
  return parts.join('; ');
}

function configLine(c: BackupConfig, formatDuration: (ms: number) => string, formatSize: (bytes: number | null) => string): string {
  return `config: confirmed kept ${formatDuration(c.retention.CONFIRMED)}, auto-archive at confidence >= ${c.autoCleanupConfidence}, quota ${formatSize(c.disk.quota)}, disk strategy ${c.disk.strategy} (git backup config list)`;
}

