// The fast path for `git backup create`: node's own parseArgs, no yargs. It takes only argument
// lists whose meaning is certain, and returns null for anything else (help, version, unknown or
// repeated options, `-mMSG`, `--no-…`, a bare `true`/`false` that yargs would read as a flag's
// value, a value that looks like an option…), which then goes to yargs, the one authority on
// errors and help. test/cli/fast-args.test.ts checks that both parsers agree on what this takes.
import { parseArgs } from 'node:util';
import type { CreateArgs } from './commands/create.js';

const OPTIONS = {
  message: { type: 'string', short: 'm' },
  'include-ignored': { type: 'boolean' },
  pin: { type: 'boolean' },
  label: { type: 'string', multiple: true },
  json: { type: 'boolean' },
} as const;

/** The spellings taken as they are; `--message=…` and `--label=…` are taken too. */
const SPELLINGS = new Set(['-m', '--message', '--include-ignored', '--pin', '--label', '--json']);

export function fastCreateArgs(argv: string[]): CreateArgs | null {
  if (argv[0] !== 'create') return null;
  let parsed;
  try {
    parsed = parseArgs({ args: argv.slice(1), options: OPTIONS, strict: true, allowPositionals: true, tokens: true });
  } catch {
    return null;
  }
  const seen = new Set<string>();
  let afterTerminator = false;
  for (const t of parsed.tokens) {
    if (t.kind === 'option-terminator') afterTerminator = true;
    else if (t.kind === 'option') {
      if (!SPELLINGS.has(t.rawName)) return null;
      if (t.name !== 'label' && seen.has(t.name)) return null;
      if (t.inlineValue && t.rawName === '-m') return null;
      seen.add(t.name);
    } else if (!afterTerminator && (t.value === 'true' || t.value === 'false' || t.value.startsWith('-'))) {
      return null;
    }
  }
  const v = parsed.values;
  return {
    message: v.message ?? '',
    includeIgnored: v['include-ignored'] ?? false,
    pin: v.pin ?? false,
    label: v.label ?? [],
    paths: parsed.positionals,
    json: v.json ?? false,
  };
}
