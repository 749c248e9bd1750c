import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chunkEndTest, chunkWords } from "../../src/compressors/llmlingua2/chunks.js";
import type { Word } from "../../src/compressors/llmlingua2/words.js";

/** Words of the given token counts, one character each, back to back. */
function words(tokenCounts: readonly number[]): Word[] {
  let token = 0;
  return tokenCounts.map((tokenCount, i) => {
    const word = { firstToken: token, tokenCount, start: i, end: i + 1 };
    token += tokenCount;
    return word;
  });
}

describe("chunking", () => {
  it("ends a chunk at the last sentence end that fits, never past the limit", () => {
    const text = "ab.cd.ef";
    const list = words([2, 2, 1, 2, 2, 1, 2, 2]);
    const chunks = chunkWords(list, 7, chunkEndTest(text, list, ["."]));
    expect(chunks).toEqual([
      { start: 0, end: 5 },
      { start: 5, end: 10 },
      { start: 10, end: 14 },
    ]);
  });

  it("reads chunk ends in the whitespace after a word (WordPiece has no newline token)", () => {
    const text = "aa\nbb cc";
    const list: Word[] = [
      { firstToken: 0, tokenCount: 2, start: 0, end: 2 },
      { firstToken: 2, tokenCount: 2, start: 3, end: 5 },
      { firstToken: 4, tokenCount: 2, start: 6, end: 8 },
    ];
    expect(chunkWords(list, 5, chunkEndTest(text, list, ["\n"]))).toEqual([
      { start: 0, end: 2 },
      { start: 2, end: 6 },
    ]);
  });

  it("covers every token once, whole words only, each chunk within the limit", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.boolean(), { minLength: 200, maxLength: 200 }),
        (counts, limit, ends) => {
          const list = words(counts);
          const chunks = chunkWords(list, limit, (w) => ends[w] ?? false);
          const starts = new Set(list.map((w) => w.firstToken));
          let at = 0;
          for (const chunk of chunks) {
            expect(chunk.start).toBe(at);
            expect(chunk.end - chunk.start).toBeLessThanOrEqual(limit);
            expect(chunk.end).toBeGreaterThan(chunk.start);
            at = chunk.end;
          }
          expect(at).toBe(counts.reduce((a, b) => a + b, 0));
          // A chunk boundary inside a word only where that word alone exceeds the limit.
          for (const chunk of chunks.slice(1)) {
            if (!starts.has(chunk.start)) {
              const word = list.findLast((w) => w.firstToken < chunk.start);
              expect(word?.tokenCount).toBeGreaterThan(limit);
            }
          }
        },
      ),
    );
  });
});
