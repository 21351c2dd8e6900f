// The backup remote (docs/remote.md, design.md §Storage): `git backup push [REMOTE]` sends every
// local backup's snapshot (refs/backups/<id>), every local archive (as a commit holding the archive
// and its manifest, refs/backup-archives/<id>) and the notes; then asks the remote what it holds
// (ls-remote), and records each verified copy in the backup's note (Store.update, the one write
// path). `git backup fetch [REMOTE]` merges the remote's notes and fetches exactly the content
// this clone lacks (other clones' snapshots, archives whose file is gone here).
import { nodeCrypto } from '../builtins.js';
import { readFile, rm, stat } from 'node:fs/promises';
import type { Context } from './context.js';
import type { BackupRecord, RemoteCopy } from '../core/types.js';
import { BackupError, ExitCode, invalidError, usageError } from '../errors.js';
import { NOTES_REF } from '../git/notes.js';
import { parseRemote } from '../core/config-values.js';
import { holdsRef } from '../core/lifecycle.js';
import { matchesAnyGlob } from '../core/glob.js';
import { formatNoteLine } from '../core/notes-format.js';
import { GitError, GitTimeoutError } from '../git/exec.js';
import { fetchNotes, mergeNotes, notesTip, pushNotes, remoteExists } from '../git/notes-sync.js';
import { ARCHIVE_REFS, BACKUP_REFS, archiveCommit, fetchRefspecs, lsRemote, notesWithAbsolutePaths, pushRefspecs, refOid, dropRef, writeBlobTo } from '../git/remote.js';
import { manifestPathOf, readManifest, sha256Of } from '../git/archive.js';
import { existingObjects } from '../git/objects.js';
import { withLock } from '../store/lock.js';
import { archivePathOf } from './archive.js';
import { readMissingProtects } from './content.js';
import { othersIn } from './clone.js';
import { recordPushOutcome } from './push-outcome.js';

export interface RemoteTarget {
  /** What git is given: a remote name or a URL. */
  spec: string;
  /** How copies name it: the name, or the URL without user and password. */
  label: string;
  /** Where its notes are fetched to before the merge. */
  tracking: string;
  /** Under which refs this clone keeps what it fetched from it. */
  keep: string;
  /** How long one git process talking to it may take (backup.remote.timeout). */
  timeoutMs: number;
}

export interface SkippedBackup {
  id: string;
  why: string;
}

export interface PushReport {
  remote: string;
  /** Snapshots and archives sent by this push. */
  sent: number;
  /** Already on the remote (nothing sent). */
  already: number;
  /** Backups whose copy the remote was verified to hold (newly recorded or confirmed). */
  verified: number;
  /** Copies newly recorded in the notes. */
  recorded: number;
  skipped: SkippedBackup[];
  failed: SkippedBackup[];
  notes: boolean;
}

export interface FetchReport {
  remote: string;
  notes: boolean;
  /** Snapshots fetched (content this clone did not have). */
  snapshots: number;
  /** Archive files written back from the remote. */
  archives: number;
  failed: SkippedBackup[];
}

/** The remote to use: the argument, else backup.remote; a usage error (exit 2) when neither names one that exists. */
export async function resolveRemote(ctx: Context, arg: string | undefined, what: string): Promise<RemoteTarget> {
  const config = await ctx.config();
  const raw = arg ?? config.remote.name;
  if (raw === null || raw === undefined) throw usageError(`${what}: no backup remote; name one (git backup ${what} REMOTE) or set one: git config backup.remote NAME-OR-URL`);
  const spec = parseRemote(raw);
  if (!spec) throw usageError(`${what}: invalid remote ${JSON.stringify(raw)}; give a remote name or a URL`);
  const isName = !/[:/]/.test(spec);
  if (isName && !(await remoteExists(ctx.repo, spec))) throw usageError(`${what}: no remote named ${JSON.stringify(spec)}; add it (git remote add ${spec} URL) or give a URL`);
  const label = isName ? spec : spec.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1');
  const key = isName ? spec : `url-${nodeCrypto().createHash('sha1').update(spec).digest('hex').slice(0, 12)}`;
  return { spec, label, tracking: `refs/notes/backups-remote/${key}`, keep: `refs/backups-remote/${key}/`, timeoutMs: config.remote.timeout };
}

