import type { Context } from '../app/context.js';
import { createBackup } from '../app/create.js';
import { toPublicJson } from '../core/record.js';
import { formatBytes } from './format.js';

export interface CreateArgs {
  message: string;
  includeIgnored: boolean;
  pin: boolean;
  label: string[];
  paths: string[];
  json: boolean;
  allowEmpty: boolean;
}

export async function runCreate(ctx: Context, args: CreateArgs): Promise<void> {
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
