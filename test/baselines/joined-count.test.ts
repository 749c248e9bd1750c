import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { joinedTokenCount } from "../../src/compressors/baselines/joined-count.js";
import { DEFAULT_EMBEDDER_MODEL } from "../../src/model/defaults.js";
import { resolveTokenizerFolder } from "../../src/model/model-folder.js";
import { HfTokenizer } from "../../src/model/tokenizer.js";
import type { Tokenizer } from "../../src/model/types.js";
import { heldOutParagraphs } from "../helpers/corpus-text.js";
import { TestTokenizer } from "../helpers/test-tokenizer.js";

const pieceArbitrary = fc.constantFrom(
  "the",
  " whale",
  "Ahab",
  ".",
  ",",
  " ",
  "  ",
  "\n",
  "\n\n",
  "42",
  "café",
  "日本語",
  "😀",
  "—",
  "'s",
  "<|endoftext|>",
);
const partArbitrary = fc
  .array(pieceArbitrary, { minLength: 0, maxLength: 400 })
  .map((pieces) => pieces.join(""));

let bpe: Tokenizer;
beforeAll(async () => {
  bpe = await HfTokenizer.load(await resolveTokenizerFolder(DEFAULT_EMBEDDER_MODEL));
});

describe("joinedTokenCount", () => {
  it("equals the count of the joined text, for the project's BPE and the test tokenizer", () => {
    const tokenizers = [bpe, new TestTokenizer(), new TestTokenizer({ byteLevel: true })];
    fc.assert(
      fc.property(
        fc.array(partArbitrary, { minLength: 1, maxLength: 5 }),
        fc.constantFrom("\n\n", " ", "\n"),
        fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
        (parts, separator, knownFlags) => {
          for (const tokenizer of tokenizers) {
            const count = (text: string) => tokenizer.encode(text).length;
            const known = (index: number) =>
              knownFlags[index] ? count(parts[index] ?? "") : undefined;
            expect(joinedTokenCount(parts, separator, count, known)).toBe(
              count(parts.join(separator)),
            );
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("uses known counts of long parts and re-counts only the text around each join", () => {
    const document = heldOutParagraphs(30, 40).join("\n\n");
    const parts = ["Answer from the documents.", document, "Who sailed?"];
    const counted: number[] = [];
    const count = (text: string) => {
      counted.push(text.length);
      return bpe.encode(text).length;
    };
    const known = bpe.encode(document).length;
    const total = joinedTokenCount(parts, "\n\n", count, (index) =>
      index === 1 ? known : undefined,
    );
    expect(total).toBe(bpe.encode(parts.join("\n\n")).length);
    expect(Math.max(...counted)).toBeLessThan(600);
  });
});
