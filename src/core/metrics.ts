// `status --prometheus`: the store's numbers in Prometheus' text exposition format (version 0.0.4),
// for node_exporter's textfile collector or any scraper. Pure: the command gathers the numbers, this
// renders them, and counts transitions as the one write path applies them.
import { BACKUP_STATES, TRIGGERS, type BackupState, type RunStamp, type StoreStats } from './types.js';

export interface MetricsInput {
  /** Backups per state (DELETED: tombstones, cold ones included). */
  states: Record<BackupState, number>;
  /** Protected content per live state, bytes. */
  bytes: Partial<Record<BackupState, number>>;
  /** Bytes the archives take on disk. */
  archiveBytes: number;
  pinned: number;
  /** Hook events recorded but not applied yet. */
  eventsWaiting: number;
  /** The index on disk is damaged or missing (shown from refs and notes). */
  degraded: boolean;
  stats: StoreStats;
}

export const TRANSITION_RESULTS = ['applied', 'failed'] as const;
export type TransitionResult = (typeof TRANSITION_RESULTS)[number];

/** The stats with `n` more transitions by `trigger` ending in `result` (a new object; the counter only grows). */
export function countTransitions(stats: StoreStats | undefined, trigger: string, result: TransitionResult, n: number): StoreStats {
  const transitions = { ...stats?.transitions };
  if (n > 0) transitions[`${trigger}:${result}`] = (transitions[`${trigger}:${result}`] ?? 0) + n;
  return { ...stats, transitions };
}

/** A label value as the format wants it: backslash, double quote and newline escaped. */
function labelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

type Labels = Record<string, string>;

interface Family {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  samples: { labels: Labels; value: number }[];
}

function renderFamily(f: Family): string {
  const lines = [`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`];
  for (const s of f.samples) {
    const l = Object.entries(s.labels);
    lines.push(`${f.name}${l.length ? `{${l.map(([k, v]) => `${k}="${labelValue(v)}"`).join(',')}}` : ''} ${Number.isFinite(s.value) ? s.value : 0}`);
  }
  return lines.join('\n');
}

const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

function runSamples(runs: [string, RunStamp | undefined][], value: (r: RunStamp) => number): { labels: Labels; value: number }[] {
  return runs.filter((r): r is [string, RunStamp] => r[1] !== undefined).map(([job, r]) => ({ labels: { job }, value: value(r) }));
}

/**
 * The exposition text: every family with its HELP and TYPE once, every state and trigger present
 * (zero included, so a rate or an absence alert has a series to look at), ending in a newline.
 */
export function renderPrometheus(m: MetricsInput): string {
  const runs: [string, RunStamp | undefined][] = [
    ['drain', m.stats.drain],
    ['tick', m.stats.tick],
  ];
  const live = BACKUP_STATES.filter((s) => s !== 'DELETED');
  const families: Family[] = [
    {
      name: 'git_backup_backups',
      help: 'Backups per lifecycle state (DELETED: tombstones kept).',
      type: 'gauge',
      samples: BACKUP_STATES.map((state) => ({ labels: { state }, value: m.states[state] ?? 0 })),
    },
    {
      name: 'git_backup_protected_bytes',
      help: 'Bytes of protected content per live state.',
      type: 'gauge',
      samples: live.map((state) => ({ labels: { state }, value: m.bytes[state] ?? 0 })),
    },
    { name: 'git_backup_archive_bytes', help: 'Bytes the archives of ARCHIVED backups take on disk.', type: 'gauge', samples: [{ labels: {}, value: m.archiveBytes }] },
    { name: 'git_backup_pinned', help: 'Live backups protected from automatic cleanup.', type: 'gauge', samples: [{ labels: {}, value: m.pinned }] },
    { name: 'git_backup_hook_events_waiting', help: 'Hook events recorded but not applied yet.', type: 'gauge', samples: [{ labels: {}, value: m.eventsWaiting }] },
    { name: 'git_backup_index_degraded', help: '1 when db.json is damaged or missing and the state is read from refs and notes.', type: 'gauge', samples: [{ labels: {}, value: m.degraded ? 1 : 0 }] },
    {
      name: 'git_backup_last_run_timestamp_seconds',
      help: 'When the last hook drain (that applied events) or policy evaluation ended, Unix time.',
      type: 'gauge',
      samples: runSamples(runs, (r) => seconds(r.at)),
    },
    {
      name: 'git_backup_last_run_success',
      help: '1 when the last hook drain or policy evaluation succeeded (a tick with a refused move counts as failed), else 0.',
      type: 'gauge',
      samples: runSamples(runs, (r) => (r.ok ? 1 : 0)),
    },
    {
      name: 'git_backup_transitions_total',
      help: 'Lifecycle transitions by trigger and result (applied, or failed: an automatic move refused when applied).',
      type: 'counter',
      samples: TRIGGERS.flatMap((trigger) => TRANSITION_RESULTS.map((result) => ({ labels: { trigger, result }, value: m.stats.transitions?.[`${trigger}:${result}`] ?? 0 }))),
    },
  ];
  return families.map(renderFamily).join('\n') + '\n';
}
