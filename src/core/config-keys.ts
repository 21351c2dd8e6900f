// Every `backup.*` git config key (design.md §Configuration): its kind, how its text becomes a typed BackupConfig
// field and back, and what it does. Pure: config/load.ts feeds it the entries git printed.
import { DEFAULT_CONFIG, type BackupConfig, type RetainedState } from './config.js';
import * as v from './config-values.js';

export type KeyKind = 'duration' | 'count' | 'ratio' | 'percent' | 'size' | 'strategy' | 'bool' | 'branch' | 'path' | 'glob' | 'command' | 'url' | 'remote' | 'name';

/** One key, its types erased: everything works on the key's raw git values and a config. */
export interface KeyDef {
  /** Canonical name without `backup.`: `retention.created`, `autoCleanupConfidence`. */
  name: string;
  kind: KeyKind;
  /** Several values (`git config --add`); every other key: the last value wins, as in git. */
  multi: boolean;
  describe: string;
  /** Parse the raw values (null: written without `=`) into `config`; a string is the error's tail. */
  apply(config: BackupConfig, raws: readonly (string | null)[]): string | null;
  /** The canonical text of the value in `config` (one line per value for multi keys). */
  render(config: BackupConfig): string[];
  /** The typed value, for --json. */
  value(config: BackupConfig): unknown;
}

/** What each kind is called in an error, and an example of a good value. */
export const KIND_HINT: Record<KeyKind, { what: string; example: string }> = {
  duration: { what: 'a duration', example: 'write a whole number and a unit: 90m, 36h, 14d or 2w' },
  count: { what: 'a whole number of 0 or more', example: 'write e.g. 5' },
  ratio: { what: 'a number from 0 to 1', example: 'write e.g. 0.8' },
  percent: { what: 'a percent from 0 to 100', example: 'write e.g. 85 or 85%' },
  size: { what: 'a size', example: 'write e.g. 500M or 2G (binary units: 1K = 1024 bytes), or none' },
  strategy: { what: 'a disk strategy', example: 'write conservative, aggressive or nuclear' },
  bool: { what: 'a boolean', example: 'write true or false (also yes/no, on/off, 1/0)' },
  branch: { what: 'a branch name', example: 'write e.g. main or origin/main' },
  path: { what: 'a path', example: 'write a directory, absolute, ~/..., or relative to the top of the main working tree' },
  glob: { what: 'a glob', example: 'write e.g. *.pem, .env or config/secrets/**' },
  command: { what: 'a command', example: 'write a shell command' },
  url: { what: 'an http(s) URL', example: 'write it like https://hooks.example.com/backup' },
  remote: { what: 'a git remote', example: 'write a remote name (backup) or a URL git can push to (ssh://host/srv/repo.git, /mnt/nas/repo.git)' },
  name: { what: 'a clone name', example: 'write letters, digits, ".", "_" or "-" (at most 64), e.g. laptop-work' },
};

type Parse<T> = (raw: string) => T | null | undefined;

/** Build a KeyDef from a typed getter/setter; `undefined` from parse means "invalid". */
function key<T>(name: string, kind: KeyKind, describe: string, parse: Parse<T>, format: (t: T) => string, get: (c: BackupConfig) => T, set: (c: BackupConfig, t: T) => void, nullable = false): KeyDef {
  return {
    name,
    kind,
    multi: false,
    describe,
    apply(config, raws) {
      const raw = raws[raws.length - 1];
      if (raw === undefined) return null;
      if (raw === null) return 'has no value (write "= VALUE")';
      const t = parse(raw);
      if (t === undefined || (t === null && !nullable)) return `${JSON.stringify(raw)} is not ${KIND_HINT[kind].what}; ${KIND_HINT[kind].example}`;
      set(config, t as T);
      return null;
    },
    render: (c) => [format(get(c))],
    value: (c) => get(c),
  };
}

