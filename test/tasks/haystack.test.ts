import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fitLength, insertAtDepths, sentenceBoundaries } from "../../bench/tasks/haystack.js";
import { countWords } from "./helpers.js";

describe("fitLength", () => {
  it("returns the longest build that fits, within the slack", () => {
    const words = Array.from({ length: 5000 }, (_, i) => `w${i}${i % 7 === 0 ? "." : ""}`);
    const build = (n: number) => `fixed prefix: ${words.slice(0, n).join(" ")}`;
    fc.assert(
      fc.property(fc.integer({ min: 10, max: 6000 }), (target) => {
        const fit = fitLength(build, words.length, target, countWords, 0);
        expect(fit.tokens).toBeLessThanOrEqual(target);
        expect(fit.tokens).toBe(countWords(fit.text));
        if (fit.n < words.length) expect(countWords(build(fit.n + 1))).toBeGreaterThan(target);
      }),
      { numRuns: 50 },
    );
  });

  it("refuses a target below the fixed part", () => {
    expect(() => fitLength((n) => "a b c d".repeat(n + 1), 10, 2, countWords)).toThrow(RangeError);
  });
});

describe("insertAtDepths", () => {
  const text = "One. Two. Three. Four.";

  it("inserts at the sentence boundary nearest each depth", () => {
    expect(sentenceBoundaries(text)).toEqual([0, 5, 10, 17, 22]);
    expect(insertAtDepths(text, [{ sentence: "X.", depth: 0 }])).toBe("X. One. Two. Three. Four.");
    expect(insertAtDepths(text, [{ sentence: "X.", depth: 1 }])).toBe("One. Two. Three. Four. X.");
    expect(insertAtDepths(text, [{ sentence: "X.", depth: 0.5 }])).toBe(
      "One. Two. X. Three. Four.",
    );
  });

  it("keeps the given order of sentences that share a boundary", () => {
    const out = insertAtDepths(text, [
      { sentence: "B.", depth: 0.5 },
      { sentence: "A.", depth: 0.45 },
    ]);
    expect(out).toBe("One. Two. B. A. Three. Four.");
  });
});
