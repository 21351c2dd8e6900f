// The fast path for `git backup create`: node's own parseArgs, no yargs. It takes only argument
// lists whose meaning is certain, and returns null for anything else (help, version, unknown or
// repeated options, `-mMSG`, `--no-…`, a bare `true`/`false` that yargs would read as a flag's
// value, a value that looks like an option…), which then goes to yargs, the one authority on
// errors and help. test/cli/fast-args.test.ts checks that both parsers agree on what this takes.
// The option tables are the command files' own (commands/create.ts, commands/list.ts), read without
// loading yargs, so a flag added there is known here too.
import { parseArgs } from 'node:util';
import { CREATE_OPTIONS, type CreateArgs } from './commands/create.js';
import { LIST_OPTIONS, LIST_SORTS, STATUS_OPTIONS, type ListArgs, type StatusArgs } from './commands/list.js';
import { jsonOpt, type OptionSpec } from './commands/define.js';
import { BACKUP_STATES, type BackupState } from './core/types.js';

/** node's parseArgs table for a command's options: strings stay text (a number is checked by the caller). */
function parseArgsTable(options: Record<string, OptionSpec>) {
  return Object.fromEntries(
    Object.entries(options).map(([name, o]) => [
      name,
      { type: o.type === 'boolean' ? ('boolean' as const) : ('string' as const), multiple: o.array === true, ...(o.alias?.length === 1 ? { short: o.alias } : {}) },
    ]),
  );
}

const OPTIONS = parseArgsTable(CREATE_OPTIONS);

/** The spellings taken as they are; `--message=…` and `--label=…` are taken too. */
const SPELLINGS = new Set(Object.entries(CREATE_OPTIONS).flatMap(([name, o]: [string, OptionSpec]) => [`--${name}`, ...(o.alias ? [`-${o.alias}`] : [])]));

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
      // A value that starts with '-' (yargs: an unknown option) and an empty label are yargs' to refuse.
      if (t.value !== undefined && !t.inlineValue && t.value.startsWith('-')) return null;
      if (t.name === 'label' && t.value === '') return null;
      seen.add(t.name);
    } else if (!afterTerminator && (t.value === 'true' || t.value === 'false' || t.value.startsWith('-'))) {
      return null;
    }
  }
  const v = parsed.values;
  const text = (x: unknown) => (typeof x === 'string' ? x : '');
  const flag = (x: unknown) => x === true;
  return {
    message: text(v.message),
    includeIgnored: flag(v['include-ignored']),
    pin: flag(v.pin),
    label: Array.isArray(v.label) ? v.label.map(String) : [],
    paths: parsed.positionals,
    json: flag(v.json),
    allowEmpty: flag(v['allow-empty']),
  };
}

// The everyday read-only commands and --version / -h take the same kind of path (issue 9: start-up
// without the 191 KB yargs chunk): argument lists whose meaning is certain only; null hands the rest
// to yargs, which also owns every error message. test/cli/fast-args.test.ts checks they agree.

export type FastCommand =
  | { kind: 'create'; args: CreateArgs }
  | { kind: 'version' }
  | { kind: 'help' }
  | { kind: 'status'; args: StatusArgs }
  | { kind: 'list'; args: ListArgs }
  | { kind: 'show'; args: { id: string; json: boolean } };


/** Options given as `--name value` or `--name=value`, each at most once unless `repeat`; no positionals but `positionals`. */
function simpleParse(
  args: string[],
  options: Record<string, { type: 'string' | 'boolean'; repeat?: boolean }>,
  positionals: number,
): { values: Record<string, string[] | true>; positionals: string[] } | null {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: Object.fromEntries(Object.entries(options).map(([k, o]) => [k, { type: o.type, multiple: o.repeat === true }])),
      strict: true,
      allowPositionals: true,
      tokens: true,
    });
  } catch {
    return null;
  }
  const seen = new Set<string>();
  for (const t of parsed.tokens) {
    if (t.kind === 'option-terminator') return null;
    if (t.kind === 'option') {
      if (t.rawName !== `--${t.name}`) return null;
      if (!options[t.name]!.repeat && seen.has(t.name)) return null;
      if (options[t.name]!.type === 'boolean' && t.inlineValue !== undefined) return null;
      if (options[t.name]!.type === 'string' && (t.value === undefined || t.value === '' || t.value.startsWith('-'))) return null;
      seen.add(t.name);
    } else if (t.value.startsWith('-') || t.value === 'true' || t.value === 'false') {
      return null;
    }
  }
  if (parsed.positionals.length !== positionals) return null;
  const values: Record<string, string[] | true> = {};
  for (const [k, v] of Object.entries(parsed.values)) values[k] = v === true ? true : Array.isArray(v) ? v.map(String) : [String(v)];
  return { values, positionals: parsed.positionals };
}

/** simpleParse's table for a command's options (a number is taken as text and checked by the caller). */
function simpleTable(options: Record<string, OptionSpec>): Record<string, { type: 'string' | 'boolean'; repeat?: boolean }> {
  return Object.fromEntries(Object.entries(options).map(([name, o]) => [name, { type: o.type === 'boolean' ? 'boolean' : 'string', repeat: o.array === true }]));
}

function fastList(args: string[]): ListArgs | null {
  const p = simpleParse(args, simpleTable(LIST_OPTIONS), 0);
  if (!p) return null;
  const state: BackupState[] = [];
  for (const s of (p.values.state as string[] | undefined) ?? []) {
    const up = s.trim().toUpperCase();
    const found = BACKUP_STATES.find((x) => x === up);
    if (!found) return null; // yargs says which states there are
    state.push(found);
  }
  const sort = ((p.values.sort as string[] | undefined) ?? ['age'])[0]!;
  const sortKey = LIST_SORTS.find((x) => x === sort);
  if (!sortKey) return null;
  const limitText = (p.values.limit as string[] | undefined)?.[0];
  if (limitText !== undefined && !/^[1-9][0-9]{0,8}$/.test(limitText)) return null;
  const one = (name: string) => (p.values[name] as string[] | undefined)?.[0] ?? null;
  return {
    state,
    sort: sortKey,
    limit: limitText === undefined ? null : Number(limitText),
    json: p.values.json === true,
    find: { label: (p.values.label as string[] | undefined) ?? [], branch: one('branch'), grep: one('grep'), since: one('since') },
  };
}

export function fastCommand(argv: string[]): FastCommand | null {
  const create = fastCreateArgs(argv);
  if (create) return { kind: 'create', args: create };
  const [cmd, ...rest] = argv;
  if (argv.length === 1 && cmd === '--version') return { kind: 'version' };
  if (argv.length === 1 && (cmd === '-h' || cmd === '--help')) return { kind: 'help' };
  if (cmd === 'status') {
    const p = simpleParse(rest, simpleTable(STATUS_OPTIONS), 0);
    const file = (p?.values['prometheus-file'] as string[] | undefined)?.[0] ?? null;
    return p ? { kind: 'status', args: { json: p.values.json === true, prometheus: p.values.prometheus === true, prometheusFile: file } } : null;
  }
  if (cmd === 'list') {
    const a = fastList(rest);
    return a ? { kind: 'list', args: a } : null;
  }
  if (cmd === 'show') {
    const p = simpleParse(rest, simpleTable({ json: jsonOpt }), 1);
    return p ? { kind: 'show', args: { id: p.positionals[0]!, json: p.values.json === true } } : null;
  }
  return null;
}
