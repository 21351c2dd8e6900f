// `git backup show <id>` (one backup in full: metadata, content, confidence, history) and
// `git backup log [id]` (the transition history, of all backups or one).
import type { Context } from '../app/context.js';
import { resolveBackups } from '../app/resolve.js';
import { recordAccess } from '../app/access.js';
import { explainConfidence } from '../app/confidence.js';
import { toPublicJson } from '../core/record.js';
import { describeProof } from '../core/content.js';
import type { BackupRecord } from '../core/types.js';
import { HeldInOrder, eventsOf, inTimeOrder, segmentFloors, type LogEvent } from '../core/segment-order.js';
import { formatBytes, historyLine } from './format.js';
import { archivePathOf, withArchivePath } from '../app/archive.js';
import { define, idArg, inContext, jsonOpt } from './define.js';
import { missingContent } from '../app/archived-content.js';
import { cloneIdOf } from '../app/clone.js';

export const showCommand = define({
  command: 'show <id>',
  describe: 'show one backup: metadata, content size, history',
  builder: (y) => idArg(y).option('json', jsonOpt),
  handler: (a) => inContext((ctx) => runShow(ctx, { id: a.id, json: a.json })),
});

export const logCommand = define({
  command: 'log [id]',
  describe: 'transition history of all backups, or of one',
  builder: (y) => y.positional('id', { type: 'string', describe: 'one backup' }).option('json', jsonOpt),
  handler: (a) => inContext((ctx) => runLog(ctx, { id: a.id, json: a.json })),
});

export interface ShowArgs {
  id: string;
  json: boolean;
}

export async function runShow(ctx: Context, args: ShowArgs): Promise<void> {
  const [r] = (await resolveBackups(ctx, [args.id])) as [BackupRecord];
  // Content another clone made and this one has not fetched: said plainly, with the remote to fetch from.
  const missing = await missingContent(ctx, r);
  // Computed before recording this access, so looking at a backup does not change what it shows.
  const explained = missing ? null : await explainConfidence(ctx, r);
  const conf = explained?.confidence ?? null;
  const proof = explained?.proof ?? null;
  if (args.json) {
    ctx.io.out(JSON.stringify({ ...(await withArchivePath(ctx, toPublicJson(r))), confidence_now: conf?.total ?? null, confidence_factors: conf?.factors ?? [], content_now: proof, content_here: missing === null, content_missing: missing }));
  } else {
    const mine = !r.origin || r.origin === (await cloneIdOf(ctx));
    const lines = [
      `id:          ${r.id}`,
      `state:       ${r.state}${r.pinned ? ' (pinned)' : ''}`,
      `created:     ${r.created_at}`,
      `updated:     ${r.updated_at}`,
      `message:     ${r.message}`,
      `branch:      ${r.branch ?? '(detached)'}`,
      `base:        ${r.base ?? '(unborn branch: no commit yet)'}${r.base_successor ? ` (rewritten as ${r.base_successor.commit}${r.base_successor.amended ? ', amended' : ', rebased'})` : ''}`,
      `snapshot:    ${r.snapshot}${r.state === 'DELETED' ? ' (deleted)' : r.state === 'ARCHIVED' ? ' (archived)' : mine ? ` (refs/backups/${r.id})` : ` (another clone's; fetched under refs/backups-remote/)`}`,
      `worktree:    ${r.worktree}`,
      ...(r.origin ? [`origin:      clone ${r.origin}${mine ? ' (this one)' : ''}`] : []),
      `copies:      ${r.copies?.length ? r.copies.map((c) => `${c.remote} (${c.kind} ${c.oid.slice(0, 12)}, verified ${c.at})`).join('; ') : 'none on a backup remote'}`,
      ...(missing ? [`not here:    ${missing}`] : []),
      `content:     ${r.files} files, ${formatBytes(r.bytes)}${r.include_ignored ? ', ignored files included' : ''}`,
      `paths:       ${r.paths.length ? r.paths.join(' ') : '(whole working tree)'}`,
      `held:        ${proof ? describeProof(proof) : r.state === 'DELETED' ? '-' : 'unknown (no integration branch, or what it protects cannot be read)'}`,
      `labels:      ${r.labels.join(', ') || '-'}`,
      `pending:     ${r.pending_commit ?? '-'}`,
      `confirmed:   ${r.confirmed_by ?? '-'}`,
      `confidence:  ${conf ? `${conf.total} now` : '-'}${r.confidence !== null ? ` (${r.confidence} at the last policy move)` : ''}`,
      ...(conf?.factors ?? []).map((f) => `  ${f.name.padEnd(12)} weight ${f.weight.toFixed(2)}  value ${f.value.toFixed(2)}  ${f.why}`),
    ];
    if (r.state === 'ARCHIVED' && r.archive) lines.push(`archive:     ${await archivePathOf(ctx, r.archive)} (${formatBytes(r.archive.bytes)}, ${r.archive.files} files, sha256 ${r.archive.sha256.slice(0, 16)}…)`);
    if (r.tombstone) {
      const t = r.tombstone;
      lines.push(`deleted:     ${t.deleted_at} by ${t.trigger}: ${t.reason} (${t.files} files, ${formatBytes(t.bytes)} lost)`);
    }
    lines.push('history:', ...r.history.map((e) => '  ' + historyLine(null, e)));
    ctx.io.out(lines.join('\n'));
  }
  await recordAccess(ctx, r);
}

export interface LogArgs {
  id: string | undefined;
  json: boolean;
}

export async function runLog(ctx: Context, args: LogArgs): Promise<void> {
  const print = logPrinter(ctx, args.json);
  const merge = new HeldInOrder(inTimeOrder);
  // One backup's log: only its record is parsed (Store.lookup), not the index whole.
  if (args.id !== undefined) {
    merge.add(eventsOf(await resolveBackups(ctx, [args.id]))); // an empty id is refused like show's
  } else {
    const data = await ctx.store.read();
    merge.add(eventsOf(data.backups));
    // The whole log includes the tombstones in the cold store, read a segment at a time and
    // printed as soon as no later segment can hold an earlier event (core/segment-order.ts).
    const hot = new Set(data.backups.map((b) => b.id));
    for (const { segment, floor } of segmentFloors(Object.keys(data.cold ?? {}))) {
      print(merge.take((e) => e.entry.at < floor));
      if (ctx.io.readerGone?.()) return; // `log | head` has what it wanted: the other segments are not read
      merge.add(eventsOf(await ctx.store.tombstones({ cold: { [segment]: data.cold![segment]! } }, { wanted: (id) => !hot.has(id) })));
    }
  }
  print(merge.rest());
  print(null);
}

/** Prints events as they come, in parts of about a MiB (one line, as before, for a log that small); null ends it. */
function logPrinter(ctx: Context, json: boolean): (events: LogEvent[] | null) => void {
  let printed = 0;
  let text = '';
  const flush = () => {
    if (text) ctx.io.out(text);
    text = '';
  };
  return (events) => {
    if (events === null) {
      if (json) text += printed ? ']' : '[]';
      else if (!printed) text = 'no history yet';
      return flush();
    }
    for (const e of events) {
      if (json) text += `${printed ? ',' : '['}${JSON.stringify({ id: e.id, ...e.entry })}`;
      else text += `${text ? '\n' : ''}${historyLine(e.id, e.entry)}`;
      printed++;
      if (text.length >= 1 << 20) flush();
    }
  };
}
