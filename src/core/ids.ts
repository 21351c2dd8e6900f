// Backup ids (design.md §Storage): `YYYYMMDD-HHMMSS-xxxx` — the UTC creation time to the second, then 4 or
// more lowercase hex digits of the snapshot commit's sha. Any unique prefix of 8+ characters is
// accepted where an id is; anything else is a usage error (exit 2) that changes nothing.

import { BackupError, ExitCode, notFoundError, usageError } from './errors.js';

/** A full object name, SHA-1 (40 hex digits) or SHA-256 (64), as git prints it. */
export const isObjectId = (s: string): boolean => /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(s);

export const MIN_HEX = 4;
/** Whether `s` is named like a backup (a full id, not a prefix): what a ref under refs/backups/ must be to be ours. */
export const isBackupId = (s: string): boolean => /^\d{8}-\d{6}-[0-9a-f]{4,64}$/.test(s);
/** Shortest prefix accepted for an id argument (design.md §Storage): the date part. */
export const MIN_PREFIX = 8;
/** Length of `YYYYMMDD-HHMMSS-`. */
export const STAMP_LENGTH = 16;
/** A SHA-256 object name is 64 hex digits; no id can be longer than the stamp plus that. */
export const MAX_ID_LENGTH = STAMP_LENGTH + 64;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The `YYYYMMDD-HHMMSS-` part, in UTC so ids do not depend on where they were made. */
function stamp(createdAt: Date): string {
  if (Number.isNaN(createdAt.getTime())) throw new Error('formatId: invalid date');
  const y = createdAt.getUTCFullYear();
  if (y < 0 || y > 9999) throw new Error(`formatId: year ${y} does not fit an id`);
  return (
    `${pad(y, 4)}${pad(createdAt.getUTCMonth() + 1)}${pad(createdAt.getUTCDate())}-` +
    `${pad(createdAt.getUTCHours())}${pad(createdAt.getUTCMinutes())}${pad(createdAt.getUTCSeconds())}-`
  );
}

function checkSha(sha: string): string {
  const s = sha.toLowerCase();
  if (!/^[0-9a-f]{40}$|^[0-9a-f]{64}$/.test(s)) throw new Error(`not an object name: ${JSON.stringify(sha)}`);
  return s;
}

export function formatId(createdAt: Date, sha: string, hexLength = MIN_HEX): string {
  const hex = checkSha(sha);
  if (!Number.isInteger(hexLength) || hexLength < MIN_HEX || hexLength > hex.length) {
    throw new Error(`formatId: hex length ${hexLength} out of range`);
  }
  return stamp(createdAt) + hex.slice(0, hexLength);
}

/**
 * The shortest id (4 hex digits or more) that is free.
 *
 * With a set of existing ids, a candidate is free when it is not an existing id and not a prefix of
 * one, so that the new id is never ambiguous as a prefix either. The converse (an existing id is a
 * prefix of the candidate: old `…-abcd`, new snapshot `abcd12…`) cannot be avoided by growing and
 * does no harm, because an exact match always wins in resolveId().
 *
 * With a predicate, `taken(candidate)` answers that question itself (for a store that can look
 * candidates up without listing every id).
 */
export function chooseId(
  createdAt: Date,
  sha: string,
  existing: ReadonlySet<string> | ((id: string) => boolean),
): string {
  const hex = checkSha(sha);
  const taken = typeof existing === 'function' ? existing : takenIn(existing, stamp(createdAt));
  for (let n = MIN_HEX; n <= hex.length; n++) {
    const candidate = formatId(createdAt, hex, n);
    if (!taken(candidate)) return candidate;
  }
  // Only reachable if the same snapshot was recorded twice at the same second; the snapshot's
  // random nonce (design.md §Storage) rules that out, so this is a bug, not a user error.
  throw new Error(`no free id for snapshot ${hex}: it is already recorded`);
}

function takenIn(ids: ReadonlySet<string>, prefix: string): (candidate: string) => boolean {
  // Only ids made in the same second can clash, so look at those alone.
  const sameSecond = [...ids].filter((id) => id.startsWith(prefix));
  return (candidate) => sameSecond.some((id) => id.startsWith(candidate));
}

/**
 * Every prefix, of length 8 or more, of something shaped like an id: the date, then optionally
 * `-`, up to six time digits, and only after all six, `-` and lowercase hex.
 */
const ID_PREFIX = /^\d{8}(?:-(?:\d{0,5}|\d{6}(?:-[0-9a-f]{0,64})?))?$/;

/** Throws BackupError USAGE (exit 2) unless `input` could be an id or an id prefix of 8+ characters. */
export function validateIdArgument(input: string): void {
  // JSON.stringify keeps a newline or NUL in the input from breaking the one-line message.
  const shown = JSON.stringify(input.length > 100 ? input.slice(0, 100) + '…' : input);
  const expect = 'ids look like 20261121-202707-3fa9 (UTC time, then lowercase hex); give a full id or a unique prefix of 8 or more characters';
  if (input.length < MIN_PREFIX) {
    throw usageError(`backup id ${shown} is too short: ${expect}`);
  }
  if (input.length > MAX_ID_LENGTH || !ID_PREFIX.test(input)) {
    throw usageError(`${shown} is not a backup id: ${expect}`);
  }
}

/**
 * The one id `input` names: an exact match wins (so every full id resolves, even one that is a
 * prefix of another); otherwise a unique prefix. Ambiguous is a usage error (2): the user has to
 * type more. No match is not found (4).
 */
export function resolveId(input: string, ids: readonly string[]): string {
  validateIdArgument(input);
  if (ids.includes(input)) return input;
  const matches = ids.filter((id) => id.startsWith(input));
  if (matches.length === 1) return matches[0]!;
  const shown = JSON.stringify(input);
  if (matches.length === 0) throw notFoundError(`no backup ${shown}; see git backup list`);
  const sorted = [...new Set(matches)].sort();
  if (sorted.length === 1) return sorted[0]!;
  const SHOW = 3;
  const more = sorted.length > SHOW ? ` (and ${sorted.length - SHOW} more)` : '';
  throw new BackupError(
    ExitCode.USAGE,
    `ambiguous id prefix ${shown} matches ${sorted.slice(0, SHOW).join(', ')}${more}; give more characters`,
  );
}
