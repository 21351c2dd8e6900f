// What every command file exports for the parser (cli-parser.ts): a yargs command (its command
// string, description and builder: flags, help, examples) and its handler, plus the little helpers
// they share. Only yargs' types are imported here, never yargs itself: the fast path (cli-fast.ts)
// reads the same option tables without loading yargs, and command files load their use cases
// (app/) only when they run.
import type { Argv, ArgumentsCamelCase } from 'yargs';
import type { Context, Output } from '../app/context.js';
import { usageError } from '../core/errors.js';

/** One command, as cli-parser.ts registers it. `U` is what the builder parses. */
export interface CommandDef<U = object> {
  command: string;
  describe: string;
  builder: (y: Argv) => Argv<U>;
  handler: (a: ArgumentsCamelCase<U>) => Promise<void>;
}

/** Keeps `U` inferred from the builder, so the handler's arguments are typed. */
export function define<U>(def: CommandDef<U>): CommandDef<U> {
  return def;
}

/** An option as yargs takes it, in plain data (cli-fast.ts derives its own parseArgs table from these). */
export interface OptionSpec {
  /** Absent when `choices` says what is taken (text). */
  type?: 'string' | 'boolean' | 'number';
  describe: string;
  alias?: string;
  array?: boolean;
  default?: unknown;
  choices?: readonly string[];
  /** A value must follow (text options: `-m` alone is an error, not an empty message). */
  requiresArg?: boolean;
  coerce?: (v: unknown) => unknown;
}

/** What the config commands run in: the repository and the terminal, no store (they never create it). */
export interface ConfigContext {
  repo: Context['repo'];
  io: Output;
}

/** A scalar option given twice reaches its coerce as an array: refused, naming `flag` (e.g. `--sort`). */
export function givenOnce<V>(flag: string, v: V): V {
  if (Array.isArray(v)) throw usageError(`${flag} is given more than once; give it once`);
  return v;
}

/**
 * A text option taken once: a value must follow it, and given twice it is refused (yargs would
 * otherwise hand over both as an array, and `-m a -m b` was stored as the message "a,b"). Only
 * text is taken: yargs reads `--no-to` as false and `--to.x y` as an object, which became the
 * directory "false". `nonEmpty`: an empty text is refused too (`--to "$UNSET"` would otherwise
 * mean the working tree).
 */
export function textOpt<T extends { describe: string; alias?: string; default?: string }>(name: string, spec: T, opts: { nonEmpty?: boolean } = {}) {
  return {
    ...spec,
    type: 'string' as const,
    requiresArg: true,
    coerce: (v: unknown): string => {
      givenOnce(`--${name}`, v);
      if (typeof v !== 'string') throw usageError(`--${name} takes a text: --${name} TEXT`);
      if (opts.nonEmpty && v === '') throw usageError(`--${name} needs a non-empty text`);
      return v;
    },
  };
}

/**
 * A repeatable text option: each time it is given it needs a non-empty text, which `parse` turns
 * into its value (a state, say). No default, so that given alone (yargs: []) is told apart from not
 * given (undefined); `--no-label` (false), `--label.x` (an object) and `--label ""` were stored as
 * the labels "false", "[object Object]" and "".
 */
export function listOpt<T extends { describe: string }, R = string>(name: string, spec: T, parse: (text: string) => R = (text) => text as R) {
  return {
    ...spec,
    type: 'string' as const,
    array: true as const,
    coerce: (v: unknown): R[] => {
      const items: unknown[] = Array.isArray(v) ? v : [v];
      if (items.length === 0) throw usageError(`--${name} needs a value each time it is given`);
      if (!items.every((x): x is string => typeof x === 'string' && x !== '')) throw usageError(`--${name} takes a non-empty text each time it is given`);
      return items.map(parse);
    },
  };
}

export const jsonOpt = { type: 'boolean', default: false, describe: 'print one JSON document on stdout' } as const;

export const idArg = (y: Argv) => y.positional('id', { type: 'string', describe: 'backup id or a unique prefix of 8+ characters', demandOption: true });

export const stringList = (v: unknown): string[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]).map(String);

/** Positional paths plus everything after `--` (which yargs keeps apart). */
export const pathArgs = (a: { paths?: unknown; '--'?: unknown }): string[] => [...stringList(a.paths), ...stringList(a['--'])];

export function positiveInt(name: string) {
  return (v: unknown): number => {
    givenOnce(name, v);
    // yargs hands `--limit` alone over as undefined ("not undefined" said nothing useful).
    if (v === undefined) throw usageError(`${name} needs a whole number of 1 or more`);
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw usageError(`${name} wants a whole number of 1 or more, not ${JSON.stringify(v)}`);
    return n;
  };
}

/** Open the context on the real process and run one command in it (app/context.ts loads on demand). */
export async function inContext(fn: (ctx: Context) => Promise<void>): Promise<void> {
  await (await import('../app/context.js')).withContext(fn);
}
