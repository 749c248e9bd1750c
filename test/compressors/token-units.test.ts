import { describe, expect, it } from "vitest";
import { chunkQuota, rebalance, solveBaseRatio } from "../../src/compressors/rate-tracking.js";
import { selectByThreshold } from "../../src/compressors/token-threshold.js";
import {
  groupTokenUnits,
  mergeSpans,
  textOfSpans,
  unitsCoveringStrings,
} from "../../src/compressors/token-units.js";
import { TestTokenizer } from "../helpers/test-tokenizer.js";

describe("token units", () => {
  it("joins byte tokens of one character into the unit holding its first byte", () => {
    const text = "ab 😀é";
    const { spans } = new TestTokenizer({ byteLevel: true }).encodeWithSpans(text);
    const units = groupTokenUnits(spans);
    expect(units.map((unit) => text.slice(unit.start, unit.end))).toEqual(["ab", " ", "😀", "é"]);
    expect(units.map((unit) => unit.tokenCount)).toEqual([1, 1, 4, 2]);
  });

  it("merges touching spans and cuts text by spans", () => {
    const spans = mergeSpans([
      [0, 2],
      [2, 4],
      [5, 5],
      [6, 8],
    ]);
    expect(spans).toEqual([
      [0, 4],
      [6, 8],
    ]);
    expect(textOfSpans("abcdefgh", spans)).toBe("abcdgh");
  });

  it("flags every unit overlapping an occurrence of a forced string", () => {
    const text = "Why? Because.\nNext?";
    const { spans } = new TestTokenizer().encodeWithSpans(text);
    const units = groupTokenUnits(spans);
    const flags = unitsCoveringStrings(text, units, ["?", "\n"]);
    const flagged = units
      .filter((_, index) => flags[index])
      .map((unit) => text.slice(unit.start, unit.end));
    expect(flagged).toEqual(["?", "\n", "?"]);
    // A string spanning several units flags all of them.
    const phrase = unitsCoveringStrings(text, units, ["y? Be"]);
    expect(
      units.filter((_, index) => phrase[index]).map((unit) => text.slice(unit.start, unit.end)),
    ).toEqual(["Why", "?", " Because"]);
  });
});

describe("threshold and budget pieces", () => {
  it("selectByThreshold keeps the best units up to the quota, ties to the earlier unit", () => {
    const candidates = [3, 1, 3, 2].map((score) => ({ score, tokens: 1 }));
    expect(selectByThreshold(candidates, 2)).toEqual([true, false, true, false]);
    expect(selectByThreshold(candidates, 0)).toEqual([false, false, false, false]);
    // A 3-token unit is taken when at least half of it fits.
    expect(selectByThreshold([{ score: 5, tokens: 3 }], 2)).toEqual([true]);
    expect(selectByThreshold([{ score: 5, tokens: 3 }], 1)).toEqual([false]);
  });

  it("solveBaseRatio finds τ so that clamped ratios spend the budget", () => {
    const groups = [
      { tokens: 100, delta: 0.3 },
      { tokens: 100, delta: -0.3 },
    ];
    const tau = solveBaseRatio(groups, 50);
    // τ−0.3 clamps to 0, so τ+0.3 alone must give 50 tokens: τ = 0.2.
    expect(tau).toBeCloseTo(0.2, 6);
    expect(solveBaseRatio(groups, 1000)).toBe(2);
    expect(solveBaseRatio(groups, 0)).toBe(-1);
  });

  it("chunkQuota shares the remaining budget by weight", () => {
    expect(
      chunkQuota({ remainingBudget: 50, chunkWeight: 20, remainingWeight: 100, capacity: 40 }),
    ).toBe(10);
    expect(
      chunkQuota({ remainingBudget: 50, chunkWeight: 100, remainingWeight: 100, capacity: 40 }),
    ).toBe(40);
    expect(
      chunkQuota({ remainingBudget: -3, chunkWeight: 10, remainingWeight: 10, capacity: 10 }),
    ).toBe(0);
  });

  it("rebalance only flips adjustable units", () => {
    const units = [
      { score: 0, tokens: 1, kept: true, adjustable: false },
      { score: 1, tokens: 1, kept: true, adjustable: true },
      { score: 2, tokens: 1, kept: false, adjustable: true },
    ];
    expect(rebalance(units, 2)).toEqual([true, false, false]);
    expect(rebalance(units, -1)).toEqual([true, true, true]);
  });
});
