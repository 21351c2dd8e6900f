// Durations as people write them in config and on the command line: a whole number and one unit,
// `90m`, `36h`, `14d`, `2w` (also `30s` for tests). No months or years: their length varies.
import { usageError } from './errors.js';

/** One day in milliseconds: policies count in days of 24 hours (UTC, no daylight-saving jumps). */
export const DAY_MS = 86_400_000;

const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: DAY_MS, w: 7 * DAY_MS };

/** Milliseconds, or null when `text` is not a duration. */
export function parseDuration(text: string): number | null {
  const m = /^(\d{1,9})([smhdw])$/.exec(text.trim());
  if (!m) return null;
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}

/** parseDuration for user input: a usage error naming where the value came from. */
export function requireDuration(text: string, where: string): number {
  const ms = parseDuration(text);
  if (ms === null) throw usageError(`${where}: ${JSON.stringify(text)} is not a duration; write a whole number and a unit, like 90m, 36h, 14d or 2w`);
  return ms;
}

/** The shortest faithful rendering: 14d rather than 336h. */
export function formatDuration(ms: number): string {
  for (const u of ['w', 'd', 'h', 'm'] as const) {
    const size = UNIT_MS[u]!;
    if (ms >= size && ms % size === 0) return `${ms / size}${u}`;
  }
  return `${Math.round(ms / 1000)}s`;
}
