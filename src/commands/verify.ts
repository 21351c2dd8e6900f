// `git backup verify [ID...] [--json]`: exit 3 (validation failed) when any check fails.
import type { Context } from '../app/context.js';
import { resolveBackups } from '../app/resolve.js';
import { settleJournals } from '../app/settle.js';
import { verifyBackups } from '../app/verify.js';
import { BackupError, ExitCode } from '../errors.js';
import { define, inContext, jsonOpt, stringList } from './define.js';

export const verifyCommand = define({
  command: 'verify [ids..]',
  describe: "check every archive (sha256, then every path, mode and blob hash against its manifest) and every live backup's ref and snapshot; exit 3 when one is damaged, 4 when content is only on a backup remote (not fetched)",
  builder: (y) => y.positional('ids', { type: 'string', array: true, describe: 'only these backups (default: all but DELETED)' }).option('json', jsonOpt),
  handler: (a) => inContext((ctx) => runVerify(ctx, { ids: stringList(a.ids), json: a.json })),
});

export async function runVerify(ctx: Context, args: { ids: string[]; json: boolean }): Promise<void> {
  const settled = await settleJournals(ctx);
  for (const line of settled) ctx.io.err(`git backup: ${line}`);
  const records = args.ids.length ? await resolveBackups(ctx, args.ids) : (await ctx.store.read()).backups;
  ctx.progress = !args.json;
  const items = await verifyBackups(ctx, [...new Map(records.map((r) => [r.id, r])).values()]);
  const bad = items.filter((i) => !i.ok && !i.not_fetched);
  const away = items.filter((i) => i.not_fetched);
  if (args.json) ctx.io.out(JSON.stringify({ ok: bad.length === 0 && away.length === 0, checked: items.length, failed: bad.length, not_fetched: away.length, backups: items }));
  else {
    for (const i of items) ctx.io.out(`${i.ok ? 'ok  ' : i.not_fetched ? 'AWAY' : 'FAIL'} ${i.id} ${i.state}: ${i.detail}`);
    ctx.io.out(`verify: ${items.length} backup(s) checked, ${bad.length} failed${away.length ? `, ${away.length} not fetched (not damaged)` : ''}`);
  }
  // Damage first (exit 3); content only elsewhere is "not found" (exit 4), with what to fetch.
  if (bad.length) throw new BackupError(ExitCode.INVALID, `${bad.length} backup(s) failed verification (first: ${bad[0]!.id}: ${bad[0]!.detail})`);
  if (away.length) throw new BackupError(ExitCode.NOT_FOUND, `${away.length} backup(s) not fetched, not damaged (first: ${away[0]!.detail})`);
}
