// `git backup transition <id> <state>` and the lifecycle verbs confirm, cleanup, archive and delete
// (one move for many backups): ask before a deletion, move, report.
import type { Context } from '../app/context.js';
import { resolveBackups } from '../app/resolve.js';
import { moveBackups, type MoveResult, type PlannedMove, type TransitionOptions } from '../app/transition.js';
import { routeTo } from '../core/lifecycle.js';
import { toPublicJson } from '../core/record.js';
import { archivePathOf, withArchivePath } from '../app/archive.js';
import type { BackupState } from '../core/types.js';
import { refusedError } from '../errors.js';
import { formatBytes } from './format.js';
import { askYes } from './ask.js';
import { parseState } from '../core/query.js';
import { define, idArg, inContext, jsonOpt, stringList, textOpt } from './define.js';

export const transitionCommand = define({
  command: 'transition <id> <state>',
  describe: 'move a backup to another lifecycle state',
  builder: (y) =>
    idArg(y)
      .positional('state', { type: 'string', demandOption: true, describe: 'CREATED, PENDING, CONFIRMED, CLEANABLE, ARCHIVED or DELETED', coerce: parseState })
      .option('reason', textOpt('reason', { describe: 'why, kept in the history' }))
      .option('force', { type: 'boolean', default: false, describe: 'allow a move the lifecycle forbids (recorded as forced)' })
      .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'do not ask before DELETED' })
      .option('json', jsonOpt),
  handler: (a) =>
    inContext((ctx) =>
      runTransition(ctx, {
        id: a.id,
        state: a.state as BackupState,
        reason: a.reason,
        force: a.force,
        yes: a.yes,
        json: a.json,
      }),
    ),
});

/** confirm, cleanup, archive and delete: one lifecycle move for many backups, with the same flags. */
function bulk(verb: BulkVerb, describe: string) {
  return define({
    command: `${verb} <ids..>`,
    describe,
    builder: (y) =>
      y
        .positional('ids', { type: 'string', array: true, describe: 'backup ids or unique prefixes' })
        .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'do not ask for confirmation' })
        .option('force', { type: 'boolean', default: false, describe: 'allow a move the lifecycle forbids (recorded as forced)' })
        .option('dry-run', { type: 'boolean', default: false, describe: 'print what would happen, change nothing' })
        .option('reason', textOpt('reason', { describe: 'why, kept in the history' }))
        .option('json', jsonOpt),
    handler: (a) =>
      inContext((ctx) =>
        runBulk(ctx, verb, {
          ids: stringList(a.ids),
          yes: Boolean(a.yes),
          force: Boolean(a.force),
          dryRun: Boolean(a.dryRun),
          reason: a.reason,
          json: Boolean(a.json),
        }),
      ),
  });
}

export const confirmCommand = bulk('confirm', 'mark backups CONFIRMED: their work is in the integration branch');
export const cleanupCommand = bulk('cleanup', 'mark backups CLEANABLE: they may be cleaned up');
export const archiveCommand = bulk('archive', 'archive CONFIRMED or CLEANABLE backups: a verified .tar.gz (path, mode and hash of every file checked), then the ref goes; restore and diff still work');
export const deleteCommand = bulk('delete', 'delete backups (removes the ref, or the archive; keeps a tombstone). CREATED/PENDING also need --force');

export interface TransitionArgs {
  id: string;
  state: BackupState;
  reason: string | undefined;
  force: boolean;
  yes: boolean;
  json: boolean;
}

export async function runTransition(ctx: Context, args: TransitionArgs): Promise<void> {
  const [record] = await resolveBackups(ctx, [args.id]);
  const moves = [{ id: record!.id, steps: [args.state] }];
  const opts = { trigger: 'USER' as const, reason: args.reason ?? 'by user', force: args.force };
  await decideThenMove(ctx, moves, opts, args.yes);
  ctx.progress = !args.json; // after the question: a progress line while archiving
  const [result] = await moveBackups(ctx, moves, { ...opts, dryRun: false });
  if (args.json) ctx.io.out(JSON.stringify(await withArchivePath(ctx, toPublicJson(result!.record))));
  else await report(ctx, [result!], false);
}

