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
}

export async function runCreate(ctx: Context, args: CreateArgs): Promise<void> {
  const record = await createBackup(ctx, {
    message: args.message,
    includeIgnored: args.includeIgnored,
    paths: args.paths,
    cwd: process.cwd(),
    pin: args.pin,
    labels: args.label,
    trigger: 'USER',
  });
  if (args.json) ctx.io.out(JSON.stringify(toPublicJson(record)));
  else ctx.io.out(`created backup ${record.id} (${record.files} files, ${formatBytes(record.bytes)})`);
}
