import type { Context } from './context.js';
import type { Trigger } from '../core/types.js';

export interface ReconcileReport { moved: { id: string; from: string; to: string }[] }

export async function reconcile(ctx: Context, opts: { trigger: Trigger }): Promise<ReconcileReport> { return { moved: [] }; }
