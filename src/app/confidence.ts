// A backup's cleanup confidence now, with its factors (for `show`).
import type { Context } from './context.js';
import { confidenceOf, type Confidence } from '../core/confidence.js';
import type { BackupRecord } from '../core/types.js';
import { readContainment } from '../git/containment.js';
import { integrationBranch, readRefs } from '../git/facts.js';

export async function explainConfidence(ctx: Context, r: BackupRecord): Promise<Confidence | null> {
  if (r.state === 'DELETED') return null;
  let contained: boolean | null = null;
  if (r.state !== 'ARCHIVED') {
    const integration = await integrationBranch(ctx.repo, await readRefs(ctx.repo));
    contained = (await readContainment(ctx.repo, [r.snapshot], integration?.tip ?? null)).get(r.snapshot) ?? null;
  }
  return confidenceOf(r, ctx.now, contained);
}
