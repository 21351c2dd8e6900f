// Cleanup confidence (design.md §Triggers): how sure we are that a backup may go without losing work, in [0, 1].
// A weighted mean of five factors, each in [0, 1] with a one-line explanation, so `show` can say
// why. Pure: the content proof is made at the git edge (app/content.ts) and passed in.
// The formula and the reasons for each weight are in docs/policies.md.
import type { BackupRecord } from './types.js';
import { DAY_MS } from './duration.js';
import { describeProof, type ContentProof } from './content.js';

export type FactorName = 'integration' | 'containment' | 'age' | 'size' | 'access';

export interface Factor {
  name: FactorName;
  weight: number;
  /** In [0, 1]; 1 argues for cleaning up. */
  value: number;
  why: string;
}

export interface Confidence {
  /** Σ weight·value / Σ weight, rounded to 3 decimals (so thresholds compare exactly). */
  total: number;
  factors: Factor[];
}

/**
 * Weights sum to 1. Containment (is the content held elsewhere, path by path) is the strongest:
 * it is a proof about content, where integration is about the events the backup went through.
 */
export const WEIGHTS: Readonly<Record<FactorName, number>> = Object.freeze({
  integration: 0.2,
  containment: 0.4,
  age: 0.2,
  size: 0.1,
  access: 0.1,
});

const MIB = 1024 * 1024;
/** Age at which the age factor saturates. */
export const AGE_FULL_MS = 30 * DAY_MS;
/** Time since the last show/diff/restore after which access no longer argues for keeping. */
export const ACCESS_FULL_MS = 7 * DAY_MS;

/**
 * The content proof in the integration branch (core/content.ts); null: unknown (no integration
 * branch, or what it protects cannot be read any more) — counts half.
 */
export type Containment = ContentProof | null;

type Input = Pick<BackupRecord, 'state' | 'history' | 'created_at' | 'accessed_at' | 'bytes'>;

const clamp = (x: number) => Math.min(1, Math.max(0, x));
const days = (ms: number) => `${Math.floor(ms / DAY_MS)}d`;

/** Was the work ever confirmed in the integration branch (or committed, at least)? */
function integration(r: Input): Omit<Factor, 'weight' | 'name'> {
  const reached = new Set(r.history.map((e) => e.to));
  if (reached.has('CONFIRMED')) return { value: 1, why: 'the work reached the integration branch (CONFIRMED)' };
  if (reached.has('PENDING')) return { value: 0.3, why: 'committed on its branch but never confirmed in the integration branch' };
  return { value: 0, why: 'never committed: the work may exist only in this backup' };
}

function containment(c: Containment): Omit<Factor, 'weight' | 'name'> {
  if (c === null) return { value: 0.5, why: 'unknown (no integration branch, or what it protects cannot be read)' };
  if (c.unique.length === 0) return { value: 1, why: `nothing unique: ${describeProof(c)}` };
  // Unique content: at most half, however much of the rest is held.
  const share = c.files ? (c.files - c.unique.length) / c.files : 0;
  return { value: share / 2, why: `unique content: ${describeProof(c)}` };
}

export function confidenceOf(r: Input, now: Date, contained: Containment): Confidence {
  const age = Math.max(0, now.getTime() - Date.parse(r.created_at));
  // Size: up to 1 MiB counts fully; each doubling beyond costs a tenth; 1 GiB and more count 0.
  const sizeValue = r.bytes <= MIB ? 1 : clamp(1 - Math.log2(r.bytes / MIB) / 10);
  const since = r.accessed_at ? Math.max(0, now.getTime() - Date.parse(r.accessed_at)) : null;
  const parts: Record<FactorName, Omit<Factor, 'weight' | 'name'>> = {
    integration: integration(r),
    containment: containment(contained),
    age: { value: clamp(age / AGE_FULL_MS), why: `${days(age)} old (full weight at ${days(AGE_FULL_MS)})` },
    size: { value: sizeValue, why: `${r.bytes} bytes protected (large backups get more scrutiny)` },
    access:
      since === null
        ? { value: 1, why: 'never shown, diffed or restored' }
        : { value: clamp(since / ACCESS_FULL_MS), why: `last accessed ${days(since)} ago (no weight against after ${days(ACCESS_FULL_MS)})` },
  };
  const factors = (Object.keys(WEIGHTS) as FactorName[]).map((name) => ({
    name,
    weight: WEIGHTS[name],
    value: Math.round(parts[name].value * 1000) / 1000,
    why: parts[name].why,
  }));
  let sum = 0;
  for (const f of factors) sum += f.weight * f.value;
  return { total: Math.round(sum * 1000) / 1000, factors };
}