function networkError(target: RemoteTarget, what: string, e: unknown): BackupError {
  const detail = e instanceof GitError ? (e.stderr.split('\n').find((l) => /fatal|error/i.test(l)) ?? e.stderr.split('\n').find((l) => l.trim()) ?? `exit ${e.code}`).trim() : String(e);
  const hint = e instanceof GitTimeoutError ? ' (backup.remote.timeout)' : '';
  return new BackupError(ExitCode.UNEXPECTED, `${what} ${target.label} failed: ${detail}${hint}`);
}

/** Fetch the remote's notes and merge them into ours under the store lock; true when ours changed. */
async function mergeRemoteNotes(ctx: Context, target: RemoteTarget): Promise<boolean> {
  let fetched: boolean;
  try {
    fetched = await fetchNotes(ctx.repo, target.spec, target.tracking, target.timeoutMs);
  } catch (e) {
    throw networkError(target, 'fetching the notes of', e);
  }
  if (!fetched) {
    await dropRef(ctx.repo, target.tracking); // the remote has no notes: nothing of theirs is known
    return false;
  }
  return withLock(ctx.store.paths.db, () => mergeNotes(ctx.repo, target.tracking), { lockfilePath: ctx.store.paths.lock });
}

/** Why a backup stays on this machine (docs/remote.md "Privacy"), or null when it may be pushed. */
function privateBecause(r: BackupRecord, paths: readonly string[], sensitive: readonly string[]): string | null {
  if (r.include_ignored) return 'it holds ignored files (--include-ignored); set backup.remote.includeSensitive=true to push it';
  const hit = sensitive.length ? paths.find((p) => matchesAnyGlob(p, sensitive)) : undefined;
  return hit ? `it holds ${hit}, which matches backup.sensitive; set backup.remote.includeSensitive=true to push it` : null;
}

interface Candidate {
  record: BackupRecord;
  kind: RemoteCopy['kind'];
  ref: string;
  /** The local source: a ref, or the oid of an archive commit. */
  src: string;
  oid: string;
}

/** `git backup push [REMOTE]`. `allowLegacyPaths`: push notes that hold absolute worktree paths anyway. */
export async function pushBackups(ctx: Context, arg: string | undefined, opts: { allowLegacyPaths?: boolean } = {}): Promise<PushReport> {
  let target: RemoteTarget;
  try {
    target = await resolveRemote(ctx, arg, 'push');
  } catch (e) {
    // backup.remote naming no remote (a typo, a remote removed since) is a failed attempt like
    // any other: status says so, and the drain retries an interval later, not on every commit.
    const name = arg === undefined ? (await ctx.config()).remote.name : null;
    if (name) await recordPushOutcome(ctx, { remote: name, at: ctx.now.toISOString(), ok: false, error: e instanceof Error ? e.message : String(e) }).catch(() => undefined);
    throw e;
  }
  try {
    // Notes written before worktrees were recorded relative hold absolute paths, in their history
    // too: pushing them would publish them (docs/remote.md, "Privacy").
    const legacy = opts.allowLegacyPaths ? 0 : await notesWithAbsolutePaths(ctx.repo, NOTES_REF);
    if (legacy) {
      throw invalidError(`push: ${legacy} backup note(s) here were written by an earlier version and hold an absolute worktree path; pushing would publish it. Push anyway with git backup push --allow-legacy-paths`);
    }
    const report = await pushTo(ctx, target);
    await recordPushOutcome(ctx, { remote: target.label, at: ctx.now.toISOString(), ok: report.failed.length === 0, error: report.failed[0] ? `${report.failed[0].id}: ${report.failed[0].why}` : null });
    return report;
  } catch (e) {
    await recordPushOutcome(ctx, { remote: target.label, at: ctx.now.toISOString(), ok: false, error: e instanceof Error ? e.message : String(e) }).catch(() => undefined);
    throw e;
  }
}

