// `git backup config export [FILE] | import FILE | template NAME`: configuration as a file, and
// named presets. Export writes git-config syntax (see core/config-file.ts); import takes that or
// the JSON of `export --json`, validates every value and the result as a whole, then writes all
// of it or nothing.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { invalidError, notFoundError, usageError } from '../errors.js';
import { KEYS, findKey, fullName, isDefaultValue, suggestKey } from '../core/config-keys.js';
import { parseEntries, type ConfigEntry } from '../core/config-parse.js';
import { entriesFromJson, looksLikeJson, toGitConfigText } from '../core/config-file.js';
import { TEMPLATES, TEMPLATE_NAMES, type TemplateName } from '../core/config-templates.js';
import { readEntries, readImportEntries } from '../config/load.js';
import { applyChanges, describeChanges } from '../config/apply.js';
import type { LocalChanges } from '../config/write.js';
import type { ConfigContext } from './define.js';

/** The effective settings that differ from the defaults, in canonical text, key order. */
async function nonDefault(ctx: ConfigContext): Promise<[string, string][]> {
  const ev = parseEntries(await readEntries(ctx.repo));
  const pairs: [string, string][] = [];
  for (const k of KEYS) {
    if (!ev.sources.has(k) || isDefaultValue(k, ev.config)) continue;
    // archiveDir is exported as written (relative stays relative), not as resolved here.
    for (const text of k.render(ev.config)) pairs.push([fullName(k), text]);
  }
  return pairs;
}

export async function runConfigExport(ctx: ConfigContext, args: { file?: string; json: boolean }): Promise<void> {
  const pairs = await nonDefault(ctx);
  let text: string;
  if (args.json) {
    const doc: Record<string, string | string[]> = {};
    for (const [k, v] of pairs) doc[k] = findKey(k)!.multi ? [...((doc[k] as string[] | undefined) ?? []), v] : v;
    text = JSON.stringify(doc);
  } else text = toGitConfigText(pairs);
  if (!args.file) {
    ctx.io.out(text);
    return;
  }
  writeFileSync(resolve(args.file), text.endsWith('\n') ? text : text + '\n', { mode: 0o600 });
  ctx.io.err(`exported ${pairs.length} setting${pairs.length === 1 ? '' : 's'} to ${args.file}`);
}

async function readImportFile(ctx: ConfigContext, file: string): Promise<ConfigEntry[]> {
  const path = resolve(file);
  if (!existsSync(path)) throw notFoundError(`no such file: ${file}`);
  const text = readFileSync(path, 'utf8');
  if (looksLikeJson(text)) return entriesFromJson(text, file);
  return readImportEntries(ctx.repo, path, file);
}

export async function runConfigImport(ctx: ConfigContext, args: { file: string; json: boolean }): Promise<void> {
  const entries = await readImportFile(ctx, args.file);
  const changes: LocalChanges = new Map();
  for (const e of entries) {
    const k = findKey(e.key);
    if (!k) {
      const hint = suggestKey(e.key);
      throw invalidError(`${args.file}: unknown config key ${e.key}; ${hint ? `did you mean ${hint}?` : 'see git backup config list'}; nothing imported`);
    }
    if (e.value === null && k.kind !== 'bool') throw invalidError(`${fullName(k)}: has no value in ${args.file}; nothing imported`);
    const value = e.value ?? 'true';
    changes.set(k, k.multi ? [...(changes.get(k) ?? []), value] : [value]);
  }
  if (changes.size === 0) {
    ctx.io.out(args.json ? JSON.stringify({ set: {} }) : `nothing to import: ${args.file} has no backup.* keys`);
    return;
  }
  await applyAndReport(ctx, changes, args.json, `imported ${changes.size} setting${changes.size === 1 ? '' : 's'} from ${args.file}`);
}

export function parseTemplate(name: string): TemplateName {
  const t = name.trim().toLowerCase();
  if ((TEMPLATE_NAMES as string[]).includes(t)) return t as TemplateName;
  throw usageError(`unknown template ${JSON.stringify(name)}; choose ${TEMPLATE_NAMES.join(', ')}`);
}

export async function applyTemplate(ctx: ConfigContext, name: TemplateName, json: boolean): Promise<void> {
  const changes: LocalChanges = new Map();
  for (const [key, value] of Object.entries(TEMPLATES[name].values)) changes.set(findKey(key)!, [value]);
  await applyAndReport(ctx, changes, json, `template ${name}: ${TEMPLATES[name].describe}`);
}

export async function runConfigTemplate(ctx: ConfigContext, args: { name: string; json: boolean }): Promise<void> {
  await applyTemplate(ctx, parseTemplate(args.name), args.json);
}

/** Validate and write, then say what is set now (canonical text). */
export async function applyAndReport(ctx: ConfigContext, changes: LocalChanges, json: boolean, title: string): Promise<void> {
  const ev = await applyChanges(ctx.repo, changes);
  if (json) {
    const set: Record<string, unknown> = {};
    for (const k of changes.keys()) set[fullName(k)] = k.value(ev.config);
    ctx.io.out(JSON.stringify({ set }));
    return;
  }
  ctx.io.out([title, ...describeChanges(changes, ev).map((l) => `  set ${l}`)].join('\n'));
}
