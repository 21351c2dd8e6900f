// The note lines on refs/notes/backups (design.md §Storage), from which the index can be rebuilt.
//
// Note format: one event per line, `<timestamp> <compact JSON>`, where the timestamp is always
// the 24-character `YYYY-MM-DDTHH:MM:SS.mmmZ`. Fixed width and zero padding make plain byte order
// equal time order, which is what git's cat_sort_uniq notes merge produces when two clones' notes
// are merged; identical lines (the same event seen by both clones) collapse into one.

import type { ContentProof } from './content.js';
import type { ArchiveInfo, BackupRecord, BackupState, HistoryEntry, RemoteCopy, Trigger } from './types.js';
import { TRIGGERS } from './types.js';
import { isBackupState } from './lifecycle.js';
import { isoTime } from './record.js';

// ---------------------------------------------------------------------------------------------
// Note events

/** Record facts that change with the lifecycle and must survive a rebuild from notes. */
export interface RecordFacts {
  pending_commit?: string | null;
  confirmed_by?: string | null;
  confidence?: number | null;
  /** Set on the way to ARCHIVED, so a rebuild from notes finds the archive again. */
  archive?: ArchiveInfo | null;
  /** The content proof that drove a git-driven move (which history, which commits, which paths). */
  content?: ContentProof | null;
  /** Verified copies on backup remotes (the whole list: a later line replaces it). */
  copies?: RemoteCopy[] | null;
}

/** The creation line carries everything needed to rebuild the record from notes alone. */
export type CreatedEvent = { event: 'created'; trigger: Trigger; reason: string } & Pick<
  BackupRecord,
  'id' | 'created_at' | 'message' | 'branch' | 'base' | 'snapshot' | 'paths' | 'files' | 'bytes' | 'include_ignored' | 'worktree' | 'labels' | 'pinned' | 'origin'
>;

export interface TransitionEvent {
  event: 'transition';
  id: string;
  from: BackupState;
  to: BackupState;
  trigger: Trigger;
  reason: string;
  forced: boolean;
  /** Facts set together with the transition (e.g. pending_commit on the way to PENDING). */
  facts?: RecordFacts;
}

export interface PinEvent {
  event: 'pin' | 'unpin';
  id: string;
}

/** Facts that changed without a state change (e.g. pending_commit after an amend). */
export interface FactsEvent {
  event: 'facts';
  id: string;
  facts: RecordFacts;
}

/** The short line put on a user commit that drove a transition (for `git log --notes=backups`). */
export interface DroveEvent {
  event: 'drove';
  id: string;
  from: BackupState;
  to: BackupState;
  trigger: Trigger;
}

export type NoteEvent = CreatedEvent | TransitionEvent | PinEvent | FactsEvent | DroveEvent;

export interface TimedNoteEvent {
  at: string;
  event: NoteEvent;
}

export interface SkippedLine {
  /** 1-based line number in the note text. */
  line: number;
  text: string;
  why: string;
}

/**
 * Keys are written in a fixed order (by building a fresh object) so that the same event always
 * produces the same bytes: cat_sort_uniq can only collapse duplicates that are byte-identical.
 */
function canonical(e: NoteEvent): NoteEvent {
  switch (e.event) {
    case 'created':
      return {
        event: 'created', id: e.id, created_at: e.created_at, message: e.message, branch: e.branch, base: e.base,
        snapshot: e.snapshot, paths: [...e.paths], files: e.files, bytes: e.bytes, include_ignored: e.include_ignored,
        worktree: e.worktree, labels: [...e.labels], pinned: e.pinned, trigger: e.trigger, reason: e.reason,
        // Only when set: a line written before clones had names keeps its bytes (cat_sort_uniq).
        ...(e.origin ? { origin: e.origin } : {}),
      };
    case 'transition': {
      const t: TransitionEvent = {
        event: 'transition', id: e.id, from: e.from, to: e.to, trigger: e.trigger, reason: e.reason, forced: e.forced,
      };
      const facts = canonicalFacts(e.facts);
      if (facts) t.facts = facts;
      return t;
    }
    case 'pin':
    case 'unpin':
      return { event: e.event, id: e.id };
    case 'facts':
      return { event: 'facts', id: e.id, facts: canonicalFacts(e.facts) ?? {} };
    case 'drove':
      return { event: 'drove', id: e.id, from: e.from, to: e.to, trigger: e.trigger };
  }
}

