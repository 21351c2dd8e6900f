// The last push to the backup remote (docs/remote.md), for `status` and the drain:
// <store>/remote-push.json, replaced whole (temp file + rename) after every push, ok or not.
import { readFile } from 'node:fs/promises';
import { replaceWhole } from '../fs/durable-write.js';
import { join } from 'node:path';
import type { Context } from './context.js';
import { heldByLiveProcess } from '../store/lock.js';

export interface PushOutcome {
  remote: string;
  at: string;
  ok: boolean;
  error: string | null;
}

const outcomeFile = (ctx: Context) => join(ctx.store.paths.dir, 'remote-push.json');

export async function recordPushOutcome(ctx: Context, o: PushOutcome): Promise<void> {
  await replaceWhole(outcomeFile(ctx), JSON.stringify(o) + '\n');
}

/** The last push's outcome, or null when nothing was ever pushed from here. */
export async function lastPush(ctx: Context): Promise<PushOutcome | null> {
  try {
    const o = JSON.parse(await readFile(outcomeFile(ctx), 'utf8')) as PushOutcome;
    return typeof o.at === 'string' && typeof o.ok === 'boolean' ? o : null;
  } catch {
    return null;
  }
}

/** Whether a drain is pushing to the backup remote right now (it holds `<store>/push.lock`, hook/periodic.ts). */
export function pushInProgress(ctx: Context): Promise<boolean> {
  return heldByLiveProcess(join(ctx.store.paths.dir, 'push.lock'));
}
