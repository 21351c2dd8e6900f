// An independent oracle for the time policy, written from docs/policies.md and not from the code:
// given what each backup went through, which backups the keep rules protect and which moves the
// next evaluation makes. Used by the year simulation (test/core/policy-year.test.ts, a full year over
// the pure policies) and by its short end-to-end counterpart (test/cli/year.test.ts, real git and
// store, compressed retention).
export const DAY = 86_400_000;
export const H = 3_600_000;

export type Kind = 'main' | 'feature' | 'abandoned';

export interface Model {
  id: string;
  kind: Kind;
  created: number;
  state: string;
  /** When it entered its current state. */
  entered: number;
  pinned: boolean;
  everConfirmed: boolean;
  everPending: boolean;
  /** Every file it protects is in the integration branch's tip. */
  contained: boolean;
  mergeDay: number | null;
  branch: string;
}

export interface OracleConfig {
  /** Retention per state, in days. */
  retention: { CREATED: number; PENDING: number; CONFIRMED: number; CLEANABLE: number; ARCHIVED: number };
  keep: { last: number; daily: number; weekly: number };
  threshold: number;
}

/** ISO week as a string key (any injective labelling of weeks will do for bucketing). */
function isoWeek(t: number): string {
  const d = new Date(t);
  const dow = (d.getUTCDay() + 6) % 7;
  const thu = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) + (3 - dow) * DAY;
  const y = new Date(thu).getUTCFullYear();
  return `${y}:${Math.floor((thu - Date.UTC(y, 0, 1)) / DAY / 7)}`;
}

export function kept(models: Model[], cfg: OracleConfig): Set<string> {
  const live = models.filter((m) => m.state !== 'DELETED').sort((a, b) => b.created - a.created);
  const out = new Set<string>(live.filter((m) => m.pinned).map((m) => m.id));
  live.slice(0, cfg.keep.last).forEach((m) => out.add(m.id));
  const buckets: [(m: Model) => string, number][] = [
    [(m) => new Date(m.created).toISOString().slice(0, 10), cfg.keep.daily],
    [(m) => isoWeek(m.created), cfg.keep.weekly],
  ];
  for (const [key, n] of buckets) {
    const seen = new Set<string>();
    for (const m of live) {
      if (seen.size >= n) break;
      const k = key(m);
      if (!seen.has(k)) {
        seen.add(k);
        out.add(m.id);
      }
    }
  }
  return out;
}

/** Never accessed, small: integration 0.2, containment 0.4, age 0.2 (full at 30 days), size 0.1, access 0.1. */
export function confidence(m: Model, now: number): number {
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  const integ = m.everConfirmed ? 1 : m.everPending ? 0.3 : 0;
  const age = r3(Math.min(1, (now - m.created) / (30 * DAY)));
  // Containment (0.4): the content held in main's history; unique work scores 0. Integration 0.2.
  return r3(0.2 * integ + 0.4 * (m.contained ? 1 : 0) + 0.2 * age + 0.1 + 0.1);
}

export function predict(models: Model[], now: number, cfg: OracleConfig): { keep: Set<string>; moves: Map<string, string> } {
  const keep = kept(models, cfg);
  const moves = new Map<string, string>();
  for (const m of models) {
    if (keep.has(m.id) || m.state === 'DELETED') continue;
    const held = now - m.entered;
    const ret = cfg.retention[m.state as keyof OracleConfig['retention']] * DAY;
    if (held < ret) continue;
    if (m.state === 'CLEANABLE') {
      if (confidence(m, now) >= cfg.threshold) moves.set(m.id, 'ARCHIVED');
    } else moves.set(m.id, m.state === 'ARCHIVED' ? 'DELETED' : 'CLEANABLE');
  }
  return { keep, moves };
}

/**
 * The workload, the same for the simulation and the end-to-end run: a backup every other day at
 * 09:00 (+ a few minutes); 60% on main (committed at once, so confirmed that day; every 25th
 * pinned), 20% on a feature branch (committed, merged 2-6 days later; every 20th never merged),
 * 20% abandoned (never committed).
 */
export function workloadFor(i: number, day: number): { kind: Kind; branch: string; pin: boolean; mergeDay: number | null } {
  const kind: Kind = i % 10 < 6 ? 'main' : i % 10 < 8 ? 'feature' : 'abandoned';
  return {
    kind,
    branch: kind === 'main' ? 'main' : `${kind}-${i}`,
    pin: kind === 'main' && i % 25 === 0,
    mergeDay: kind === 'feature' && i % 20 !== 7 ? day + 2 + (i % 5) : null,
  };
}
