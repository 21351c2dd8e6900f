// Hook events: the lines the shell hooks append to <git-common-dir>/backup/events.log (design.md §Storage, §Triggers).
//
// One event per line, fields separated by TAB, so one O_APPEND write from the hook is one event:
//
//   gb1 TAB epoch-or-empty TAB hook TAB head TAB branch TAB data [TAB arg]...
//
// - `gb1` is the format version: a drain skips (and logs) lines of a version it does not know.
// - `head` is the commit HEAD named when the hook ran ('' on an unborn branch); `branch` the short
//   branch name ('' when detached).
// - `data` is the hook's stdin: `-` when the hook reads none, `=TEXT` inline, or `@NAME` when it was
//   too big for one atomic line and went to the file NAME in the store directory.
// - TEXT and every arg are escaped: `\\` for a backslash, `\t` for TAB, `\n` for LF, so the line
//   stays one line whatever the arguments hold.
//
// Pure: no I/O. The shell side of the same format is templates/hook-block.sh.

import { isObjectId } from './ids.js';

export const EVENT_VERSION = 'gb1';

export const HOOK_NAMES = ['post-commit', 'post-merge', 'post-rewrite', 'pre-push', 'pre-rebase'] as const;
export type HookName = (typeof HOOK_NAMES)[number];

/** Hooks that git feeds on stdin, which the event carries. */
export const STDIN_HOOKS: readonly HookName[] = ['post-rewrite', 'pre-push'];

export type EventData = { kind: 'none' } | { kind: 'inline'; text: string } | { kind: 'file'; name: string };

export interface HookEvent {
  /**
   * Seconds since the epoch when the hook ran; null when the hook's fork-free fast path recorded
   * none (the time costs a process in POSIX sh, and nothing downstream needs it).
   */
  time: number | null;
  hook: HookName;
  head: string | null;
  branch: string | null;
  data: EventData;
  args: string[];
}

export function escapeField(s: string): string {
  return s.replace(/[\\\t\n]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : '\\n'));
}

/** Inverse of escapeField; an unknown escape keeps its character (so `\r` reads as `r`, never fails). */
export function unescapeField(s: string): string {
  return s.replace(/\\(.)/gs, (_, c: string) => (c === 't' ? '\t' : c === 'n' ? '\n' : c));
}

export function formatEventLine(e: HookEvent): string {
  const data = e.data.kind === 'none' ? '-' : e.data.kind === 'inline' ? `=${escapeField(e.data.text)}` : `@${e.data.name}`;
  const fields = [EVENT_VERSION, e.time === null ? '' : String(e.time), e.hook, e.head ?? '', e.branch ?? '', data, ...e.args.map(escapeField)];
  return fields.join('\t') + '\n';
}

export type ParsedLine = { ok: true; event: HookEvent } | { ok: false; reason: string };

/** A stdin file name the hook made: no path separators, so a drain never reads outside the store. */
const DATA_FILE = /^events\.[0-9A-Za-z.-]+\.stdin$/;

/** Parse one line (without its trailing newline). Anything malformed is a reason, never a throw. */
export function parseEventLine(line: string): ParsedLine {
  const f = line.split('\t');
  if (f[0] !== EVENT_VERSION) return { ok: false, reason: `unknown event format ${JSON.stringify(f[0]?.slice(0, 12) ?? '')}` };
  if (f.length < 6) return { ok: false, reason: `an event needs at least 6 fields, this has ${f.length}` };
  const [, time, hook, head, branch, data] = f as [string, string, string, string, string, string];
  if (!/^\d{0,12}$/.test(time)) return { ok: false, reason: `bad event time ${JSON.stringify(time)}` };
  if (!(HOOK_NAMES as readonly string[]).includes(hook)) return { ok: false, reason: `unknown hook ${JSON.stringify(hook)}` };
  if (head !== '' && !isObjectId(head)) return { ok: false, reason: `bad HEAD ${JSON.stringify(head)}` };
  let parsedData: EventData;
  if (data === '-') parsedData = { kind: 'none' };
  else if (data.startsWith('=')) parsedData = { kind: 'inline', text: unescapeField(data.slice(1)) };
  else if (data.startsWith('@') && DATA_FILE.test(data.slice(1))) parsedData = { kind: 'file', name: data.slice(1) };
  else return { ok: false, reason: `bad stdin field ${JSON.stringify(data.slice(0, 40))}` };
  return {
    ok: true,
    event: {
      time: time === '' ? null : Number(time),
      hook: hook as HookName,
      head: head === '' ? null : head,
      branch: branch === '' ? null : unescapeField(branch),
      data: parsedData,
      args: f.slice(6).map(unescapeField),
    },
  };
}

/**
 * The complete lines in a chunk of events.log read from some offset: a line still being written
 * (no newline yet) is left for the next drain. `consumed` is how many bytes the lines took.
 */
export function completeLines(chunk: Buffer): { lines: string[]; consumed: number } {
  const end = chunk.lastIndexOf(0x0a) + 1;
  if (end === 0) return { lines: [], consumed: 0 };
  const lines = chunk.subarray(0, end - 1).toString('utf8').split('\n');
  return { lines, consumed: end };
}

/** `old new` pairs from post-rewrite's stdin (`<old> SP <new> [SP <extra>] LF`). */
export function parseRewritePairs(stdin: string): [string, string][] {
  const pairs: [string, string][] = [];
  for (const line of stdin.split('\n')) {
    const [from, to] = line.trim().split(/\s+/);
    if (from && to && isObjectId(from) && isObjectId(to)) pairs.push([from, to]);
  }
  return pairs;
}
