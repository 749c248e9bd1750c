import { at } from "../errors/at.js";
import { clampRatio } from "./dynamic-ratio.js";
import { chunkQuota, type RatioGroup, rebalance, solveBaseRatio } from "./rate-tracking.js";
import { selectByThreshold } from "./token-threshold.js";

/**
 * Iterative token-level compression as a pure state machine (LLMLingua, paper §3.3): the units to
 * compress, in prompt order, are cut into windows of about `iterativeSize` tokens; the caller
 * scores each window conditioned on what was kept before it (Eq. 5) and hands the scores to
 * `decide`, which keeps each chunk's best units up to its share of the budget left. Tests
 * drive it with synthetic scores; `iterative-compression.ts` drives it with a scorer.
 *
 * Deviations from the reference: decisions are per unit (whole characters), so the scores are
 * those of the unit's own tokens (the reference keeps token j by the loss of token j+1); a
 * prompt shorter than one window is compressed too (reference issue #196); quotas track the
 * remaining budget (see rate-tracking.ts).
 */

export interface PlanUnit {
  readonly ids: readonly number[];
  /** Chunks never cross groups; a group is one structured segment of one context. */
  readonly group: number;
  /** Kept whatever its score: forced strings, compress=false segments, separators. */
  readonly forced: boolean;
  /** A structured segment's own rate; null follows the base ratio plus `delta`. */
  readonly explicitRate: number | null;
  /** The context's dynamic-ratio delta. */
  readonly delta: number;
}

export interface PlanWindow {
  /** Units [from, to) of the plan. */
  readonly from: number;
  readonly to: number;
  /** Their token ids, concatenated. */
  readonly ids: readonly number[];
}

export class TokenLevelPlan {
  readonly units: readonly PlanUnit[];
  readonly #iterativeSize: number;
  readonly #keep: boolean[];
  readonly #scores: number[];
  readonly #weights: number[];
  /** Σ weights of units [i, end): what the budget is shared over from unit i on. */
  readonly #weightFrom: number[];
  #remainingBudget: number;
  readonly #correctable: boolean[];

  /** `budget`: tokens to keep over all units, forced ones included. */
  constructor(units: readonly PlanUnit[], budget: number, iterativeSize: number) {
    this.units = units;
    this.#iterativeSize = iterativeSize;
    this.#keep = units.map((unit) => unit.forced);
    this.#scores = new Array<number>(units.length).fill(Number.NaN);
    this.#remainingBudget = budget - sumTokens(units.filter((unit) => unit.forced));
    const explicitSpend = units.reduce(
      (sum, unit) => sum + (unit.forced ? 0 : unit.ids.length * (unit.explicitRate ?? 0)),
      0,
    );
    const tau = solveBaseRatio(baseGroups(units), this.#remainingBudget - explicitSpend);
    const ratios = units.map((unit) =>
      unit.forced ? 0 : (unit.explicitRate ?? clampRatio(tau + unit.delta)),
    );
    // Relative to the largest ratio, so that uniform ratios give integer weights and exact
    // shares: then a lower budget never keeps a unit that a higher one drops.
    const largest = ratios.reduce((max, ratio) => Math.max(max, ratio), 0);
    this.#weights = units.map((unit, index) =>
      largest === 0 ? 0 : unit.ids.length * (at(ratios, index) / largest),
    );
    this.#weightFrom = new Array<number>(units.length + 1).fill(0);
    for (let index = units.length - 1; index >= 0; index--) {
      this.#weightFrom[index] = (this.#weightFrom[index + 1] ?? 0) + at(this.#weights, index);
    }
    // The final correction leaves explicitly rated segments alone when it has other units to use.
    const untagged = units.map((unit) => !unit.forced && unit.explicitRate === null);
    this.#correctable = untagged.some(Boolean) ? untagged : units.map((unit) => !unit.forced);
  }

  get totalTokens(): number {
    return sumTokens(this.units);
  }

  /** Windows in order; decide each one before asking for the next. */
  *windows(): Generator<PlanWindow> {
    let from = 0;
    while (from < this.units.length) {
      const ids: number[] = [];
      let to = from;
      while (to < this.units.length && ids.length < this.#iterativeSize) {
        ids.push(...(this.units[to]?.ids ?? []));
        to++;
      }
      yield { from, to, ids };
      from = to;
    }
  }

