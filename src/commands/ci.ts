// `git backup ci [--max-age STATE=DURATION]... [--json]`: exit 8 when a check fails.
import type { Context } from '../app/context.js';
import { runCiChecks } from '../app/ci.js';
import { BackupError, ExitCode } from '../errors.js';

export async function runCi(ctx: Context, args: { maxAge: string[]; json: boolean }): Promise<void> {
  const r = await runCiChecks(ctx, args.maxAge);
  if (args.json) ctx.io.out(JSON.stringify(r));
  else {
    if (r.warning) ctx.io.err(`git backup ci: warning: ${r.warning}`);
    for (const p of r.problems) ctx.io.out(`FAIL ${p.id} [${p.check}] ${p.message}`);
    for (const id of r.merged_here) ctx.io.out(`ok   ${id} PENDING in the notes, but its commit is in this clone's integration branch (the notes lag until its clone runs reconcile and sync)`);
    const states = Object.entries(r.states).map(([s, n]) => `${n} ${s}`).join(', ');
    ctx.io.out(`ci: ${r.checked} backup(s) checked${states ? ` (${states})` : ''}: ${r.ok ? 'ok' : `${r.problems.length} problem(s)`}`);
  }
  // The report is on stdout already; the error line only carries the exit code's meaning.
  if (!r.ok) throw new BackupError(ExitCode.CI_FAILED, `${r.problems.length} CI check(s) failed`);
}
