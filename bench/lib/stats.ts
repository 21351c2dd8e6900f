// Small statistics for noisy machines: medians of interleaved samples, ratios of medians.

export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('median of no samples');
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function min(xs: readonly number[]): number {
  return Math.min(...xs);
}

export function max(xs: readonly number[]): number {
  return Math.max(...xs);
}

export interface Variant {
  name: string;
  /** One sample: a duration in ms (or any number to take the median of). */
  run: () => Promise<number>;
}

/**
 * Run every variant `rounds` times, interleaved (A B C, B C A, C A B, …) so that a slow stretch of the
 * machine hits all of them alike. Returns the samples per variant name.
 */
export async function interleave(variants: readonly Variant[], rounds: number): Promise<Map<string, number[]>> {
  const samples = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < variants.length; k++) {
      const v = variants[(r + k) % variants.length]!;
      samples.get(v.name)!.push(await v.run());
    }
  }
  return samples;
}

export const ms = (x: number): string => `${x.toFixed(x < 10 ? 1 : 0)} ms`;
/** A difference of medians, with its sign (noise can make a tiny cost negative). */
export const signedMs = (x: number): string => `${x < 0 ? '−' : '+'}${ms(Math.abs(x))}`;
export const ratio = (x: number): string => `${x.toFixed(2)}×`;

export function bytes(n: number): string {
  if (Math.abs(n) < 1024) return `${n} B`;
  if (Math.abs(n) < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
