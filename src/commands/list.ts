import type { Context } from '../app/context.js';
import type { BackupState } from '../core/types.js';
import { queryBackups, summarize } from '../core/query.js';
import { toPublicJson } from '../core/record.js';
import { withArchivePath } from '../app/archive.js';
import { formatBytes, listRows, table } from './format.js';
import { eventsMissed, eventsWaiting } from '../app/events-log.js';
import { inspectHooks } from '../install/inspect.js';
import { loadConfig } from '../config/load.js';
import { formatDuration } from '../core/duration.js';
import { formatSize } from '../core/config-values.js';
import type { BackupConfig } from '../core/config.js';

export interface ListArgs {
  state: BackupState[];
  sort: 'age' | 'size' | 'confidence';
  limit: number | null;
  json: boolean;
}

export async function runList(ctx: Context, args: ListArgs): Promise<void> {
  const data = await ctx.store.read();
  const records = queryBackups(data.backups, { states: args.state, sort: args.sort, limit: args.limit });
  if (args.json) {
    ctx.io.out(JSON.stringify(await Promise.all(records.map((r) => withArchivePath(ctx, toPublicJson(r))))));
    return;
  }
  if (records.length === 0) {
    ctx.io.out(data.backups.length === 0 ? 'no backups yet; take one with: git backup create -m "before refactor"' : 'no backups match');
    return;
  }
  ctx.io.out(table(listRows(records, ctx.now)));
}

export interface StatusArgs {
  json: boolean;
}

export async function runStatus(ctx: Context, args: StatusArgs): Promise<void> {
  // The store (git for-each-ref), the config (git config) and the hooks (git rev-parse) at once:
  // three git processes in parallel instead of one after another (start-up, issue 9).
  const [data, config, hooks] = await Promise.all([
    ctx.store.read(),
    // Loaded (and validated) here too, so a bad backup.* value surfaces in status with exit 3.
    loadConfig(ctx.repo, { warn: (line) => ctx.io.err(`git backup: ${line}`) }),
    inspectHooks(ctx.repo),
  ]);
  const s = summarize(data.backups);
  const report = {
    store: ctx.store.paths.dir,
    db: ctx.store.paths.db,
    generation: data.generation,
    total: s.total,
    bytes: s.bytes,
    states: s.counts,
    pinned: data.backups.filter((b) => b.pinned && b.state !== 'DELETED').length,
    hooks,
    events_waiting: await eventsWaiting(ctx.store.paths.dir, data),
    events_missed: await eventsMissed(ctx.store.paths.dir),
    // degraded: the index on disk is damaged or missing and what is shown was derived from refs and notes.
    index: { state: ctx.store.health.source === 'db' || ctx.store.health.source === 'new' ? 'ok' : 'degraded', source: ctx.store.health.source, problem: ctx.store.health.problem },
    config,
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
    configLine(config),
  ];
  ctx.io.out(lines.join('\n'));
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

function configLine(c: BackupConfig): string {
  return `config: confirmed kept ${formatDuration(c.retention.CONFIRMED)}, auto-archive at confidence >= ${c.autoCleanupConfidence}, quota ${formatSize(c.disk.quota)}, disk strategy ${c.disk.strategy} (git backup config list)`;
}
