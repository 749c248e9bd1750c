import { clampRatio } from "./dynamic-ratio.js";

/**
 * Making the achieved size track the requested one. The reference fixes one keep ratio per
 * segment up front and thresholds on the loss history, so rounding, forced tokens and clamped
 * dynamic ratios pile up (its issues #73, #195). Here every segment's quota comes from the budget
 * still unspent, shared over the segments still to come in proportion to their weights, and a
 * final pass corrects what re-tokenising the compressed text changes.
 */

export interface RatioGroup {
  readonly tokens: number;
  /** The group's dynamic-ratio delta, added to the base ratio. */
  readonly delta: number;
}

/**
 * The base keep ratio τ at which groups keeping clamp(τ + delta) of their tokens spend `budget`
 * tokens in total. τ may leave [0, 1] so that clamped groups cannot make the total fall short
 * (the reference takes τ = target / (Σ len + 1) and loses whatever clamping cuts off).
 */
export function solveBaseRatio(groups: readonly RatioGroup[], budget: number): number {
  const spend = (tau: number) =>
    groups.reduce((sum, { tokens, delta }) => sum + tokens * clampRatio(tau + delta), 0);
  // Deltas lie in [-1, 1], so τ = -1 keeps nothing and τ = 2 keeps everything.
  let low = -1;
  let high = 2;
  if (spend(high) <= budget) return high;
  if (budget <= 0) return low;
  for (let step = 0; step < 60; step++) {
    const middle = (low + high) / 2;
    if (spend(middle) < budget) low = middle;
    else high = middle;
  }
  return (low + high) / 2;
}

export interface ChunkBudget {
  /** Tokens of the budget not yet spent. */
  readonly remainingBudget: number;
  /** Σ tokens × keep ratio of the chunk's free units. */
  readonly chunkWeight: number;
  /** The same over every free unit not yet decided, this chunk's included. */
  readonly remainingWeight: number;
  /** The chunk's free tokens. */
  readonly capacity: number;
}

/**
 * Tokens a chunk may keep: its weight's share of what is left of the budget. Spending the
 * budget chunk by chunk this way keeps the total on target whatever earlier chunks did.
 */
export function chunkQuota({
  remainingBudget,
  chunkWeight,
  remainingWeight,
  capacity,
}: ChunkBudget): number {
  if (chunkWeight <= 0 || remainingWeight <= 0 || remainingBudget <= 0) return 0;
  const share = Math.round((remainingBudget * chunkWeight) / remainingWeight);
  return Math.min(capacity, Math.max(0, share));
}

export interface RebalanceUnit {
  readonly score: number;
  readonly tokens: number;
  readonly kept: boolean;
  /** Whether the final correction may flip this unit. */
  readonly adjustable: boolean;
}

/**
 * The final correction: with `excess` tokens over the target, drops the lowest-scoring kept
 * adjustable units; with a shortfall (negative excess) takes back the best dropped ones. Returns
 * the new keep flags.
 */
export function rebalance(units: readonly RebalanceUnit[], excess: number): boolean[] {
  const keep = units.map((unit) => unit.kept);
  const dropping = excess > 0;
  const candidates = units
    .map((unit, index) => ({ ...unit, index }))
    .filter((unit) => unit.adjustable && unit.kept === dropping)
    .sort((a, b) => (dropping ? a.score - b.score : b.score - a.score) || a.index - b.index);
  let left = Math.abs(excess);
  for (const unit of candidates) {
    if (unit.tokens / 2 > left) break;
    keep[unit.index] = !dropping;
    left -= unit.tokens;
  }
  return keep;
}
