// `git backup ci`: the checks of core/ci.ts over every note in refs/notes/backups.
import type { Context } from './context.js';
import { mergedByPatch } from '../core/reconcile.js';
import { checkHistory, checkMaxAge, parseMaxAges, strayHint, type CiProblem, type HistoryVerdict } from '../core/ci.js';
import { integrationBranch, readRefs } from '../git/facts.js';
import { readHistory } from '../git/content.js';
import { parseNoteLines } from '../core/notes-format.js';
import { formatDuration } from '../core/duration.js';
import { git } from '../git/exec.js';
import { eachNote, NOTES_REF } from '../git/notes.js';
import { readPatchFactsCached } from '../store/patch-cache.js';
import { notesRefProblem } from '../git/notes-ref.js';
import { BackupError, ExitCode } from '../errors.js';
import { readHead } from '../store/durable-file.js';

export interface CiReport {
  ok: boolean;
  /** Set when there was nothing to check (no notes ref): how to get the notes. */
  warning: string | null;
  checked: number;
  states: Record<string, number>;
  limits: Record<string, string>;
  problems: CiProblem[];
  /**
   * PENDING backups whose pending commit this clone's integration branch already holds (by
   * ancestry or an equal patch): the notes lag (the clone that took the backup has not reconciled
   * and synced yet), so the max-age limit does not fail them.
   */
  merged_here: string[];
  /** This clone's store, where it has one: cold segments found damaged (exit 7 until recover). */
  store: string[];
}

export const FETCH_HINT = `git fetch origin ${NOTES_REF}:${NOTES_REF}`;

export async function runCiChecks(ctx: Context, maxAge: readonly string[]): Promise<CiReport> {
  const limits = parseMaxAges(maxAge); // usage errors before any git work
  const report: CiReport = { ok: true, warning: null, checked: 0, states: {}, limits: {}, problems: [], merged_here: [], store: [] };
  for (const [s, ms] of limits) report.limits[s] = formatDuration(ms);
  // The tombstones kept locally (no db.json in a fresh CI clone: nothing to check).
  const head = await readHead(ctx.store.paths.db);
  if (head?.cold) {
    for (const [segment, why] of await ctx.store.coldDamage(head)) report.store.push(`cold store segment ${segment} is damaged (${why}); git backup recover writes it again from the notes`);
  }
  const ref = await git(['rev-parse', '-q', '--verify', NOTES_REF], { cwd: ctx.repo.worktree, okCodes: [1] });
  if (ref.code !== 0) {
    // Nothing recorded is nothing wrong: a repository without backups must pass. Say how to fetch
    // them, since a fresh CI clone does not fetch notes by default.
    report.warning = `no ${NOTES_REF} in this clone, nothing to check; fetch them with: ${FETCH_HINT}`;
    report.ok = report.store.length === 0;
    return report;
  }
  // A ref that is not a notes commit reads as no notes at all: that must not pass as "ok".
  const damage = await notesRefProblem(ctx.repo, ref.stdout.trim());
  if (damage) {
    throw new BackupError(
      ExitCode.STORE_DAMAGED,
      `${NOTES_REF} is damaged (${damage}): nothing can be checked; repair it with git backup recover, or fetch it again: ${FETCH_HINT}`,
    );
  }
  const tooOld: { v: HistoryVerdict; problem: CiProblem }[] = [];
  // Note by note, in chunks (a million notes are ~640 MB): only problems and verdicts are kept.
  await eachNote(ctx.repo, (object, text, utf8) => {
    const parsed = parseNoteLines(text);
    const { events } = parsed;
    // recover leaves a note that is not UTF-8 text as it is (its bytes would be lost): not sent there.
    const skipped = utf8 ? parsed.skipped : parsed.skipped.map((s) => ({ ...s, why: `${s.why}; the note is not UTF-8 text, edit it by hand` }));
    const ids = [...new Set(events.filter((e) => e.event.event !== 'drove').map((e) => e.event.id))];
    // A note holding only "drove" lines sits on a user commit, not on a backup.
    if (ids.length === 0) {
      for (const s of skipped) report.problems.push({ id: object, check: 'note', message: `note on ${object.slice(0, 12)}, line ${s.line}: ${s.why}${strayHint(s)}` });
      return;
    }
    ids.forEach((id, i) => {
      const v = checkHistory(id, events, i === 0 ? skipped : []);
      report.checked++;
      report.states[v.state] = (report.states[v.state] ?? 0) + 1;
      for (const p of v.problems) report.problems.push(p); // not push(...): one per backup, maybe 100,000
      const old = checkMaxAge(v, limits, ctx.now);
      if (old) tooOld.push({ v, problem: { ...old, message: `${old.message} ${report.limits[v.state]}` } });
    });
  }, undefined, (object, blob) => {
    // Read as empty, a backup whose note is lost was not counted and ci said ok (a review found it).
    throw new BackupError(
      ExitCode.STORE_DAMAGED,
      `the note on ${object.slice(0, 12)} cannot be read (its object ${blob.slice(0, 12)} is missing); git backup recover writes it again from the index`,
    );
  });
  const merged = await mergedHere(ctx, tooOld.filter(({ v }) => v.state === 'PENDING' && v.pending_commit).map(({ v }) => v.pending_commit!));
  for (const { v, problem } of tooOld) {
    if (v.state === 'PENDING' && v.pending_commit && merged.has(v.pending_commit)) report.merged_here.push(v.id);
    else report.problems.push(problem);
  }
  report.ok = report.problems.length === 0 && report.store.length === 0;
  return report;
}

/**
 * Which pending commits this clone's integration branch holds, by ancestry or by an equal patch
 * (squash or rebase merge): the same rules reconcile uses, judged from the clone's own history,
 * with a constant number of git processes.
 */
async function mergedHere(ctx: Context, pendings: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  if (pendings.length === 0) return out;
  const integration = integrationBranch(await readRefs(ctx.repo), (await ctx.config()).integrationBranch);
  if (!integration) return out;
  const { graph } = await readHistory(ctx.repo, [...pendings, integration.tip]);
  const rest: string[] = [];
  for (const p of new Set(pendings)) {
    if (graph.has(p) && graph.isAncestor(p, integration.tip)) out.add(p);
    else rest.push(p);
  }
  if (rest.length) {
    const patches = await readPatchFactsCached(ctx.store.paths.dir, ctx.repo, rest, integration.tip, graph);
    for (const p of rest) if (mergedByPatch(p, patches)) out.add(p);
  }
  return out;
}
