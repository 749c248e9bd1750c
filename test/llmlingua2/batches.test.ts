import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { lengthSortedBatches } from "../../src/model/token-classifier-inputs.js";

describe("length-sorted batches", () => {
  it("run every sequence once, within the position budget and at most 10% padding per row", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 512 }), { maxLength: 120 }),
        fc.integer({ min: 1, max: 9000 }),
        (lengths, budget) => {
          const batches = lengthSortedBatches(lengths, budget, 0.9);
          expect(batches.flat().sort((a, b) => a - b)).toEqual(lengths.map((_, i) => i));
          for (const batch of batches) {
            const width = lengths[batch[0] ?? 0] ?? 0;
            if (batch.length > 1) expect(batch.length * width).toBeLessThanOrEqual(budget);
            for (const i of batch) {
              expect(lengths[i]).toBeLessThanOrEqual(width);
              expect(lengths[i]).toBeGreaterThanOrEqual(0.9 * width);
            }
          }
        },
      ),
    );
  });

  it("keeps a short last chunk out of a batch of full ones", () => {
    expect(lengthSortedBatches([512, 200, 512, 505], 8192, 0.9)).toEqual([[0, 2, 3], [1]]);
  });
});
