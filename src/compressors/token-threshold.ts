/**
 * The per-chunk threshold of iterative token-level compression: a chunk keeps its best-scoring
 * units up to its token quota. Equivalently, units scoring above the quota-th best score are
 * kept; ties go to the earlier unit, so exactly the quota survives (a quantile threshold on
 * scores alone keeps every tied unit and drifts from the budget).
 */

export interface ThresholdCandidate {
  /** Higher means more informative (NLL, or the contrastive score). */
  readonly score: number;
  /** Tokens the unit spends (more than 1 for a character split over byte tokens). */
  readonly tokens: number;
}

/** Keep flags: the best candidates whose tokens add up to the quota (to the nearest unit). */
export function selectByThreshold(
  candidates: readonly ThresholdCandidate[],
  quota: number,
): boolean[] {
  const keep = new Array<boolean>(candidates.length).fill(false);
  const order = candidates
    .map((_, index) => index)
    .sort((a, b) => (candidates[b]?.score ?? 0) - (candidates[a]?.score ?? 0) || a - b);
  let spent = 0;
  for (const index of order) {
    const tokens = candidates[index]?.tokens ?? 0;
    // A unit is taken when at least half of it fits, which for single tokens is exactly the quota.
    if (spent + tokens / 2 > quota) break;
    keep[index] = true;
    spent += tokens;
  }
  return keep;
}
