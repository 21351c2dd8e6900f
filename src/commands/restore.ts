// `git backup restore`: parse, restore, print.
import { resolve } from 'node:path';
import type { Context } from '../app/context.js';
import { findBackup } from '../app/resolve.js';
import { normalizePaths } from '../app/create.js';
import { restoreBackup, type RestoreOutcome } from '../app/restore.js';

export interface RestoreArgs {
  id: string;
  to: string | undefined;
  paths: string[];
  json: boolean;
  sparse: boolean;
}

export async function runRestore(ctx: Context, args: RestoreArgs): Promise<void> {
  const record = findBackup(await ctx.store.read(), args.id);
  const outcome = await restoreBackup(ctx, record, {
    to: args.to ? resolve(process.cwd(), args.to) : null,
    paths: normalizePaths(ctx, process.cwd(), args.paths),
    noSparse: !args.sparse,
    undo: { op: 'restore', reverts: null, labels: ['auto:restore'] },
    json: args.json,
  });
  if (args.json) {
    ctx.io.out(JSON.stringify({
      id: record.id,
      target: outcome.target,
      written: outcome.written,
      removed: outcome.removed,
      unchanged: outcome.unchanged,
      overwritten: outcome.overwritten,
      safety_backup: outcome.safetyBackup,
      outside_sparse: outcome.outsideSparse,
      submodules_not_restored: outcome.submodules,
    }));
    return;
  }
  ctx.io.out(restoreSummary(record.id, outcome));
}

/** One line, plus one per thing the user must know about (what was skipped, and why). */
export function restoreSummary(id: string, o: RestoreOutcome): string {
  const parts = [`restored ${o.written} file(s) from ${id} into ${o.target}`];
  if (o.unchanged) parts[0] += ` (${o.unchanged} already identical, left untouched)`;
  if (o.removed) parts[0] += `, removed ${o.removed} file(s) it did not have`;
  if (o.safetyBackup) parts[0] += `; the tree as it was is in backup ${o.safetyBackup} (git backup undo)`;
  if (o.outsideSparse.length) parts.push(`${o.outsideSparse.length} file(s) outside the sparse checkout not written (${o.outsideSparse[0]}…); use --no-sparse to write them`);
  for (const s of o.submodules) parts.push(`submodule ${s.path} not restored: the backup had commit ${s.commit} (git -C ${s.path} checkout ${s.commit})`);
  return parts.join('\n');
}
