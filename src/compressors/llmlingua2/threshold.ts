import { at } from "../../errors/at.js";

/**
 * LLMLingua-2's thresholds. Per chunk, each word's probability counts once per target-LLM token
 * of the word, and words above the percentile int(100·(1−rate)+1) of that weighted list are kept
 * (a word exactly at a threshold of 1.0 too, so forced words survive). Percentiles interpolate
 * linearly between order statistics, as numpy.percentile does by default.
 */

/** numpy.percentile(values, p) with linear interpolation; NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  return weightedPercentile(values, new Array<number>(values.length).fill(1), p);
}

/**
 * The percentile of the list in which values[i] appears weights[i] times (whole numbers), without
 * building that list: the reference repeats each word's probability per token.
 */
export function weightedPercentile(
  values: readonly number[],
  weights: readonly number[],
  p: number,
): number {
  const order = values
    .map((_, i) => i)
    .filter((i) => at(weights, i) > 0)
    .sort((a, b) => at(values, a) - at(values, b));
  const total = order.reduce((sum, i) => sum + at(weights, i), 0);
  if (total === 0) return Number.NaN;
  const position = ((total - 1) * p) / 100;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  // Value at each expanded position: walk the cumulative weights once for both.
  let below = 0;
  let lowerValue = Number.NaN;
  let upperValue = Number.NaN;
  for (const i of order) {
    const next = below + at(weights, i);
    if (Number.isNaN(lowerValue) && lower < next) lowerValue = at(values, i);
    if (upper < next) {
      upperValue = at(values, i);
      break;
    }
    below = next;
  }
  return lowerValue + (upperValue - lowerValue) * (position - lower);
}

/**
 * The reference's percentile for a keep rate, int(100·(1−rate)+1), except where that reaches 100:
 * below a rate of 1% the reference's threshold is the largest probability and, with "keep what
 * is above it", nothing is kept at all (deliberate deviation: 100·(1−rate) there, which keeps
 * about `rate` of the text). Above 1% it keeps the reference's behaviour, about 1% of the text
 * less than asked.
 */
export function thresholdPercentile(rate: number): number {
  const reference = Math.floor(100 * (1 - rate) + 1);
  return reference < 100 ? reference : 100 * (1 - rate);
}

/** Threshold over a chunk's words; −Infinity (keep all) at rate 1 or when nothing has weight. */
export function chunkThreshold(
  probabilities: readonly number[],
  weights: readonly number[],
  rate: number,
): number {
  if (rate >= 1) return Number.NEGATIVE_INFINITY;
  const threshold = weightedPercentile(probabilities, weights, thresholdPercentile(rate));
  return Number.isNaN(threshold) ? Number.NEGATIVE_INFINITY : threshold;
}

export function isKept(probability: number, threshold: number): boolean {
  return probability > threshold || (threshold === 1 && probability === 1);
}