const text = (t: string | null) => t ?? '';
const orUndef = <T>(f: (s: string) => T | null) => (s: string): T | undefined => f(s) ?? undefined;

const RETAINED: RetainedState[] = ['CREATED', 'PENDING', 'CONFIRMED', 'CLEANABLE', 'ARCHIVED'];
const RETENTION_WHAT: Record<RetainedState, string> = {
  CREATED: 'a CREATED backup (work in no commit yet) becomes CLEANABLE',
  PENDING: 'a PENDING backup (committed, not integrated) becomes CLEANABLE',
  CONFIRMED: 'a CONFIRMED backup (work in the integration branch) becomes CLEANABLE',
  CLEANABLE: 'a CLEANABLE backup is archived (if confident enough)',
  ARCHIVED: 'an ARCHIVED backup is deleted',
};

export const KEYS: readonly KeyDef[] = [
  key('integrationBranch', 'branch', 'the branch whose history confirms work (default: the remote\'s HEAD branch, else main, else master)', v.parseBranch, text, (c) => c.integrationBranch, (c, t) => (c.integrationBranch = t), true),
  ...RETAINED.map((s) =>
    key(`retention.${s.toLowerCase()}`, 'duration', `how long until ${RETENTION_WHAT[s]}`, orUndef(v.parseDuration), v.formatDuration, (c) => c.retention[s], (c, t) => (c.retention[s] = t)),
  ),
  ...(['last', 'daily', 'weekly'] as const).map((k) =>
    key(`keep.${k}`, 'count', k === 'last' ? 'the newest N backups are never cleaned up automatically' : `keep the newest backup of each of the last N ${k === 'daily' ? 'days' : 'weeks'}`, orUndef(v.parseCount), String, (c) => c.keep[k], (c, t) => (c.keep[k] = t)),
  ),
  key('autoCleanupConfidence', 'ratio', 'CLEANABLE → ARCHIVED happens automatically only at or above this confidence', orUndef(v.parseRatio), String, (c) => c.autoCleanupConfidence, (c, t) => (c.autoCleanupConfidence = t)),
  ...(['warning', 'critical', 'emergency'] as const).map((k) =>
    key(`disk.${k}`, 'percent', `used space of the store's filesystem at which the disk policy turns ${k}`, orUndef(v.parsePercent), v.formatPercent, (c) => c.disk[k], (c, t) => (c.disk[k] = t)),
  ),
  key('disk.quota', 'size', 'bytes the backups may hold exclusively; none = no quota', v.parseSize, v.formatSize, (c) => c.disk.quota, (c, t) => (c.disk.quota = t), true),
  key('disk.strategy', 'strategy', 'how far the disk policy goes: conservative (high confidence only), aggressive, nuclear', orUndef(v.parseStrategy), String, (c) => c.disk.strategy, (c, t) => (c.disk.strategy = t)),
  key('check.interval', 'duration', 'the hook drain runs the time and disk checks at most this often', orUndef(v.parseDuration), v.formatDuration, (c) => c.check.interval, (c, t) => (c.check.interval = t)),
  key('archiveDir', 'path', 'where archives go (default <git-common-dir>/backup/archive)', v.parsePath, text, (c) => c.archiveDir, (c, t) => (c.archiveDir = t), true),
  sensitiveKey(),
  key('alert.command', 'command', 'a shell command run with one JSON document on stdin on alerts', v.parseCommand, text, (c) => c.alertCommand, (c, t) => (c.alertCommand = t), true),
  key('alert.webhook', 'url', 'an http(s) URL the alert JSON is POSTed to (10 s time limit)', v.parseUrl, text, (c) => c.alertWebhook, (c, t) => (c.alertWebhook = t), true),
  key('remote', 'remote', 'where `git backup push` (and the drain) send backups: a remote name or URL; none = nothing leaves the machine', v.parseRemote, text, (c) => c.remote.name, (c, t) => (c.remote.name = t), true),
  key('remote.interval', 'duration', 'the hook drain pushes to backup.remote at most this often', orUndef(v.parseDuration), v.formatDuration, (c) => c.remote.interval, (c, t) => (c.remote.interval = t)),
  key('remote.timeout', 'duration', 'a git push, fetch or ls-remote to the backup remote (or sync\'s) that takes longer is stopped and counts as failed; 0s = no limit', orUndef(v.parseDuration), v.formatDuration, (c) => c.remote.timeout, (c, t) => (c.remote.timeout = t)),
  key('remote.includeSensitive', 'bool', 'also push backups holding ignored files or backup.sensitive paths', v.parseBool, String, (c) => c.remote.includeSensitive, (c, t) => (c.remote.includeSensitive = t)),
  key('copies', 'count', 'verified remote copies a backup with unique content needs before automatic local deletion; 0 = off', orUndef(v.parseCount), String, (c) => c.copies, (c, t) => (c.copies = t)),
  key('cloneId', 'name', "this clone's name in other clones' lists (default <host>-<4 hex>, kept in the store)", v.parseCloneId, text, (c) => c.cloneId, (c, t) => (c.cloneId = t), true),
  key('hooks.preRebase', 'bool', 'take an automatic backup before every rebase', v.parseBool, String, (c) => c.hooks.preRebase, (c, t) => (c.hooks.preRebase = t)),
];

