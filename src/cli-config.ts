// The `git backup config` command tree for yargs (kept out of cli.ts, which is long enough).
// Only the builders load here; each handler imports its command module when it runs.
import type { Argv } from 'yargs';
import { processOutput } from './app/context.js';
import { usageError } from './errors.js';
import { findRepo } from './git/exec.js';
import { KEYS, KIND_HINT, defaultConfig, fullName } from './core/config-keys.js';
import { TEMPLATES, TEMPLATE_NAMES } from './core/config-templates.js';
import type { ConfigContext } from './commands/config.js';

export const jsonOpt = { type: 'boolean', default: false, describe: 'print one JSON document on stdout' } as const;

async function withConfig(fn: (ctx: ConfigContext) => Promise<void>): Promise<void> {
  // Configuration needs the repository only, not the store: config commands never create it.
  await fn({ repo: await findRepo(process.cwd()), io: processOutput() });
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

export const configCommand = [
  'config',
  'read and change the backup.* git config keys (with no subcommand on a terminal: a guided set-up; otherwise: list)',
  (y: Argv) =>
    y
      .command('get <key>', 'print the effective value of a key ("(default)" when not set)', (y2) => keyArg(y2).option('json', jsonOpt), (a) =>
        withConfig(async (ctx) => (await import('./commands/config.js')).runConfigGet(ctx, { key: String(a.key), json: Boolean(a.json) })),
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
        (a) => withConfig(async (ctx) => (await import('./commands/config.js')).runConfigSet(ctx, { key: String(a.key), value: setValue(a), json: Boolean(a.json) })),
      )
      .command('unset <key>', "remove a key from this repository's git config (also an unknown, misspelt key)", (y2) => keyArg(y2).option('json', jsonOpt), (a) =>
        withConfig(async (ctx) => (await import('./commands/config.js')).runConfigUnset(ctx, { key: String(a.key), json: Boolean(a.json) })),
      )
      .command('list', 'every key with its effective value and where it came from (default, local, global, system); unknown backup.* keys flagged', (y2) => y2.option('json', jsonOpt), (a) =>
        withConfig(async (ctx) => (await import('./commands/config.js')).runConfigList(ctx, { json: Boolean(a.json) })),
      )
      .command(
        'export [file]',
        'write the settings that differ from the defaults, in git-config syntax (to FILE, or stdout)',
        (y2) => y2.positional('file', { type: 'string', describe: 'where to write (default: stdout)' }).option('json', { ...jsonOpt, describe: 'a JSON object instead of git-config syntax' }),
        (a) => withConfig(async (ctx) => (await import('./commands/config-io.js')).runConfigExport(ctx, { file: a.file, json: Boolean(a.json) })),
      )
      .command(
        'import <file>',
        "read a file from config export (git-config syntax or JSON), validate every value, and write all of it to this repository's config, or nothing",
        (y2) => y2.positional('file', { type: 'string', demandOption: true, describe: 'the file to read' }).option('json', jsonOpt),
        (a) => withConfig(async (ctx) => (await import('./commands/config-io.js')).runConfigImport(ctx, { file: String(a.file), json: Boolean(a.json) })),
      )
      .command(
        'template <name>',
        `apply a preset: ${TEMPLATE_NAMES.join(', ')}; prints what it set`,
        (y2) =>
          y2
            .positional('name', { type: 'string', demandOption: true, describe: TEMPLATE_NAMES.join(', ') })
            .option('json', jsonOpt)
            .epilogue(TEMPLATE_NAMES.map((n) => `${n}: ${TEMPLATES[n].describe}\n  ${Object.entries(TEMPLATES[n].values).map(([k, v]) => `${k}=${v}`).join(' ')}`).join('\n')),
        (a) => withConfig(async (ctx) => (await import('./commands/config-io.js')).runConfigTemplate(ctx, { name: String(a.name), json: Boolean(a.json) })),
      )
      .option('json', { ...jsonOpt, describe: 'with no subcommand: config list --json' })
      .epilogue(keysEpilogue()),
  (a: { json?: unknown }) =>
    withConfig(async (ctx) => {
      if (ctx.io.interactive && !a.json) return (await import('./commands/config-wizard.js')).runConfigWizard(ctx);
      return (await import('./commands/config.js')).runConfigList(ctx, { json: Boolean(a.json) });
    }),
] as const;
