import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { splitIntoContexts } from "../../src/sdk/chunk.js";

describe("splitIntoContexts", () => {
  it("groups whole paragraphs up to the limit", () => {
    expect(splitIntoContexts("aaa\n\nbbb\n\n\nccc\n\ndddddddd", 8)).toEqual([
      "aaa\n\nbbb",
      "ccc",
      "dddddddd",
    ]);
  });

  it("loses no paragraph and keeps chunks within the limit unless one paragraph is longer", () => {
    const paragraph = fc.stringMatching(/^[a-z ]{1,30}$/).filter((text) => text.trim() !== "");
    fc.assert(
      fc.property(
        fc.array(paragraph, { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 80 }),
        (paragraphs, max) => {
          const chunks = splitIntoContexts(paragraphs.join("\n\n"), max);
          expect(chunks.join("\n\n")).toBe(paragraphs.map((text) => text.trim()).join("\n\n"));
          for (const chunk of chunks) {
            expect(chunk.length <= max || !chunk.includes("\n\n")).toBe(true);
          }
        },
      ),
    );
  });
});
