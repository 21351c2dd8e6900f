// `git backup create [paths..]`: take a backup of the working tree. The command users run before a
// risky edit, so its plain forms take the fast path (cli-fast.ts reads CREATE_OPTIONS below and never
// loads yargs); the use case (app/create.ts) loads only when it runs.
import type { Context } from '../app/context.js';
import { define, inContext, jsonOpt, listOpt, pathArgs, stringList, textOpt } from './define.js';

export interface CreateArgs {
  message: string;
  includeIgnored: boolean;
  pin: boolean;
  label: string[];
  paths: string[];
  json: boolean;
  allowEmpty: boolean;
}

/** The options, shared with the fast path (same names, aliases and types). */
export const CREATE_OPTIONS = {
  message: textOpt('message', { alias: 'm', default: '', describe: 'what this backup is for' }),
  'include-ignored': { type: 'boolean', default: false, describe: 'also capture ignored files' },
  pin: { type: 'boolean', default: false, describe: 'protect it from automatic cleanup' },
  label: listOpt('label', { describe: 'a label (repeatable)' }),
  'allow-empty': { type: 'boolean', default: false, describe: 'take it even when nothing changed, or when the newest backup already holds exactly this' },
  json: jsonOpt,
} as const;

export const createCommand = define({
  command: 'create [paths..]',
  describe: 'take a backup of the working tree (tracked files, staged state, untracked files)',
  builder: (y) =>
    y
      .positional('paths', { type: 'string', array: true, describe: 'limit the backup to these paths (ignored or not)' })
      .options(CREATE_OPTIONS)
      .example('git backup create -m "before codemod"', 'back up everything')
      .example('git backup create -- src/app.ts .env', 'back up two paths only'),
  handler: (a) => inContext((ctx) => runCreate(ctx, createArgs(a))),
});

/** `create`'s arguments from what yargs parsed (cli-fast.ts must give the same for what it takes). */
export function createArgs(a: Record<string, unknown>): CreateArgs {
  return {
    message: String(a.message ?? ''),
    includeIgnored: Boolean(a.includeIgnored),
    pin: Boolean(a.pin),
    label: stringList(a.label),
    paths: pathArgs(a),
    json: Boolean(a.json),
    allowEmpty: Boolean(a.allowEmpty),
  };
}

export async function runCreate(ctx: Context, args: CreateArgs): Promise<void> {
  const [{ createBackup }, { toPublicJson }, { formatBytes }] = await Promise.all([import('../app/create.js'), import('../core/record.js'), import('./format.js')]);
  ctx.progress = !args.json;
  const made = await createBackup(ctx, {
    message: args.message,
    includeIgnored: args.includeIgnored,
    paths: args.paths,
    cwd: process.cwd(),
    pin: args.pin,
    labels: args.label,
    trigger: 'USER',
    allowEmpty: args.allowEmpty,
  });
  if (made.kind === 'empty') {
    if (args.json) ctx.io.out(JSON.stringify({ created: false, reused: false, reason: 'nothing to protect' }));
    else ctx.io.out('nothing to back up: no change against HEAD and no untracked file (--allow-empty takes one anyway)');
    return;
  }
  const { record } = made;
  if (args.json) ctx.io.out(JSON.stringify({ ...toPublicJson(record), created: made.kind === 'created', reused: made.kind === 'reused' }));
  else if (made.kind === 'reused') ctx.io.out(`backup ${record.id} already holds exactly this (${record.files} files, ${formatBytes(record.bytes)}); no new backup (--allow-empty takes one anyway)`);
  else ctx.io.out(`created backup ${record.id} (${record.files} files, ${formatBytes(record.bytes)})`);
}