async function pushTo(ctx: Context, target: RemoteTarget): Promise<PushReport> {
  const config = await ctx.config();
  const report: PushReport = { remote: target.label, sent: 0, already: 0, verified: 0, recorded: 0, skipped: [], failed: [], notes: false };
  await mergeRemoteNotes(ctx, target);

  const data = await ctx.store.read();
  const foreign = await othersIn(ctx, data.backups);
  const mine = data.backups.filter((r) => !foreign(r) && (holdsRef(r) || (r.state === 'ARCHIVED' && r.archive)));
  let remote: Map<string, string>;
  try {
    remote = await lsRemote(ctx.repo, target.spec, target.timeoutMs);
  } catch (e) {
    throw networkError(target, 'reaching', e);
  }

  // What the remote already holds at our oid costs nothing more: no privacy check (it was pushed
  // when allowed), no archive hashing. Only the rest is looked at, and its protected paths read
  // (one batch) only when backup.sensitive names something.
  const candidates: Candidate[] = [];
  const rest: BackupRecord[] = [];
  for (const r of mine) {
    if (r.state === 'ARCHIVED') {
      const ref = `${ARCHIVE_REFS}${r.id}`;
      const known = (r.copies ?? []).find((c) => c.remote === target.label && c.kind === 'archive');
      if (known && remote.get(ref) === known.oid) candidates.push({ record: r, kind: 'archive', ref, src: known.oid, oid: known.oid });
      else rest.push(r);
    } else {
      const ref = `${BACKUP_REFS}${r.id}`;
      if (remote.get(ref) === r.snapshot) candidates.push({ record: r, kind: 'snapshot', ref, src: ref, oid: r.snapshot });
      else rest.push(r);
    }
  }
  const screen = !config.remote.includeSensitive;
  const protects = screen && config.sensitive.length ? await readMissingProtects(ctx, rest.filter(holdsRef)) : new Map<string, { path: string }[]>();
  const pathsOf = (r: BackupRecord) => (protects.get(r.id) ?? r.protects ?? []).map((p) => p.path);
  for (const r of rest) {
    if (r.state === 'ARCHIVED') {
      const abs = await archivePathOf(ctx, r.archive!);
      if (screen) {
        const paths = pathsOf(r);
        const manifestPaths = paths.length || !config.sensitive.length ? paths : await readManifest(abs, r.archive!.manifest_sha256).then((m) => m.files.map((f) => f.path), () => []);
        const why = privateBecause(r, manifestPaths, config.sensitive);
        if (why) {
          report.skipped.push({ id: r.id, why });
          continue;
        }
      }
      if (!(await stat(abs).then((s) => s.isFile(), () => false))) {
        report.failed.push({ id: r.id, why: `its archive ${abs} is missing here` });
        continue;
      }
      const oid = await archiveCommit(ctx.repo, r.id, { archive: abs, manifest: manifestPathOf(abs) }, r.archive!.created_at);
      candidates.push({ record: r, kind: 'archive', ref: `${ARCHIVE_REFS}${r.id}`, src: oid, oid });
      continue;
    }
    const why = screen ? privateBecause(r, [...pathsOf(r), ...r.paths], config.sensitive) : null;
    if (why) {
      report.skipped.push({ id: r.id, why });
      continue;
    }
    const ref = `${BACKUP_REFS}${r.id}`;
    candidates.push({ record: r, kind: 'snapshot', ref, src: ref, oid: r.snapshot });
  }

  const send: Candidate[] = [];
  for (const c of candidates) {
    const there = remote.get(c.ref);
    if (there === c.oid) report.already++;
    else if (there) report.failed.push({ id: c.record.id, why: `${target.label} has ${c.ref} at ${there.slice(0, 12)}, not ${c.oid.slice(0, 12)}; left as it is` });
    else send.push(c);
  }
  if (send.length) {
    try {
      await pushRefspecs(ctx.repo, target.spec, send.map((c) => `${c.src}:${c.ref}`), target.timeoutMs);
    } catch (e) {
      throw networkError(target, 'pushing backups to', e);
    }
    report.sent = send.length;
    try {
      remote = await lsRemote(ctx.repo, target.spec, target.timeoutMs);
    } catch (e) {
      throw networkError(target, 'verifying the push to', e);
    }
  }

  // Verified: the remote's ref is the oid we hold. Each backup's copy on this remote is recorded
  // (or re-dated when the oid changed) in its note, through the one write path.
  const verified = candidates.filter((c) => remote.get(c.ref) === c.oid);
  report.verified = verified.length;
  for (const c of send) if (remote.get(c.ref) !== c.oid) report.failed.push({ id: c.record.id, why: `${target.label} does not show ${c.ref} at ${c.oid.slice(0, 12)} after the push` });
  const stale = verified.filter((c) => !(c.record.copies ?? []).some((k) => k.remote === target.label && k.kind === c.kind && k.oid === c.oid));
  if (stale.length) report.recorded = await recordCopies(ctx, target.label, stale);

  // The notes last, so the remote's notes carry the copies too (not when the remote's are ours
  // already). A push that loses a race is merged and tried again.
  const tip = await notesTip(ctx.repo);
  if (tip !== null && tip === (await refOid(ctx.repo, target.tracking))) report.notes = true;
  else if (tip !== null) {
    for (let attempt = 1; attempt <= 3 && !report.notes; attempt++) {
      try {
        report.notes = (await pushNotes(ctx.repo, target.spec, attempt < 3, target.timeoutMs)) === 'pushed';
      } catch (e) {
        throw networkError(target, 'pushing the notes to', e);
      }
      if (!report.notes) await mergeRemoteNotes(ctx, target);
    }
  }
  return report;
}

