import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  orderPassages,
  passagesOf,
  rankBlocks,
  type ScoredBlock,
  selectBlocks,
} from "../../src/compressors/landmark/selection.js";

/** Blocks of up to 4 contexts, in document order, with arbitrary sizes and scores. */
const blocksArbitrary = fc
  .array(
    fc.record({
      context: fc.integer({ min: 0, max: 3 }),
      tokens: fc.integer({ min: 1, max: 80 }),
      score: fc.oneof(fc.double({ min: -1, max: 1, noNaN: true }), fc.constant(Number.NaN)),
    }),
    { minLength: 0, maxLength: 60 },
  )
  .map((drawn) => {
    const sorted = [...drawn].sort((a, b) => a.context - b.context);
    const ids = new Map<number, number>();
    return sorted.map((block): ScoredBlock => {
      const id = ids.get(block.context) ?? 0;
      ids.set(block.context, id + 1);
      return { ...block, id };
    });
  });

const optionsArbitrary = fc.record({
  topK: fc.option(fc.integer({ min: 1, max: 12 }), { nil: null }),
  budget: fc.integer({ min: 0, max: 600 }),
  neighbours: fc.boolean(),
});

const tokensOf = (blocks: readonly ScoredBlock[], chosen: readonly number[]) =>
  chosen.reduce((sum, index) => sum + (blocks[index]?.tokens ?? 0), 0);

describe("block selection", () => {
  it("never exceeds the budget, returns distinct indexes in document order", () => {
    fc.assert(
      fc.property(blocksArbitrary, optionsArbitrary, (blocks, options) => {
        const chosen = selectBlocks(blocks, options);
        expect(tokensOf(blocks, chosen)).toBeLessThanOrEqual(options.budget);
        expect(chosen).toEqual([...new Set(chosen)].sort((a, b) => a - b));
        for (const index of chosen) expect(blocks[index]).toBeDefined();
      }),
      { numRuns: 500 },
    );
  });

  it("without neighbours takes the k best blocks that fit, and fills a large budget", () => {
    fc.assert(
      fc.property(blocksArbitrary, fc.integer({ min: 1, max: 12 }), (blocks, topK) => {
        const everything = tokensOf(
          blocks,
          blocks.map((_, index) => index),
        );
        const chosen = selectBlocks(blocks, { topK, budget: everything, neighbours: false });
        expect(chosen).toEqual(
          rankBlocks(blocks)
            .slice(0, topK)
            .sort((a, b) => a - b),
        );
      }),
      { numRuns: 300 },
    );
  });

  it("with neighbours, each block taken for its score brings its neighbours when they fit", () => {
    fc.assert(
      fc.property(blocksArbitrary, fc.integer({ min: 1, max: 6 }), (blocks, topK) => {
        const everything = tokensOf(
          blocks,
          blocks.map((_, index) => index),
        );
        const chosen = new Set(
          selectBlocks(blocks, { topK, budget: everything, neighbours: true }),
        );
        for (const index of rankBlocks(blocks).slice(0, topK)) {
          expect(chosen.has(index)).toBe(true);
          for (const neighbour of [index - 1, index + 1]) {
            if (blocks[neighbour]?.context === blocks[index]?.context) {
              expect(chosen.has(neighbour)).toBe(true);
            }
          }
        }
        expect(chosen.size).toBeLessThanOrEqual(3 * topK);
      }),
      { numRuns: 300 },
    );
  });

  it("passes over a block that does not fit for a smaller one", () => {
    const blocks: ScoredBlock[] = [
      { context: 0, id: 0, tokens: 100, score: 0.9 },
      { context: 0, id: 1, tokens: 30, score: 0.5 },
      { context: 0, id: 2, tokens: 30, score: 0.1 },
    ];
    expect(selectBlocks(blocks, { topK: 1, budget: 50, neighbours: false })).toEqual([1]);
    // The best block fits only without its neighbour: it comes alone.
    expect(selectBlocks(blocks, { topK: 1, budget: 100, neighbours: true })).toEqual([0]);
  });

  it("joins touching blocks of one context into passages", () => {
    const blocks: ScoredBlock[] = [0, 1, 2, 3].map((id) => ({
      context: 0,
      id,
      tokens: 1,
      score: 0,
    }));
    blocks.push({ context: 1, id: 0, tokens: 1, score: 0 });
    expect(passagesOf(blocks, [0, 1, 3, 4]).map((passage) => passage.blocks)).toEqual([
      [0, 1],
      [3],
      [4],
    ]);
  });

  it("orders passages: document order, best first, or best at both edges", () => {
    const scores = [0.2, 0.9, 0.5, 0.7, 0.1];
    const blocks: ScoredBlock[] = scores.map((score, id) => ({
      context: 0,
      id: id * 2,
      tokens: 1,
      score,
    }));
    const passages = passagesOf(blocks, [0, 1, 2, 3, 4]);
    const order = (method: "original" | "sort" | "two_stage") =>
      orderPassages(blocks, passages, method).map((passage) => scores[passage.blocks[0] ?? 0]);
    expect(order("original")).toEqual(scores);
    expect(order("sort")).toEqual([0.9, 0.7, 0.5, 0.2, 0.1]);
    // Ranks 1, 3, 5 from the front, then ranks 4, 2 reversed: the two best at the two edges.
    expect(order("two_stage")).toEqual([0.9, 0.5, 0.1, 0.2, 0.7]);
  });

  it("reordering only permutes passages", () => {
    fc.assert(
      fc.property(blocksArbitrary, optionsArbitrary, (blocks, options) => {
        const passages = passagesOf(blocks, selectBlocks(blocks, options));
        for (const method of ["original", "sort", "two_stage"] as const) {
          const ordered = orderPassages(blocks, passages, method);
          expect([...ordered].sort((a, b) => (a.blocks[0] ?? 0) - (b.blocks[0] ?? 0))).toEqual(
            passages,
          );
        }
      }),
      { numRuns: 200 },
    );
  });
});
