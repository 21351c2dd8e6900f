// From the `backup.*` entries git printed (every scope, in git's order) to a validated
// BackupConfig on top of the defaults. Pure: reading git and printing warnings are the caller's.
import { invalidError } from './errors.js';
import type { BackupConfig } from './config.js';
import { KEYS, defaultConfig, findKey, fullName, suggestKey, type KeyDef } from './config-keys.js';

/** One value as git reported it. `value` is null for a key written without `=`. */
export interface ConfigEntry {
  /** As git printed it: section and last part lowercased, the middle part as written. */
  key: string;
  value: string | null;
  /** system, global, local, worktree, command (git --show-scope); `default` for none. */
  scope: string;
  /** Where git read it (`file:.git/config`, `command line:`); empty when unknown. */
  origin: string;
}

/**
 * Whether a config file's text has an include (`[include]` or `[includeIf …]`): its target could
 * change unseen, so neither discovery (git/discover.ts) nor the kept answer (config/cache.ts) trusts it.
 */
export const hasIncludeSection = (text: string): boolean => /\[\s*include/i.test(text);

/** `--show-scope --show-origin -z` records: scope NUL origin NUL key [LF value] NUL. */
export function parseConfigOutput(out: string): ConfigEntry[] {
  const parts = out.split('\0');
  const entries: ConfigEntry[] = [];
  for (let i = 0; i + 2 < parts.length; i += 3) {
    const [scope, origin, kv] = [parts[i]!, parts[i + 1]!, parts[i + 2]!];
    const nl = kv.indexOf('\n');
    entries.push(nl < 0 ? { key: kv, value: null, scope, origin } : { key: kv.slice(0, nl), value: kv.slice(nl + 1), scope, origin });
  }
  return entries;
}

export interface ConfigProblem {
  /** Full canonical name, e.g. backup.disk.quota. */
  key: string;
  message: string;
}

export interface UnknownKey {
  entry: ConfigEntry;
  suggestion: string | null;
}

export interface Evaluation {
  config: BackupConfig;
  /** Every invalid value and inconsistency, in key order; empty when the config is usable. */
  problems: ConfigProblem[];
  unknown: UnknownKey[];
  /** Per known key, the entries that set it (the last one decides, or all for multi keys). */
  sources: Map<KeyDef, ConfigEntry[]>;
}

/** Evaluate everything and report every problem (for `config list`, which shows them all). */
export function evaluate(entries: readonly ConfigEntry[]): Evaluation {
  const config = defaultConfig();
  const sources = new Map<KeyDef, ConfigEntry[]>();
  const unknown: UnknownKey[] = [];
  for (const e of entries) {
    const k = findKey(e.key);
    if (!k) unknown.push({ entry: e, suggestion: suggestKey(e.key) });
    else sources.set(k, [...(sources.get(k) ?? []), e]);
  }
  const problems: ConfigProblem[] = [];
  for (const k of KEYS) {
    const es = sources.get(k);
    if (!es) continue;
    const error = k.apply(config, es.map((e) => e.value));
    if (error) problems.push({ key: fullName(k), message: `${fullName(k)}: ${error}${where(k.multi ? undefined : es[es.length - 1])}` });
  }
  if (problems.length === 0) problems.push(...consistency(config));
  return { config, problems, unknown, sources };
}

/** Evaluate and insist: the first problem is an exit-3 error naming the key and the value. */
export function parseEntries(entries: readonly ConfigEntry[]): Evaluation {
  const ev = evaluate(entries);
  const first = ev.problems[0];
  if (first) throw invalidError(first.message);
  return ev;
}

function where(e: ConfigEntry | undefined): string {
  return e && e.scope && e.scope !== 'local' ? ` (in the ${e.scope} config)` : '';
}

/** Rules between keys: the disk thresholds must rise. */
export function consistency(c: BackupConfig): ConfigProblem[] {
  const { warning, critical, emergency } = c.disk;
  if (warning > critical) return [{ key: 'backup.disk.warning', message: `backup.disk.warning: ${warning}% is above backup.disk.critical (${critical}%); the thresholds must rise: warning ≤ critical ≤ emergency` }];
  if (critical > emergency) return [{ key: 'backup.disk.critical', message: `backup.disk.critical: ${critical}% is above backup.disk.emergency (${emergency}%); the thresholds must rise: warning ≤ critical ≤ emergency` }];
  return [];
}

/** The one-line warning for a `backup.*` key we do not know (a typo, or a newer version's key). */
export function unknownWarning(u: UnknownKey): string {
  const hint = u.suggestion ? `did you mean ${u.suggestion}?` : 'see git backup config list for the known keys';
  return `warning: unknown config key ${u.entry.key}${where(u.entry)} is ignored; ${hint}`;
}

/**
 * The entries as they would be after replacing `key`'s local values with `values` (empty: unset).
 * New local values go after the last system/global/local entry, so worktree and command-line
 * entries still win as git would have them win.
 */
export function withLocal(entries: readonly ConfigEntry[], key: KeyDef, values: readonly string[]): ConfigEntry[] {
  const kept = entries.filter((e) => !(e.scope === 'local' && findKey(e.key) === key));
  let at = 0;
  kept.forEach((e, i) => {
    if (e.scope === 'system' || e.scope === 'global' || e.scope === 'local') at = i + 1;
  });
  const added = values.map((value) => ({ key: fullName(key).toLowerCase(), value, scope: 'local', origin: 'file:.git/config' }));
  return [...kept.slice(0, at), ...added, ...kept.slice(at)];
}
