import type { Context } from '../app/context.js';
import type { BackupState } from '../core/types.js';
import { queryBackups, summarize } from '../core/query.js';
import { toPublicJson } from '../core/record.js';
import { formatBytes, listRows, table } from './format.js';

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
    ctx.io.out(JSON.stringify(records.map(toPublicJson)));
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
  const data = await ctx.store.read();
  const s = summarize(data.backups);
  const report = {
    store: ctx.store.paths.dir,
    db: ctx.store.paths.db,
    generation: data.generation,
    total: s.total,
    bytes: s.bytes,
    states: s.counts,
    pinned: data.backups.filter((b) => b.pinned && b.state !== 'DELETED').length,
  };
  if (args.json) {
    ctx.io.out(JSON.stringify(report));
    return;
  }
  const lines = [
    `store: ${report.store}`,
    `backups: ${report.total} (${formatBytes(report.bytes)} protected content, ${report.pinned} pinned)`,
    ...Object.entries(report.states).map(([state, n]) => `  ${state.padEnd(9)} ${n}`),
  ];
  ctx.io.out(lines.join('\n'));
}