function canonicalFacts(f: RecordFacts | undefined): RecordFacts | undefined {
  if (!f) return undefined;
  const out: RecordFacts = {};
  if (f.pending_commit !== undefined) out.pending_commit = f.pending_commit;
  if (f.confirmed_by !== undefined) out.confirmed_by = f.confirmed_by;
  if (f.confidence !== undefined) out.confidence = f.confidence;
  if (f.archive !== undefined) out.archive = f.archive && canonicalArchive(f.archive);
  if (f.content !== undefined) out.content = f.content && canonicalContent(f.content);
  if (f.copies !== undefined) out.copies = f.copies && f.copies.map((c) => ({ remote: c.remote, at: c.at, kind: c.kind, oid: c.oid }));
  return Object.keys(out).length ? out : undefined;
}

function canonicalContent(c: ContentProof): ContentProof {
  return {
    history: c.history, tip: c.tip, files: c.files, held: c.held,
    superseded: [...c.superseded], uncommitted: [...c.uncommitted], unique: [...c.unique], commits: [...c.commits],
  };
}

function parseContent(v: unknown): ContentProof | null | string {
  if (v === null) return null;
  if (!isObj(v)) return 'bad content';
  if ((v.history !== 'line' && v.history !== 'integration') || !isStr(v.tip) || !isCount(v.files) || !isCount(v.held)) return 'bad content';
  if (!isStrArr(v.superseded) || !isStrArr(v.uncommitted) || !isStrArr(v.unique) || !isStrArr(v.commits)) return 'bad content';
  return canonicalContent(v as unknown as ContentProof);
}

function canonicalArchive(a: ArchiveInfo): ArchiveInfo {
  return { path: a.path, sha256: a.sha256, bytes: a.bytes, created_at: a.created_at, manifest_sha256: a.manifest_sha256, files: a.files };
}

function parseArchive(v: unknown): ArchiveInfo | null | string {
  if (v === null) return null;
  if (!isObj(v)) return 'bad archive';
  const hex = (x: unknown) => isStr(x) && /^[0-9a-f]{64}$/.test(x);
  if (!isStr(v.path) || !hex(v.sha256) || !hex(v.manifest_sha256) || !isCount(v.bytes) || !isCount(v.files) || !isIso(v.created_at)) return 'bad archive';
  return canonicalArchive(v as unknown as ArchiveInfo);
}

/**
 * One note line, without the newline. JSON.stringify escapes newlines in messages, so it is one line.
 *
 * A `drove` line (on a user's commit) is written as text instead of JSON, because people read it
 * in `git log --notes=backups`: `<timestamp> backup <id>: PENDING (from CREATED by GIT_HOOK)`.
 * It is still timestamp-first (cat_sort_uniq order) and parsed back by DROVE_LINE.
 */
export function formatNoteLine(at: string | Date, event: NoteEvent): string {
  if (event.event === 'drove') return `${isoTime(at)} backup ${event.id}: ${event.to} (from ${event.from} by ${event.trigger})`;
  return `${isoTime(at)} ${JSON.stringify(canonical(event))}`;
}

/** The creation event, carrying everything needed to rebuild the record. */
export function createdEvent(r: BackupRecord): CreatedEvent {
  const c = r.history.find((e) => e.from === null);
  return {
    event: 'created', id: r.id, created_at: r.created_at, message: r.message, branch: r.branch, base: r.base,
    snapshot: r.snapshot, paths: [...r.paths], files: r.files, bytes: r.bytes, include_ignored: r.include_ignored,
    worktree: r.worktree, labels: [...r.labels], pinned: r.pinned, trigger: c?.trigger ?? 'USER', reason: c?.reason ?? 'created',
    ...(r.origin ? { origin: r.origin } : {}),
  };
}

/**
 * The note line for one history entry of `record`: the creation line for the creation entry (call
 * it right after newRecord, while `pinned` is still the creation value), else a transition line.
 */
export function noteLines(record: BackupRecord, entry: HistoryEntry, facts?: RecordFacts): string {
  if (entry.from === null) return formatNoteLine(entry.at, { ...createdEvent(record), created_at: entry.at });
  const ev: TransitionEvent = {
    event: 'transition', id: record.id, from: entry.from, to: entry.to, trigger: entry.trigger,
    reason: entry.reason, forced: entry.forced,
  };
  if (facts) ev.facts = facts;
  return formatNoteLine(entry.at, ev);
}

/**
 * One backup's events in the order they are replayed: by time, and among events with the same
 * timestamp, a transition that continues from the current state first (byte order alone would put
 * CONFIRMED→CLEANABLE before PENDING→CONFIRMED if both fell in one millisecond). `current` is asked
 * before each event is handed out, so it sees the state the previous events led to.
 */