/** One facts line per backup: its copies, this remote's replaced by the one just verified. */
async function recordCopies(ctx: Context, label: string, verified: readonly Candidate[]): Promise<number> {
  const wanted = new Map(verified.map((c) => [c.record.id, c]));
  return ctx.store.update(
    (data) => {
      const lines = new Map<string, string[]>();
      const at = ctx.now.toISOString();
      for (const r of data.backups) {
        const c = wanted.get(r.id);
        if (!c || r.state === 'DELETED') continue;
        const copies: RemoteCopy[] = [...(r.copies ?? []).filter((k) => !(k.remote === label && k.kind === c.kind)), { remote: label, at, kind: c.kind, oid: c.oid }];
        r.copies = copies;
        r.updated_at = at;
        lines.set(r.snapshot, [...(lines.get(r.snapshot) ?? []), formatNoteLine(at, { event: 'facts', id: r.id, facts: { copies } })]);
      }
      return lines;
    },
    { notes: (lines) => (lines.size ? { lines } : null) },
  ).then((lines) => lines.size);
}

/** Write an ARCHIVED backup's archive and manifest out of the fetched commit; null when done, else why not (nothing is kept). */
async function writeArchiveBack(ctx: Context, a: { record: BackupRecord; oid: string; path: string }, label: string): Promise<string | null> {
  const id = a.record.id;
  const info = a.record.archive!;
  try {
    await writeBlobTo(ctx.repo, a.oid, `${id}.manifest.json`, manifestPathOf(a.path));
    await writeBlobTo(ctx.repo, a.oid, `${id}.tar.gz`, a.path);
    if (sha256Of(await readFile(a.path)) === info.sha256 && sha256Of(await readFile(manifestPathOf(a.path))) === info.manifest_sha256) return null;
    await rm(a.path, { force: true });
    await rm(manifestPathOf(a.path), { force: true });
    return `the archive on ${label} does not match the sha256 its record names; not kept`;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/**
 * The content of one backup that is not here (restore, diff, undo; docs/remote.md), fetched from
 * the remotes that hold a verified copy, then backup.remote: exactly its snapshot (kept under
 * refs/backups-remote/) or its archive (written back). The remote that gave it, or null when none
 * could (not configured here, unreachable, or it does not hold it): the caller says what to do.
 */
export async function fetchContentOf(ctx: Context, record: BackupRecord): Promise<string | null> {
  const archived = record.state === 'ARCHIVED';
  const names = [...new Set([...(record.copies ?? []).filter((c) => c.kind === (archived ? 'archive' : 'snapshot')).map((c) => c.remote), (await ctx.config()).remote.name])];
  for (const name of names) {
    if (!name) continue;
    try {
      const target = await resolveRemote(ctx, name, 'fetch');
      const ref = `${archived ? ARCHIVE_REFS : BACKUP_REFS}${record.id}`;
      const oid = (await lsRemote(ctx.repo, target.spec, target.timeoutMs)).get(ref);
      if (!oid || (!archived && oid !== record.snapshot)) continue;
      if (archived) {
        await fetchRefspecs(ctx.repo, target.spec, [ref], target.timeoutMs);
        if (await writeArchiveBack(ctx, { record, oid, path: await archivePathOf(ctx, record.archive!) }, target.label)) continue;
      } else await fetchRefspecs(ctx.repo, target.spec, [`+${ref}:${target.keep}${record.id}`], target.timeoutMs);
      return target.label;
    } catch {
      // not a remote here, or unreachable: the next one
    }
  }
  return null;
}

/** `git backup fetch [REMOTE]`. */
export async function fetchBackups(ctx: Context, arg: string | undefined): Promise<FetchReport> {
  const target = await resolveRemote(ctx, arg, 'fetch');
  const report: FetchReport = { remote: target.label, notes: await mergeRemoteNotes(ctx, target), snapshots: 0, archives: 0, failed: [] };
  // The index takes in the merged notes now (one write), not on every later read.
  if (report.notes) await ctx.store.update(() => undefined);
  let remote: Map<string, string>;
  try {
    remote = await lsRemote(ctx.repo, target.spec, target.timeoutMs);
  } catch (e) {
    throw networkError(target, 'reaching', e);
  }
  // Snapshots this clone lacks (another clone's backups): kept under refs/backups-remote/<remote>/, never refs/backups/.
  const snaps = [...remote].filter(([ref]) => ref.startsWith(BACKUP_REFS));
  const have = new Set(await existingObjects(ctx.repo, snaps.map(([, oid]) => oid), 'commit'));
  const want = snaps.filter(([, oid]) => !have.has(oid));
  // Archives whose file is gone here (this clone's, or another's that it archived).
  const data = await ctx.store.read();
  const archives: { record: BackupRecord; oid: string; path: string }[] = [];
  for (const r of data.backups) {
    const oid = r.state === 'ARCHIVED' && r.archive ? remote.get(`${ARCHIVE_REFS}${r.id}`) : undefined;
    if (!oid) continue;
    const path = await archivePathOf(ctx, r.archive!);
    if (!(await stat(path).then((s) => s.isFile(), () => false))) archives.push({ record: r, oid, path });
  }
  const specs = [
    ...want.map(([ref]) => `+${ref}:${target.keep}${ref.slice(BACKUP_REFS.length)}`),
    // An archive commit needs no ref here: its files are written out below and the objects left to gc.
    ...archives.map((a) => `${ARCHIVE_REFS}${a.record.id}`),
  ];
  if (specs.length) {
    try {
      await fetchRefspecs(ctx.repo, target.spec, specs, target.timeoutMs);
    } catch (e) {
      throw networkError(target, 'fetching backups from', e);
    }
  }
  report.snapshots = want.length;
  for (const a of archives) {
    const why = await writeArchiveBack(ctx, a, target.label);
    if (why) report.failed.push({ id: a.record.id, why });
    else report.archives++;
  }
  return report;
}

