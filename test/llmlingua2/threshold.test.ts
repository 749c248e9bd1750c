import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  chunkThreshold,
  isKept,
  percentile,
  thresholdPercentile,
  weightedPercentile,
} from "../../src/compressors/llmlingua2/threshold.js";

describe("LLMLingua-2 thresholds", () => {
  it("matches numpy.percentile (linear interpolation)", () => {
    const values = [0.9, 0.1, 0.5, 0.3, 0.7, 0.2];
    // Printed by numpy 1.24: np.percentile(values, p).
    const numpy: [number, number][] = [
      [0, 0.1],
      [10, 0.15],
      [25, 0.225],
      [50, 0.4],
      [51, 0.41],
      [90, 0.8],
      [99, 0.89],
      [100, 0.9],
    ];
    for (const [p, expected] of numpy) expect(percentile(values, p)).toBeCloseTo(expected, 12);
  });

  it("weights like repeating each value (the reference repeats a word's probability per token)", () => {
    const values = [0.9, 0.1, 0.5, 0.3, 0.7, 0.2];
    const weights = [3, 1, 2, 1, 1, 2];
    // np.percentile of the expanded list.
    expect(weightedPercentile(values, weights, 36)).toBeCloseTo(0.348, 12);
    expect(weightedPercentile(values, weights, 51)).toBeCloseTo(0.5, 12);
    expect(weightedPercentile(values, weights, 66)).toBeCloseTo(0.688, 12);
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 4 })),
          {
            minLength: 1,
            maxLength: 40,
          },
        ),
        fc.integer({ min: 0, max: 100 }),
        (pairs, p) => {
          const expanded = pairs.flatMap(([v, w]) => new Array<number>(w).fill(v));
          const weighted = weightedPercentile(
            pairs.map(([v]) => v),
            pairs.map(([, w]) => w),
            p,
          );
          if (expanded.length === 0) return Number.isNaN(weighted);
          return Math.abs(weighted - percentile(expanded, p)) < 1e-12;
        },
      ),
    );
  });

  it("uses the reference's percentile int(100·(1−rate)+1) where it keeps anything", () => {
    expect(thresholdPercentile(0.5)).toBe(51);
    expect(thresholdPercentile(0.65)).toBe(36);
    expect(thresholdPercentile(0.9)).toBe(10); // 100·(1−0.9) is 9.999…: truncated, as in Python
    expect(thresholdPercentile(0.3)).toBe(71);
    // Below 1% the reference's 100 would keep nothing: 100·(1−rate) instead.
    expect(thresholdPercentile(0.01)).toBeCloseTo(99, 12);
    expect(thresholdPercentile(0.001)).toBeCloseTo(99.9, 12);
    // So a chunk compressed at 0.5% still keeps its most likely 0.5%.
    const probabilities = Array.from({ length: 1000 }, (_, i) => i / 1000);
    const threshold = chunkThreshold(probabilities, new Array(1000).fill(1), 0.005);
    expect(probabilities.filter((p) => isKept(p, threshold))).toHaveLength(5);
  });

  it("keeps everything at rate 1, and words at a threshold of 1.0 (forced ones)", () => {
    expect(chunkThreshold([0.2, 0.4], [1, 1], 1)).toBe(Number.NEGATIVE_INFINITY);
    expect(chunkThreshold([0.2], [0], 0.5)).toBe(Number.NEGATIVE_INFINITY);
    const threshold = chunkThreshold([1, 1, 1, 0.3], [1, 1, 1, 1], 0.1);
    expect(threshold).toBe(1);
    expect(isKept(1, threshold)).toBe(true);
    expect(isKept(0.3, threshold)).toBe(false);
    expect(isKept(0.5, 0.4)).toBe(true);
    expect(isKept(0.4, 0.4)).toBe(false);
  });
});
