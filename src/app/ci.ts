// `git backup ci`: the checks of core/ci.ts over every note in refs/notes/backups.
import type { Context } from './context.js';
import { checkHistory, checkMaxAge, parseMaxAges, type CiProblem } from '../core/ci.js';
import { parseNoteLines } from '../core/notes-format.js';
import { formatDuration } from '../core/duration.js';
import { git } from '../git/exec.js';
import { listNotes, NOTES_REF } from '../git/notes.js';

export interface CiReport {
  ok: boolean;
  /** Set when there was nothing to check (no notes ref): how to get the notes. */
  warning: string | null;
  checked: number;
  states: Record<string, number>;
  limits: Record<string, string>;
  problems: CiProblem[];
}

export const FETCH_HINT = `git fetch origin ${NOTES_REF}:${NOTES_REF}`;

export async function runCiChecks(ctx: Context, maxAge: readonly string[]): Promise<CiReport> {
  const limits = parseMaxAges(maxAge); // usage errors before any git work
  const report: CiReport = { ok: true, warning: null, checked: 0, states: {}, limits: {}, problems: [] };
  for (const [s, ms] of limits) report.limits[s] = formatDuration(ms);
  const ref = await git(['rev-parse', '-q', '--verify', NOTES_REF], { cwd: ctx.repo.worktree, okCodes: [1] });
  if (ref.code !== 0) {
    // Nothing recorded is nothing wrong: a repository without backups must pass. Say how to fetch
    // them, since a fresh CI clone does not fetch notes by default.
    report.warning = `no ${NOTES_REF} in this clone, nothing to check; fetch them with: ${FETCH_HINT}`;
    return report;
  }
  for (const [object, text] of await listNotes(ctx.repo)) {
    const { events, skipped } = parseNoteLines(text);
    const ids = [...new Set(events.filter((e) => e.event.event !== 'drove').map((e) => e.event.id))];
    // A note holding only "drove" lines sits on a user commit, not on a backup.
    if (ids.length === 0) {
      for (const s of skipped) report.problems.push({ id: object, check: 'note', message: `note on ${object.slice(0, 12)}, line ${s.line}: ${s.why}` });
      continue;
    }
    ids.forEach((id, i) => {
      const v = checkHistory(id, events, i === 0 ? skipped : []);
      report.checked++;
      report.states[v.state] = (report.states[v.state] ?? 0) + 1;
      report.problems.push(...v.problems);
      const old = checkMaxAge(v, limits, ctx.now);
      if (old) report.problems.push({ ...old, message: `${old.message} ${report.limits[v.state]}` });
    });
  }
  report.ok = report.problems.length === 0;
  return report;
}
