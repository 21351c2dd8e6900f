// Parsers for the kinds of value a `backup.*` git config key holds (design.md §Configuration). Each takes the raw
// string git stored and answers the typed value, or null when the text is not of that kind; the
// caller (config-keys.ts) turns a null into an error naming the key. Formatters give back the
// canonical text, which every parser reads again to the same value (export/import rely on it).
import { formatDuration, parseDuration } from './duration.js';
import { compileGlob } from './glob.js';
import type { DiskStrategy } from './config.js';

export { parseDuration, formatDuration };

/** Whole numbers of 0 or more (keep rules). */
export function parseCount(text: string): number | null {
  const m = /^\s*(\d{1,9})\s*$/.exec(text);
  return m ? Number(m[1]) : null;
}

/** A fraction from 0 to 1 inclusive (confidence thresholds). */
export function parseRatio(text: string): number | null {
  const t = text.trim();
  if (!/^(\d+(\.\d+)?|\.\d+)$/.test(t)) return null;
  const n = Number(t);
  return n >= 0 && n <= 1 ? n : null;
}

/** Percent of a disk used: `85` or `85%`, decimals allowed, 0 to 100. */
export function parsePercent(text: string): number | null {
  const m = /^\s*(\d{1,3}(\.\d+)?)\s*%?\s*$/.exec(text);
  if (!m) return null;
  const n = Number(m[1]);
  return n <= 100 ? n : null;
}

export const formatPercent = (n: number): string => `${n}%`;

// Binary units, as git's own integer config (`core.bigFileThreshold=512m`) reads them: 1K = 1024.
const SIZE_UNIT: Readonly<Record<string, number>> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/**
 * A size in bytes: plain bytes (`1048576`), or a number and a binary unit K, M, G, T (any case,
 * optionally followed by `B` or `iB`: `500M`, `2GiB`, `1.5G`). `none` or `0`: no limit (null).
 * Answers undefined when the text is not a size (null is a valid answer).
 */
export function parseSize(text: string): number | null | undefined {
  const t = text.trim().toLowerCase();
  if (t === 'none' || t === '0') return null;
  const m = /^(\d{1,15}(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?$/.exec(t);
  if (!m) return undefined;
  const unit = m[2]!;
  // Fractions only with a unit: "1.5" bytes means nothing.
  if (m[1]!.includes('.') && unit === '') return undefined;
  const bytes = Math.round(Number(m[1]) * SIZE_UNIT[unit]!);
  if (!Number.isSafeInteger(bytes)) return undefined;
  return bytes === 0 ? null : bytes;
}

/** The largest binary unit that divides the size exactly: 500M, 2G, 1536K, or plain bytes. */
export function formatSize(bytes: number | null): string {
  if (bytes === null) return 'none';
  for (const u of ['t', 'g', 'm', 'k'] as const) {
    const size = SIZE_UNIT[u]!;
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${u.toUpperCase()}`;
  }
  return String(bytes);
}

/**
 * Booleans as git reads them (`git config --bool`): true/yes/on/1 and false/no/off/0, any case;
 * an empty value is false; a key written with no `=` at all (raw null) is true.
 */
export function parseBool(text: string | null): boolean | null {
  if (text === null) return true;
  const t = text.trim().toLowerCase();
  if (['true', 'yes', 'on', '1'].includes(t)) return true;
  if (['false', 'no', 'off', '0', ''].includes(t)) return false;
  return null;
}

export const STRATEGIES: readonly DiskStrategy[] = ['conservative', 'aggressive', 'nuclear'];

export function parseStrategy(text: string): DiskStrategy | null {
  const t = text.trim().toLowerCase();
  return (STRATEGIES as readonly string[]).includes(t) ? (t as DiskStrategy) : null;
}

/**
 * A branch name as git check-ref-format would take it, plus remote-tracking names (`origin/main`)
 * and full refs. Empty means "not set" (null): the automatic choice.
 */
export function parseBranch(text: string): string | null | undefined {
  const t = text.trim();
  if (t === '') return null;
  // What git check-ref-format(1) forbids: controls, space, ~^:?*[\, "..", "@{", "//", a leading
  // "-", "/" or ".", a trailing "/" or ".", ".lock" at the end, a component starting with ".".
  if (/[\x00-\x20\x7f~^:?*[\\]|\.\.|@\{|\/\/|^[-/.]|[/.]$|\.lock$|(^|\/)\./.test(t)) return undefined;
  return t;
}

/** A directory path; `~/` is expanded and relative paths resolved by the loader (it knows the repository). */
export function parsePath(text: string): string | null | undefined {
  const t = text.trim();
  if (t === '') return null;
  if (/[\x00\n\r]/.test(t)) return undefined;
  return t;
}

/** A shell command for alerts: anything non-empty (empty = none). */
export function parseCommand(text: string): string | null {
  const t = text.trim();
  return t === '' ? null : t;
}

/** An http or https URL; null for empty (none), undefined for anything else. */
export function parseUrl(text: string): string | null | undefined {
  const t = text.trim();
  if (t === '') return null;
  try {
    const u = new URL(t);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

/** A glob for `backup.sensitive` (see glob.ts for the syntax); null when it cannot match sanely. */
export function parseGlob(text: string): string | null {
  const t = text.trim();
  return compileGlob(t) === null ? null : t;
}

/**
 * A git remote for backup.remote: a remote's name (as `git remote add` takes it) or a URL / path git
 * can push to (`ssh://…`, `git://…`, `file://…`, `host:path`, `/srv/backups.git`). Null for empty
 * (none); undefined for whitespace, control characters or an option-looking value.
 */
export function parseRemote(text: string): string | null | undefined {
  const t = text.trim();
  if (t === '') return null;
  if (/[\x00-\x20\x7f]/.test(t) || t.startsWith('-')) return undefined;
  if (/[:/]/.test(t)) return t; // a URL or a path
  return /^[A-Za-z0-9._][A-Za-z0-9._-]*$/.test(t) && !t.includes('..') ? t : undefined;
}

/** A clone's name in other clones' lists (backup.cloneId): letters, digits, `.`, `_`, `-`, at most 64. */
export function parseCloneId(text: string): string | null | undefined {
  const t = text.trim();
  if (t === '') return null;
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(t) ? t : undefined;
}
