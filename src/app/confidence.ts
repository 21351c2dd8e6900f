// A backup's cleanup confidence now, with its factors and its content verdict (for `show`).
import type { Context } from './context.js';
import { confidenceOf, type Confidence } from '../core/confidence.js';
import type { ContentProof } from '../core/content.js';
import type { BackupRecord } from '../core/types.js';
import { readCleanupProofs } from './content.js';

export interface Explained {
  confidence: Confidence;
  /** Where its content is held in the integration branch (null: unknown). */
  proof: ContentProof | null;
}

export async function explainConfidence(ctx: Context, r: BackupRecord): Promise<Explained | null> {
  if (r.state === 'DELETED') return null;
  const proof = (await readCleanupProofs(ctx, [r])).proofs.get(r.id) ?? null;
  return { confidence: confidenceOf(r, ctx.now, proof), proof };
}
