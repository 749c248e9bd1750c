import { describe, expect, it } from "vitest";
import { applyContextBudget, selectContexts } from "../../src/compressors/budget-controller.js";
import { rankDeltas } from "../../src/compressors/dynamic-ratio.js";
import { reorderContexts } from "../../src/compressors/reorder.js";

describe("applyContextBudget", () => {
  it("applies +, -, * and / to the target", () => {
    expect(applyContextBudget(300, "+100")).toBe(400);
    expect(applyContextBudget(300, "-50")).toBe(250);
    expect(applyContextBudget(300, "*2")).toBe(600);
    expect(applyContextBudget(300, " / 1.5 ")).toBe(200);
  });

  it("counts a negative target as 0 and rejects anything else", () => {
    expect(applyContextBudget(-40, "+100")).toBe(100);
    expect(() => applyContextBudget(10, "target+1")).toThrow(/invalid context budget/);
  });
});

describe("selectContexts", () => {
  const lengths = [100, 200, 300, 400];

  it("keeps contexts in rank order until the budget runs out, the crossing one included", () => {
    expect(
      selectContexts({ ranking: [3, 1, 0, 2], lengths, budget: 450, forced: new Set() }),
    ).toEqual([3, 1]);
    // Spending the budget exactly is not yet crossing it (as in the reference): one more is kept.
    expect(
      selectContexts({ ranking: [3, 1, 0, 2], lengths, budget: 400, forced: new Set() }),
    ).toEqual([3, 1]);
    expect(
      selectContexts({ ranking: [3, 1, 0, 2], lengths, budget: 399, forced: new Set() }),
    ).toEqual([3]);
    expect(
      selectContexts({ ranking: [3, 1, 0, 2], lengths, budget: 0, forced: new Set() }),
    ).toEqual([3]);
  });

  it("always keeps forced contexts, and they spend the budget first", () => {
    expect(
      selectContexts({ ranking: [3, 1, 0, 2], lengths, budget: 450, forced: new Set([2]) }),
    ).toEqual([3, 2]);
    expect(
      selectContexts({ ranking: [0, 1, 2, 3], lengths, budget: 100, forced: new Set([3]) }),
    ).toEqual([3]);
  });
});

describe("rankDeltas", () => {
  it("runs linearly from +δ for the best to −δ for the worst", () => {
    expect(rankDeltas(5, 0.3).map((x) => Number(x.toFixed(6)))).toEqual([
      0.3, 0.15, 0, -0.15, -0.3,
    ]);
    expect(rankDeltas(1, 0.3)).toEqual([0]);
    expect(rankDeltas(0, 0.3)).toEqual([]);
  });
});

describe("reorderContexts", () => {
  const rankOrder = [4, 0, 3, 1, 2];

  it("original restores document order, sort keeps rank order", () => {
    expect(reorderContexts(rankOrder, "original")).toEqual([0, 1, 2, 3, 4]);
    expect(reorderContexts(rankOrder, "sort")).toEqual(rankOrder);
  });

  it("two_stage puts even ranks first and odd ranks reversed at the end", () => {
    // Ranks 0, 2, 4 then 3, 1: the two best contexts sit at both edges.
    expect(reorderContexts(rankOrder, "two_stage")).toEqual([4, 3, 2, 1, 0]);
    expect(reorderContexts([10, 11, 12, 13], "two_stage")).toEqual([10, 12, 13, 11]);
  });
});
