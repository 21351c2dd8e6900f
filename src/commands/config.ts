// `git backup config get|set|unset|list`: read and change the `backup.*` git config keys. Reads
// show the effective value and where it came from; writes go to the repository's own config
// (`git config --local`) after the configuration they would produce has been validated in full.
// export, import and template run from config-io.ts, the guided set-up from config-wizard.ts.
import { invalidError, usageError } from '../errors.js';
import { KEYS, KIND_HINT, defaultConfig, findKey, fullName, type KeyDef } from '../core/config-keys.js';
import { evaluate, unknownWarning, type ConfigEntry, type Evaluation } from '../core/config-parse.js';
import { evaluateConfig, readEntries, resolveArchiveDir } from '../config/load.js';
import { applyChanges, requireKey } from '../config/apply.js';
import { unsetRaw } from '../config/write.js';
import { table } from './format.js';
import type { Argv } from 'yargs';
import { TEMPLATES, TEMPLATE_NAMES } from '../core/config-templates.js';
import { define, jsonOpt, type ConfigContext } from './define.js';

/** One key as get and list report it. */
export interface KeyReport {
  key: string;
  value: unknown;
  text: string[];
  default: boolean;
  /** default, system, global, local, worktree or command. */
  scope: string;
  origin: string | null;
}

function report(k: KeyDef, ev: Pick<Evaluation, 'config' | 'sources'>): KeyReport {
  const es = ev.sources.get(k);
  const last = es?.[es.length - 1];
  return { key: fullName(k), value: k.value(ev.config), text: k.render(ev.config), default: !es, scope: last?.scope ?? 'default', origin: last?.origin ?? null };
}

const shown = (text: string[]) => (text.length === 0 || (text.length === 1 && text[0] === '') ? '(not set)' : text.join(', '));

export async function runConfigGet(ctx: ConfigContext, args: { key: string; json: boolean }): Promise<void> {
  const k = requireKey(args.key);
  const ev = await evaluateConfig(ctx.repo);
  const r = report(k, ev);
  if (args.json) ctx.io.out(JSON.stringify(r));
  else if (k.multi && !r.default) ctx.io.out(r.text.join('\n') || '(none)');
  else ctx.io.out(`${shown(r.text)}${r.default ? ' (default)' : ''}`);
  for (const u of ev.unknown) ctx.io.err(`git backup: ${unknownWarning(u)}`);
}

export async function runConfigSet(ctx: ConfigContext, args: { key: string; value: string; json: boolean }): Promise<void> {
  const k = requireKey(args.key);
  const ev = await applyChanges(ctx.repo, new Map([[k, [args.value]]]));
  const r = report(k, ev);
  ctx.io.out(args.json ? JSON.stringify(r) : `${r.key} = ${shown(r.text)}`);
}

export async function runConfigUnset(ctx: ConfigContext, args: { key: string; json: boolean }): Promise<void> {
  const entries = await readEntries(ctx.repo);
  const exact = entries.filter((e) => e.scope === 'local' && e.key.toLowerCase() === normalize(args.key));
  if (!findKey(args.key) && exact.length) {
    // An unknown key (a typo) that is set locally: removing it is how to fix it.
    await unsetRaw(ctx.repo, exact[0]!.key);
    ctx.io.out(args.json ? JSON.stringify({ key: exact[0]!.key, removed: true }) : `removed ${exact[0]!.key}`);
    return;
  }
  const k = requireKey(args.key);
  const wasLocal = entries.some((e) => e.scope === 'local' && findKey(e.key) === k);
  const ev = wasLocal ? await applyChanges(ctx.repo, new Map([[k, []]])) : evaluate(entries);
  const r = report(k, ev);
  if (args.json) {
    ctx.io.out(JSON.stringify({ ...r, removed: wasLocal }));
    return;
  }
  const now = `now ${shown(r.text)} (${r.scope})`;
  ctx.io.out(wasLocal ? `removed ${r.key} from this repository's config; ${now}` : `${r.key} is not set in this repository's config; ${now}`);
}

const normalize = (name: string) => {
  const n = name.trim().toLowerCase();
  return n.startsWith('backup.') ? n : `backup.${n}`;
};

/** `config list` (and `config` without a terminal): every key, its value and its source. */
export async function runConfigList(ctx: ConfigContext, args: { json: boolean }): Promise<void> {
  const entries = await readEntries(ctx.repo);
  const ev = evaluate(entries);
  const problems = [...ev.problems];
  if (ev.config.archiveDir !== null && problems.length === 0) {
    try {
      ev.config.archiveDir = resolveArchiveDir(ev.config.archiveDir, ctx.repo);
    } catch (e) {
      problems.push({ key: 'backup.archiveDir', message: e instanceof Error ? e.message : String(e) });
    }
  }
  const reports = KEYS.map((k) => report(k, ev));
  const bad = new Map(problems.map((p) => [p.key, p]));
  if (args.json) {
    ctx.io.out(
      JSON.stringify({
        keys: reports.map((r) => ({ ...r, problem: bad.get(r.key)?.message ?? null })),
        unknown: ev.unknown.map((u) => ({ key: u.entry.key, value: u.entry.value, scope: u.entry.scope, suggestion: u.suggestion })),
      }),
    );
  } else {
    const rows = reports.map((r) => {
      const invalid = bad.has(r.key) ? rawValue(entries, r.key) : null;
      const value = invalid !== null ? `${JSON.stringify(invalid)} INVALID` : shown(r.text);
      return [r.key, value, r.scope];
    });
    const unknownRows = ev.unknown.map((u) => [u.entry.key, u.entry.value ?? '', `${u.entry.scope}: UNKNOWN${u.suggestion ? `, did you mean ${u.suggestion}?` : ''}`]);
    ctx.io.out(table([['KEY', 'VALUE', 'FROM'], ...rows, ...unknownRows]));
  }
  if (problems[0]) throw invalidError(problems[0].message);
}