export function* inReplayOrder(events: readonly TimedNoteEvent[], current: () => BackupState): Generator<TimedNoteEvent> {
  const rest = [...events].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  while (rest.length) {
    const state = current();
    let pick = 0;
    for (let k = 0; k < rest.length && rest[k]!.at === rest[0]!.at; k++) {
      const ev = rest[k]!.event;
      if (ev.event === 'transition' && ev.from === state) {
        pick = k;
        break;
      }
    }
    yield rest.splice(pick, 1)[0]!;
  }
}

// ---------------------------------------------------------------------------------------------
// Parsing

/** Why parseNoteLines skipped a line that has not even the shape of an event line. */
const NOT_AN_EVENT = 'not "<timestamp> <json>"';
// `s`: the JSON may hold U+2028 and U+2029 raw (JSON.stringify leaves them so, in a message or a
// reason), which `.` alone does not match; a line holds no LF (the text is split on it).
const LINE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z) (\{.*\})$/s;
const DROVE_LINE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z) backup (\S+): ([A-Z]+) \(from ([A-Z]+) by ([A-Z_]+)\)$/;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isStrOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const isStrArr = (v: unknown): v is string[] => Array.isArray(v) && v.every(isStr);
const isState = (v: unknown): v is BackupState => isStr(v) && isBackupState(v);
const isTrigger = (v: unknown): v is Trigger => isStr(v) && (TRIGGERS as readonly string[]).includes(v);
const isIso = (v: unknown): v is string => isStr(v) && LINE.test(`${v} {}`);

function parseFacts(v: unknown): RecordFacts | string {
  if (!isObj(v)) return 'facts is not an object';
  const out: RecordFacts = {};
  if ('pending_commit' in v) {
    if (!isStrOrNull(v.pending_commit)) return 'bad pending_commit';
    out.pending_commit = v.pending_commit;
  }
  if ('confirmed_by' in v) {
    if (!isStrOrNull(v.confirmed_by)) return 'bad confirmed_by';
    out.confirmed_by = v.confirmed_by;
  }
  if ('confidence' in v) {
    const c = v.confidence;
    if (!(c === null || (typeof c === 'number' && c >= 0 && c <= 1))) return 'bad confidence';
    out.confidence = c;
  }
  if ('archive' in v) {
    const a = parseArchive(v.archive);
    if (typeof a === 'string') return a;
    out.archive = a;
  }
  if ('content' in v) {
    const c = parseContent(v.content);
    if (typeof c === 'string') return c;
    out.content = c;
  }
  if ('copies' in v) {
    const c = v.copies;
    const ok = (x: unknown) => isObj(x) && isStr(x.remote) && isIso(x.at) && (x.kind === 'snapshot' || x.kind === 'archive') && isStr(x.oid);
    if (!(c === null || (Array.isArray(c) && c.every(ok)))) return 'bad copies';
    out.copies = c === null ? null : (c as RemoteCopy[]).map((x) => ({ remote: x.remote, at: x.at, kind: x.kind, oid: x.oid }));
  }
  return out;
}

