// The configuration the policies run on (design.md §Configuration), as plain typed data. Parsing and validating git
// config values into it is done elsewhere; this file only says what there is and the defaults.
import type { BackupState } from './types.js';
import { DAY_MS } from './duration.js';

export type DiskStrategy = 'conservative' | 'aggressive' | 'nuclear';

/** States that the time policy moves on when they have been held for `retention[state]`. */
export type RetainedState = Exclude<BackupState, 'DELETED'>;

export interface BackupConfig {
  /** null: the remote's HEAD branch, else main, else master. */
  integrationBranch: string | null;
  /** How long a backup may stay in a state before the time policy moves it on (ms). */
  retention: Record<RetainedState, number>;
  keep: { last: number; daily: number; weekly: number };
  /** CLEANABLE → ARCHIVED happens automatically only at or above this confidence (0..1). */
  autoCleanupConfidence: number;
  disk: {
    /** Percent of the store's filesystem used. */
    warning: number;
    critical: number;
    emergency: number;
    /** Bytes the backups may hold exclusively; null for no quota. */
    quota: number | null;
    strategy: DiskStrategy;
  };
  check: { interval: number };
  /** null: <git-common-dir>/backup/archive. */
  archiveDir: string | null;
  /** Globs whose content is overwritten before an archive holding it is removed. */
  sensitive: string[];
  /** A command run with one JSON document on stdin on alerts; null for none. */
  alertCommand: string | null;
  /** backup.alert.webhook: where the alert JSON is POSTed; null for none. */
  alertWebhook: string | null;
  hooks: { preRebase: boolean };
  /**
   * The backup remote (docs/remote.md): name or URL (null: nothing is pushed), push interval of the
   * drain, how long one git process talking to it may take, whether sensitive backups go too.
   */
  remote: { name: string | null; interval: number; timeout: number; includeSensitive: boolean };
  /** Verified remote copies needed before a backup with unique content may be deleted by a policy (0: off). */
  copies: number;
  /** This clone's name as other clones see it; null: <host>-<4 hex> kept in the store. */
  cloneId: string | null;
}


export const DEFAULT_CONFIG: BackupConfig = {
  integrationBranch: null,
  // CREATED and PENDING hold work that is not integrated yet: they wait long before becoming CLEANABLE.
  retention: { CREATED: 30 * DAY_MS, PENDING: 60 * DAY_MS, CONFIRMED: 7 * DAY_MS, CLEANABLE: 7 * DAY_MS, ARCHIVED: 90 * DAY_MS },
  keep: { last: 5, daily: 7, weekly: 4 },
  autoCleanupConfidence: 0.8,
  disk: { warning: 80, critical: 90, emergency: 95, quota: null, strategy: 'conservative' },
  check: { interval: 60 * 60_000 },
  archiveDir: null,
  sensitive: [],
  alertCommand: null,
  alertWebhook: null,
  hooks: { preRebase: false },
  remote: { name: null, interval: 60 * 60_000, timeout: 10 * 60_000, includeSensitive: false },
  copies: 0,
  cloneId: null,
};
