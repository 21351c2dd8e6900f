// `git backup ci [--max-age STATE=DURATION]... [--json]`: exit 8 when a check fails.
import type { Context } from '../app/context.js';
import { runCiChecks } from '../app/ci.js';
import { BackupError, ExitCode } from '../errors.js';
import { define, inContext, jsonOpt, listOpt, stringList } from './define.js';

export const ciCommand = define({
  command: 'ci',
  describe: 'check recorded histories (from the notes) and age limits; exit 8 when a check fails',
  builder: (y) =>
    y
      .option('max-age', listOpt('max-age', { describe: 'STATE=DURATION, e.g. PENDING=14d (units m, h, d, w); repeatable' }))
      .option('json', jsonOpt)
      .example('git backup ci --max-age PENDING=14d', 'fail when work was committed but not merged for two weeks')
      .epilogue('Reads refs/notes/backups; on a fresh clone fetch them first: git fetch origin refs/notes/backups:refs/notes/backups'),
  handler: (a) => inContext((ctx) => runCi(ctx, { maxAge: stringList(a.maxAge), json: a.json })),
});

export async function runCi(ctx: Context, args: { maxAge: string[]; json: boolean }): Promise<void> {
  const r = await runCiChecks(ctx, args.maxAge);
  if (args.json) ctx.io.out(JSON.stringify(r));
  else {
    if (r.warning) ctx.io.err(`git backup ci: warning: ${r.warning}`);
    for (const p of r.store) ctx.io.out(`FAIL store ${p}`);
    for (const p of r.problems) ctx.io.out(`FAIL ${p.id} [${p.check}] ${p.message}`);
    for (const id of r.merged_here) ctx.io.out(`ok   ${id} PENDING in the notes, but its commit is in this clone's integration branch (the notes lag until its clone runs reconcile and sync)`);
    const states = Object.entries(r.states).map(([s, n]) => `${n} ${s}`).join(', ');
    ctx.io.out(`ci: ${r.checked} backup(s) checked${states ? ` (${states})` : ''}: ${r.ok ? 'ok' : `${r.problems.length + r.store.length} problem(s)`}`);
  }
  // A damaged store is its own exit code (design.md §Command line, exit codes), before a failed check's.
  if (r.store.length) throw new BackupError(ExitCode.STORE_DAMAGED, `the backup store is damaged (${r.store.length} problem(s)); repair it with git backup recover`);
  // The report is on stdout already; the error line only carries the exit code's meaning.
  if (!r.ok) throw new BackupError(ExitCode.CI_FAILED, `${r.problems.length} CI check(s) failed`);
}