  /**
   * Decides a window from its per-token scores (higher = more informative; NaN = unscorable, as
   * for a first token without context, which is kept). Returns per-token keep flags to commit.
   */
  decide(window: PlanWindow, tokenScores: ArrayLike<number>): boolean[] {
    if (tokenScores.length !== window.ids.length) {
      throw new RangeError(`expected ${window.ids.length} scores, got ${tokenScores.length}`);
    }
    let offset = 0;
    for (let index = window.from; index < window.to; index++) {
      const size = this.units[index]?.ids.length ?? 0;
      this.#scores[index] = meanScore(tokenScores, offset, size);
      offset += size;
    }
    for (let start = window.from; start < window.to; ) {
      let end = start + 1;
      while (end < window.to && this.units[end]?.group === this.units[start]?.group) end++;
      this.#decideChunk(start, end);
      start = end;
    }
    return this.#tokenFlags(window);
  }

  #decideChunk(from: number, to: number): void {
    const free: number[] = [];
    let chunkWeight = 0;
    let capacity = 0;
    let unscorableWeight = 0;
    for (let index = from; index < to; index++) {
      const unit = this.units[index];
      if (unit === undefined || unit.forced) continue;
      if (Number.isNaN(this.#scores[index])) {
        this.#keep[index] = true;
        this.#remainingBudget -= unit.ids.length;
        unscorableWeight += at(this.#weights, index);
      } else {
        free.push(index);
        chunkWeight += at(this.#weights, index);
        capacity += unit.ids.length;
      }
    }
    const quota = chunkQuota({
      remainingBudget: this.#remainingBudget,
      chunkWeight,
      remainingWeight: (this.#weightFrom[from] ?? 0) - unscorableWeight,
      capacity,
    });
    const keep = selectByThreshold(
      free.map((index) => ({
        score: at(this.#scores, index),
        tokens: this.units[index]?.ids.length ?? 0,
      })),
      quota,
    );
    free.forEach((index, position) => {
      const flag = keep[position] ?? false;
      this.#keep[index] = flag;
      if (flag) this.#remainingBudget -= this.units[index]?.ids.length ?? 0;
    });
  }

  #tokenFlags(window: PlanWindow): boolean[] {
    const flags: boolean[] = [];
    for (let index = window.from; index < window.to; index++) {
      const size = this.units[index]?.ids.length ?? 0;
      for (let token = 0; token < size; token++) flags.push(this.#keep[index] ?? false);
    }
    return flags;
  }

  /** Per unit: kept or not. */
  get kept(): readonly boolean[] {
    return this.#keep;
  }

  get keptTokens(): number {
    return this.units.reduce(
      (sum, unit, index) => sum + (this.#keep[index] ? unit.ids.length : 0),
      0,
    );
  }

  /** Final correction: drop (excess > 0) or restore (excess < 0) about |excess| tokens. */
  rebalance(excess: number): void {
    const flags = rebalance(
      this.units.map((unit, index) => ({
        score: at(this.#scores, index),
        tokens: unit.ids.length,
        kept: this.#keep[index] ?? false,
        adjustable: (this.#correctable[index] ?? false) && !Number.isNaN(this.#scores[index]),
      })),
      excess,
    );
    flags.forEach((flag, index) => {
      this.#keep[index] = flag;
    });
  }
}

function sumTokens(units: readonly PlanUnit[]): number {
  return units.reduce((sum, unit) => sum + unit.ids.length, 0);
}

/** Free units following the base ratio, pooled by delta (few distinct values). */
function baseGroups(units: readonly PlanUnit[]): RatioGroup[] {
  const byDelta = new Map<number, number>();
  for (const unit of units) {
    if (unit.forced || unit.explicitRate !== null) continue;
    byDelta.set(unit.delta, (byDelta.get(unit.delta) ?? 0) + unit.ids.length);
  }
  return [...byDelta].map(([delta, tokens]) => ({ delta, tokens }));
}

function meanScore(scores: ArrayLike<number>, offset: number, size: number): number {
  let sum = 0;
  for (let token = offset; token < offset + size; token++) sum += scores[token] ?? Number.NaN;
  return size === 0 ? Number.NaN : sum / size;
}