export type BulkVerb = 'confirm' | 'cleanup' | 'archive' | 'delete';

const TARGET: Record<BulkVerb, BackupState> = { confirm: 'CONFIRMED', cleanup: 'CLEANABLE', archive: 'ARCHIVED', delete: 'DELETED' };

export interface BulkArgs {
  ids: string[];
  yes: boolean;
  force: boolean;
  dryRun: boolean;
  reason: string | undefined;
  json: boolean;
}

/** confirm | cleanup | archive | delete: each walks every named backup to its target state, all or nothing. */
export async function runBulk(ctx: Context, verb: BulkVerb, args: BulkArgs): Promise<void> {
  const records = await resolveBackups(ctx, args.ids);
  const target = TARGET[verb];
  // confirm takes the path the lifecycle allows (CREATED -> PENDING -> CONFIRMED): the user vouches
  // that the work is integrated, which implies it was committed.
  const moves: PlannedMove[] = [...new Map(records.map((r) => [r.id, r])).values()].map((r) => ({
    id: r.id,
    steps: verb === 'confirm' ? routeTo(r.state, target) ?? [target] : [target],
  }));
  const opts = { trigger: 'USER' as const, reason: args.reason ?? `${verb} by user`, force: args.force };
  if (args.dryRun) {
    const planned = await moveBackups(ctx, moves, { ...opts, dryRun: true });
    if (args.json) ctx.io.out(JSON.stringify(planned.map((p) => ({ id: p.record.id, steps: p.entries.map((e) => e.to) }))));
    else await report(ctx, planned, true);
    return;
  }
  await decideThenMove(ctx, moves, opts, args.yes);
  ctx.progress = !args.json; // after the question: a progress line while archiving
  const results = await moveBackups(ctx, moves, { ...opts, dryRun: false });
  if (args.json) ctx.io.out(JSON.stringify(await Promise.all(results.map((r) => withArchivePath(ctx, toPublicJson(r.record))))));
  else await report(ctx, results, false);
}

/**
 * Decide everything first (a dry run), so a refusal comes before any question; then, when
 * something would be deleted, ask (or demand --yes without a terminal).
 */
async function decideThenMove(ctx: Context, moves: PlannedMove[], opts: Omit<TransitionOptions, 'dryRun'>, yes: boolean): Promise<void> {
  const planned = await moveBackups(ctx, moves, { ...opts, dryRun: true });
  const doomed = planned.filter((p) => p.record.state === 'DELETED');
  if (doomed.length === 0 || yes) return;
  const bytes = doomed.reduce((n, p) => n + p.record.bytes, 0);
  await confirmDeletion(ctx, doomed.map((p) => p.record.id), `delete ${doomed.length} backup(s) holding ${formatBytes(bytes)}`);
}

async function confirmDeletion(ctx: Context, ids: string[], what: string): Promise<void> {
  if (!ctx.io.interactive) throw refusedError(`refusing to ${what} without a terminal to confirm; add --yes`);
  await askYes(ctx, `${what[0]!.toUpperCase()}${what.slice(1)} (${ids.join(', ')})?`);
}

async function report(ctx: Context, results: MoveResult[], dryRun: boolean): Promise<void> {
  const lines = await Promise.all(results.map(async (r) => {
    const from = r.entries[0]?.from ?? r.record.state;
    const path = [from, ...r.entries.map((e) => e.to)].join(' -> ');
    const forced = r.entries.some((e) => e.forced) ? ' (forced)' : '';
    const a = r.record.state === 'ARCHIVED' ? r.record.archive : null;
    const where = a ? `; archive ${await archivePathOf(ctx, a)} (${formatBytes(a.bytes)}, ${a.files} file(s), verified)` : '';
    return `${dryRun ? 'would move' : 'moved'} ${r.record.id}: ${path}${forced}${where}`;
  }));
  ctx.io.out(lines.join('\n'));
}
