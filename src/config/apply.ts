// Validate-then-write for every command that changes configuration (set, unset, import, template,
// the wizard): the configuration as it WOULD be is parsed in full first, so a bad value, or a good
// value that breaks a rule between keys (disk thresholds), is refused with exit 3 and nothing is
// written.
import type { RepoPaths } from '../git/exec.js';
import { usageError } from '../errors.js';
import { findKey, fullName, suggestKey, type KeyDef } from '../core/config-keys.js';
import { parseEntries, withLocal, type ConfigEntry, type Evaluation } from '../core/config-parse.js';
import { readEntries, resolveArchiveDir } from './load.js';
import { writeLocal, type LocalChanges } from './write.js';

/** The key a user typed, or a usage error suggesting the closest one. */
export function requireKey(name: string): KeyDef {
  const k = findKey(name);
  if (k) return k;
  const hint = suggestKey(name);
  throw usageError(`unknown config key ${JSON.stringify(name)}; ${hint ? `did you mean ${hint}?` : 'see git backup config list'}`);
}

/** What the configuration would be after the changes; throws exit 3 if it would be invalid. */
export function simulate(repo: RepoPaths, entries: readonly ConfigEntry[], changes: LocalChanges): Evaluation {
  let next = [...entries];
  for (const [k, values] of changes) next = withLocal(next, k, values);
  const ev = parseEntries(next);
  if (ev.config.archiveDir !== null) resolveArchiveDir(ev.config.archiveDir, repo);
  return ev;
}

/** Validate the whole result, then write; answers the evaluation after the change. */
export async function applyChanges(repo: RepoPaths, changes: LocalChanges): Promise<Evaluation> {
  const entries = await readEntries(repo);
  const ev = simulate(repo, entries, changes);
  await writeLocal(repo, entries, changes);
  return ev;
}

/** `backup.x = v` lines for what was set (canonical text, as the config now reads it). */
export function describeChanges(changes: LocalChanges, ev: Evaluation): string[] {
  return [...changes.keys()].map((k) => {
    const shown = k.render(ev.config);
    return `${fullName(k)} = ${shown.length ? shown.join(', ') : '(unset)'}`;
  });
}