/** The one multi-valued key: every value counts; an empty value clears the ones before it. */
function sensitiveKey(): KeyDef {
  return {
    name: 'sensitive',
    kind: 'glob',
    multi: true,
    describe: 'globs (repeatable) whose content is overwritten before an archive holding it is removed',
    apply(config, raws) {
      const globs: string[] = [];
      for (const raw of raws) {
        if (raw === null) return 'has no value (write "= GLOB")';
        if (raw.trim() === '') {
          globs.length = 0; // git's convention for multi-valued keys: an empty value resets the list
          continue;
        }
        if (v.parseGlob(raw) === null) return `${JSON.stringify(raw)} is not ${KIND_HINT.glob.what}; ${KIND_HINT.glob.example}`;
        globs.push(raw.trim());
      }
      if (raws.length) config.sensitive = globs;
      return null;
    },
    render: (c) => [...c.sensitive],
    value: (c) => [...c.sensitive],
  };
}

const BY_LOWER = new Map(KEYS.map((k) => [k.name.toLowerCase(), k]));

/**
 * The key a user or git named: with or without `backup.`, any case. git lowercases the section and
 * the last part (`backup.autocleanupconfidence`); we also ignore the case of the middle part,
 * which git keeps, so `backup.Retention.created` means what it says.
 */
export function findKey(name: string): KeyDef | undefined {
  const n = name.trim().toLowerCase();
  return BY_LOWER.get(n.startsWith('backup.') ? n.slice('backup.'.length) : n);
}

export const fullName = (k: KeyDef): string => `backup.${k.name}`;

/** The known key closest to a misspelt one, if any is close enough to be a likely typo. */
export function suggestKey(name: string): string | null {
  const n = name.toLowerCase().replace(/^backup\./, '');
  let best: { key: KeyDef; d: number } | null = null;
  for (const k of KEYS) {
    const d = editDistance(n, k.name.toLowerCase());
    if (!best || d < best.d) best = { key: k, d };
  }
  return best && best.d <= Math.max(2, Math.floor(n.length / 4)) ? fullName(best.key) : null;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

export function cloneConfig(c: BackupConfig): BackupConfig {
  return structuredClone(c);
}

export const defaultConfig = (): BackupConfig => cloneConfig(DEFAULT_CONFIG);

/** Whether a key's value in `config` equals its default (config export writes only the others). */
export function isDefaultValue(k: KeyDef, config: BackupConfig): boolean {
  return JSON.stringify(k.render(config)) === JSON.stringify(k.render(defaultConfig()));
}