/** A NoteEvent, or the reason the value is not one. Unknown event kinds (from a newer version) are reasons too. */
function toEvent(v: unknown): NoteEvent | string {
  if (!isObj(v)) return 'not a JSON object';
  if (!isStr(v.id)) return 'no id';
  const id = v.id;
  switch (v.event) {
    case 'created': {
      if (!isIso(v.created_at)) return 'bad created_at';
      if (!isStr(v.message)) return 'bad message';
      if (!isStrOrNull(v.branch) || !isStrOrNull(v.base)) return 'bad branch or base';
      if (!isStr(v.snapshot)) return 'bad snapshot';
      if (!isStrArr(v.paths) || !isStrArr(v.labels)) return 'bad paths or labels';
      if (!isCount(v.files) || !isCount(v.bytes)) return 'bad files or bytes';
      if (!isBool(v.include_ignored) || !isBool(v.pinned)) return 'bad include_ignored or pinned';
      if (!isStr(v.worktree)) return 'bad worktree';
      if (v.origin !== undefined && !isStr(v.origin)) return 'bad origin';
      // trigger and reason were optional in spirit: default them rather than drop the backup.
      const trigger = v.trigger === undefined ? 'USER' : v.trigger;
      if (!isTrigger(trigger)) return 'bad trigger';
      const reason = v.reason === undefined ? 'created' : v.reason;
      if (!isStr(reason)) return 'bad reason';
      return {
        event: 'created', id, created_at: v.created_at, message: v.message, branch: v.branch, base: v.base,
        snapshot: v.snapshot, paths: v.paths, files: v.files, bytes: v.bytes, include_ignored: v.include_ignored,
        worktree: v.worktree, labels: v.labels, pinned: v.pinned, trigger, reason,
        ...(isStr(v.origin) ? { origin: v.origin } : {}),
      };
    }
    case 'transition': {
      if (!isState(v.from) || !isState(v.to)) return 'bad from or to';
      if (!isTrigger(v.trigger)) return 'bad trigger';
      if (!isStr(v.reason)) return 'bad reason';
      if (!isBool(v.forced)) return 'bad forced';
      const t: TransitionEvent = { event: 'transition', id, from: v.from, to: v.to, trigger: v.trigger, reason: v.reason, forced: v.forced };
      if (v.facts !== undefined) {
        const f = parseFacts(v.facts);
        if (typeof f === 'string') return f;
        t.facts = f;
      }
      return t;
    }
    case 'pin':
    case 'unpin':
      return { event: v.event, id };
    case 'facts': {
      const f = parseFacts(v.facts);
      if (typeof f === 'string') return f;
      return { event: 'facts', id, facts: f };
    }
    case 'drove':
      if (!isState(v.from) || !isState(v.to)) return 'bad from or to';
      if (!isTrigger(v.trigger)) return 'bad trigger';
      return { event: 'drove', id, from: v.from, to: v.to, trigger: v.trigger };
    default:
      return `unknown event ${JSON.stringify(v.event)}`;
  }
}

/**
 * Parse a note's text. Blank lines are ignored silently (`git notes append` separates paragraphs
 * with one); any other line that is not a well-formed event is skipped and reported, never fatal:
 * one damaged or newer-format line must not cost the whole backup's record. A note is a set of
 * lines (every writer merges as cat_sort_uniq does): a line seen again is the same event, read
 * once. git shows a note twice when its tree holds it at two paths (flat and fanned out), which
 * writes of older versions could leave (src/git/notes-write.ts).
 */
export function parseNoteLines(text: string): { events: TimedNoteEvent[]; skipped: SkippedLine[] } {
  const events: TimedNoteEvent[] = [];
  const skipped: SkippedLine[] = [];
  const seen = new Set<string>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '' || seen.has(line)) return;
    seen.add(line);
    const drove = DROVE_LINE.exec(line);
    if (drove) {
      const [, at, id, to, from, trigger] = drove as unknown as [string, string, string, string, string, string];
      if (isState(to) && isState(from) && isTrigger(trigger) && !Number.isNaN(Date.parse(at))) {
        events.push({ at, event: { event: 'drove', id, from, to, trigger } });
        return;
      }
    }
    const m = LINE.exec(line);
    if (!m) {
      skipped.push({ line: i + 1, text: line, why: NOT_AN_EVENT });
      return;
    }
    const at = m[1]!;
    if (Number.isNaN(Date.parse(at))) {
      skipped.push({ line: i + 1, text: line, why: 'invalid timestamp' });
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(m[2]!);
    } catch {
      skipped.push({ line: i + 1, text: line, why: 'invalid JSON' });
      return;
    }
    const ev = toEvent(value);
    if (typeof ev === 'string') skipped.push({ line: i + 1, text: line, why: ev });
    else events.push({ at, event: ev });
  });
  return { events, skipped };
}

/** What an event line starts with or holds, however its rest turned out: a date-time, a JSON object. */
const EVENT_LIKE = /^\s*\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|\{\s*"/;

/**
 * Whether a skipped line has not even the shape of an event line (`<timestamp> <json>`): text put
 * into a backup's note by hand (`git notes append -m ...`). `recover` moves such lines out of the
 * note. A line of that shape that does not read (bad JSON, an unknown event from a newer version)
 * is not one: it may be a damaged or a newer event, for a person to judge. Nor is a line that starts
 * with a date-time or holds a JSON object (an event with a trailing blank, a timestamp of another
 * precision, a newer version's layout): taken out, its event would be gone from the history.
 */
export function isStrayLine(s: SkippedLine): boolean {
  return s.why === NOT_AN_EVENT && !EVENT_LIKE.test(s.text);
}

/**
 * A note's text without the lines in `drop` (compared as parseNoteLines reports them, a trailing
 * CR aside): every other byte as it was, in its order.
 */
export function withoutLines(text: string, drop: ReadonlySet<string>): string {
  return text
    .split('\n')
    .filter((raw) => !drop.has(raw.endsWith('\r') ? raw.slice(0, -1) : raw))
    .join('\n');
}