function rawValue(entries: readonly ConfigEntry[], key: string): string {
  const k = requireKey(key);
  const es = entries.filter((e) => findKey(e.key) === k);
  return es.map((e) => e.value ?? '').join(', ');
}


async function withConfig(fn: (ctx: ConfigContext) => Promise<void>): Promise<void> {
  // Configuration needs the repository only, not the store: config commands never create it.
  await fn(await (await import('../app/context.js')).openRepoOnly());
}

function keysEpilogue(): string {
  const d = defaultConfig();
  const lines = KEYS.map((k) => `  ${fullName(k).padEnd(31)} ${KIND_HINT[k.kind].what}, default ${k.render(d).join(', ') || '(not set)'}`);
  return `Keys (any case; with or without "backup."):\n${lines.join('\n')}\nDocs: docs/config.md and the Configuration section of README.md.`;
}

/** The value of `config set KEY VALUE`, or of `config set KEY -- -VALUE` (yargs keeps `--` apart). */
function setValue(a: { value?: unknown; '--'?: unknown }): string {
  const rest = Array.isArray(a['--']) ? a['--'].map(String) : [];
  const values = [...(a.value === undefined ? [] : [String(a.value)]), ...rest];
  if (values.length !== 1) throw usageError(`config set wants one value after the key, got ${values.length}; see git backup config set --help`);
  return values[0]!;
}

const keyArg = (y: Argv) => y.positional('key', { type: 'string', demandOption: true, describe: 'a backup.* key, e.g. backup.retention.confirmed or retention.confirmed' });

export const configCommand = define({
  command: 'config',
  describe: 'read and change the backup.* git config keys (with no subcommand on a terminal: a guided set-up; otherwise: list)',
  builder: (y) =>
    y
      .command('get <key>', 'print the effective value of a key ("(default)" when not set)', (y2) => keyArg(y2).option('json', jsonOpt), (a) =>
        withConfig(async (ctx) => runConfigGet(ctx, { key: String(a.key), json: Boolean(a.json) })),
      )
      .command(
        'set <key> [value]',
        "validate a value and write it to this repository's git config (git config --local); an invalid value is refused (exit 3) and nothing is written",
        (y2) =>
          keyArg(y2)
            .positional('value', { type: 'string', describe: 'the value, e.g. 14d, 500M, 0.8, 85%, true; after -- when it starts with -' })
            .option('json', jsonOpt)
            .example('git backup config set retention.confirmed 14d', 'keep confirmed backups two weeks')
            .example('git backup config set disk.quota 2G', 'at most 2 GiB for backups'),
        (a) => withConfig(async (ctx) => runConfigSet(ctx, { key: String(a.key), value: setValue(a), json: Boolean(a.json) })),
      )
      .command('unset <key>', "remove a key from this repository's git config (also an unknown, misspelt key)", (y2) => keyArg(y2).option('json', jsonOpt), (a) =>
        withConfig(async (ctx) => runConfigUnset(ctx, { key: String(a.key), json: Boolean(a.json) })),
      )
      .command('list', 'every key with its effective value and where it came from (default, local, global, system); unknown backup.* keys flagged', (y2) => y2.option('json', jsonOpt), (a) =>
        withConfig(async (ctx) => runConfigList(ctx, { json: Boolean(a.json) })),
      )
      .command(
        'export [file]',
        'write the settings that differ from the defaults, in git-config syntax (to FILE, or stdout)',
        (y2) => y2.positional('file', { type: 'string', describe: 'where to write (default: stdout)' }).option('json', { ...jsonOpt, describe: 'a JSON object instead of git-config syntax' }),
        (a) => withConfig(async (ctx) => (await import('./config-io.js')).runConfigExport(ctx, { file: a.file, json: Boolean(a.json) })),
      )
      .command(
        'import <file>',
        "read a file from config export (git-config syntax or JSON), validate every value, and write all of it to this repository's config, or nothing",
        (y2) => y2.positional('file', { type: 'string', demandOption: true, describe: 'the file to read' }).option('json', jsonOpt),
        (a) => withConfig(async (ctx) => (await import('./config-io.js')).runConfigImport(ctx, { file: String(a.file), json: Boolean(a.json) })),
      )
      .command(
        'template <name>',
        `apply a preset: ${TEMPLATE_NAMES.join(', ')}; prints what it set`,
        (y2) =>
          y2
            .positional('name', { type: 'string', demandOption: true, describe: TEMPLATE_NAMES.join(', ') })
            .option('json', jsonOpt)
            .epilogue(TEMPLATE_NAMES.map((n) => `${n}: ${TEMPLATES[n].describe}\n  ${Object.entries(TEMPLATES[n].values).map(([k, v]) => `${k}=${v}`).join(' ')}`).join('\n')),
        (a) => withConfig(async (ctx) => (await import('./config-io.js')).runConfigTemplate(ctx, { name: String(a.name), json: Boolean(a.json) })),
      )
      .option('json', { ...jsonOpt, describe: 'with no subcommand: config list --json' })
      .epilogue(keysEpilogue()),
  // The subcommands run their own yargs handlers; this one only runs for a bare `config`.
  handler: async (a) => {
    if (a._.length > 1) return;
    await withConfig(async (ctx) => {
      if (ctx.io.interactive && !a.json) return (await import('./config-wizard.js')).runConfigWizard(ctx);
      return runConfigList(ctx, { json: Boolean(a.json) });
    });
  },
});
