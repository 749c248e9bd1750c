/**
 * LongLLMLingua's dynamic compression ratio: better-ranked contexts keep more of their tokens.
 * For N kept contexts in rank order the deltas run linearly from +δ (best) to −δ (worst); a
 * context's keep ratio is its base ratio plus its delta, clamped to [0, 1].
 */
export function rankDeltas(count: number, delta: number): number[] {
  if (count <= 1) return new Array<number>(count).fill(0);
  return Array.from({ length: count }, (_, rank) => delta * (1 - (2 * rank) / (count - 1)));
}

export function clampRatio(ratio: number): number {
  return Math.min(1, Math.max(0, ratio));
}
