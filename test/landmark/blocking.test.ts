import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Block, splitIntoBlocks } from "../../src/compressors/landmark/blocking.js";
import { heldOutParagraphs } from "../helpers/corpus-text.js";
import { TestTokenizer } from "../helpers/test-tokenizer.js";

const words = new TestTokenizer();
const bytes = new TestTokenizer({ byteLevel: true });

const sentenceArbitrary = fc
  .array(fc.constantFrom("the", "ship", "Ahab", "42", "café", "日本", "😀", "x-ray", "a,"), {
    minLength: 1,
    maxLength: 30,
  })
  .chain((pieces) =>
    fc.constantFrom(".", "!", "?", "", ".\n\n", "\n").map((end) => `${pieces.join(" ")}${end}`),
  );
const textArbitrary = fc
  .array(sentenceArbitrary, { minLength: 1, maxLength: 25 })
  .map((sentences) => sentences.join(" "));

function expectTiling(text: string, blocks: readonly Block[], tokenCount: number): void {
  expect(blocks[0]?.start).toBe(0);
  expect(blocks.at(-1)?.end).toBe(text.length);
  let nextToken = 0;
  blocks.forEach((block, index) => {
    expect(block.id).toBe(index);
    expect(block.firstToken).toBe(nextToken);
    expect(block.tokenCount).toBeGreaterThan(0);
    if (index > 0) expect(block.start).toBe(blocks[index - 1]?.end);
    nextToken += block.tokenCount;
  });
  expect(nextToken).toBe(tokenCount);
  expect(blocks.map((block) => text.slice(block.start, block.end)).join("")).toBe(text);
}

describe("splitIntoBlocks", () => {
  it("tiles any text exactly, with blocks within the size unless one character is longer", () => {
    fc.assert(
      fc.property(
        textArbitrary,
        fc.integer({ min: 1, max: 40 }),
        fc.boolean(),
        (text, size, byteLevel) => {
          const tokens = (byteLevel ? bytes : words).encodeWithSpans(text);
          const blocks = splitIntoBlocks(text, tokens, size);
          expectTiling(text, blocks, tokens.ids.length);
          for (const block of blocks) {
            // A block never starts on a continuation byte of a character (an empty span).
            const [start, end] = tokens.spans[block.firstToken] ?? [0, 0];
            expect(end).toBeGreaterThan(start);
            // 😀 is four byte tokens: a block of fewer tokens grows to hold it whole.
            expect(block.tokenCount).toBeLessThanOrEqual(Math.max(size, 4));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("ends a block at a sentence boundary whenever one lies in its last half", () => {
    // A cut is a sentence cut when the whitespace around it holds a line break, or follows end
    // punctuation (and optional closing quotes or brackets).
    const isSentenceCut = (text: string, at: number) => {
      const before = /\s*$/.exec(text.slice(0, at))?.[0] ?? "";
      const after = /^\s*/.exec(text.slice(at))?.[0] ?? "";
      if (`${before}${after}`.includes("\n")) return true;
      const punctuated = /[.!?;]["')\]]*$/.test(text.slice(0, at - before.length));
      return punctuated && before.length + after.length > 0;
    };
    fc.assert(
      fc.property(textArbitrary, fc.integer({ min: 4, max: 40 }), (text, size) => {
        const tokens = words.encodeWithSpans(text);
        const blocks = splitIntoBlocks(text, tokens, size);
        for (const block of blocks.slice(0, -1)) {
          if (isSentenceCut(text, block.end)) continue;
          for (let cut = Math.ceil(size / 2); cut <= size; cut++) {
            const at = tokens.spans[block.firstToken + cut]?.[0] ?? text.length;
            expect(isSentenceCut(text, at), `a sentence cut at ${at} was passed over`).toBe(false);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it("keeps sentences of English prose whole and is deterministic", () => {
    const text = heldOutParagraphs(6, 20).join("\n\n");
    const tokens = words.encodeWithSpans(text);
    const blocks = splitIntoBlocks(text, tokens, 64);
    expectTiling(text, blocks, tokens.ids.length);
    const sentenceEnds = blocks
      .slice(0, -1)
      .filter((block) => /[.!?;]["')\]]*\s*$/.test(text.slice(block.start, block.end)));
    expect(sentenceEnds.length / (blocks.length - 1)).toBeGreaterThan(0.8);
    expect(splitIntoBlocks(text, tokens, 64)).toEqual(blocks);
  });

  it("gives one block to a text shorter than the size, none to an empty text", () => {
    const tokens = words.encodeWithSpans("A short text.");
    expect(splitIntoBlocks("A short text.", tokens, 50)).toEqual([
      { id: 0, start: 0, end: 13, firstToken: 0, tokenCount: tokens.ids.length },
    ]);
    expect(splitIntoBlocks("", { ids: [], spans: [] }, 50)).toEqual([]);
  });

  it("refuses a block size that is not a positive integer", () => {
    const tokens = words.encodeWithSpans("text");
    for (const size of [0, -5, 2.5, Number.NaN]) {
      expect(() => splitIntoBlocks("text", tokens, size)).toThrow(/positive integer/);
    }
  });
});
