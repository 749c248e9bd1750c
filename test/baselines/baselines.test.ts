import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { phraseSpans } from "../../src/compressors/baselines/phrases.js";
import { dropLeastInformative } from "../../src/compressors/baselines/selective-context.js";
import { METHODS, runCompression, validateCompressRequest } from "../../src/compressors/index.js";
import type { CompressionResult } from "../../src/compressors/types.js";
import { expectCompressionInvariants } from "../helpers/compression-invariants.js";
import { heldOutParagraphs } from "../helpers/corpus-text.js";
import { TestScorer, testModels } from "../helpers/test-scorer.js";

const scorer = new TestScorer();
const env = { models: testModels(scorer) };
const count = (text: string) => scorer.tokenizer.encode(text).length;
const longText = heldOutParagraphs(40, 300).join("\n\n");

function expectRate(result: CompressionResult, rate: number): void {
  const requested = rate * result.stats.counts.originalTokens;
  expect(Math.abs(result.stats.counts.compressedTokens - requested)).toBeLessThanOrEqual(
    0.1 * requested,
  );
}

describe("baselines", () => {
  it("are registered methods", () => {
    for (const method of ["truncate", "random", "selective-context", "bm25-blocks"]) {
      expect(METHODS).toContain(method);
    }
  });

  describe("truncate", () => {
    it.each([0.2, 0.5, 0.8])("keeps the head, the tail or both ends at rate %d", async (rate) => {
      const input = { contexts: [longText] };
      for (const strategy of ["head", "tail", "middle-out"] as const) {
        const result = await runCompression(input, { method: "truncate", rate, strategy }, env);
        expectRate(result, rate);
        expectCompressionInvariants(result, input, scorer.tokenizer);
        const spans = result.contexts[0]?.keptSpans ?? [];
        if (strategy === "head") expect(spans).toEqual([[0, spans[0]?.[1]]]);
        if (strategy === "tail")
          expect(spans).toEqual([[spans[0]?.[0], longText.trimEnd().length]]);
        if (strategy === "middle-out") {
          expect(spans).toHaveLength(2);
          expect(spans[0]?.[0]).toBe(0);
          expect(spans[1]?.[1]).toBe(longText.trimEnd().length);
        }
      }
    });

    it("spends the budget over contexts in order and keeps instruction and question", async () => {
      const input = {
        instruction: "Read the documents.",
        contexts: heldOutParagraphs(6, 10),
        question: "What happened?",
      };
      const result = await runCompression(input, { method: "truncate", targetTokens: 200 }, env);
      expect(result.prompt.startsWith("Read the documents.\n\n")).toBe(true);
      expect(result.prompt.endsWith("\n\nWhat happened?")).toBe(true);
      expect(result.stats.counts.compressedTokens).toBeLessThanOrEqual(205);
      expect(result.contexts.map((context) => context.index)).toEqual(
        result.contexts.map((_, position) => position),
      );
      expectCompressionInvariants(result, input, scorer.tokenizer);
    });
  });

  describe("random", () => {
    it("drops tokens at the rate, reproducibly for a seed", async () => {
      const input = { contexts: [longText] };
      for (const rate of [0.1, 0.5, 0.9]) {
        const result = await runCompression(input, { method: "random", rate, seed: 7 }, env);
        expectRate(result, rate);
        expectCompressionInvariants(result, input, scorer.tokenizer);
        const again = await runCompression(input, { method: "random", rate, seed: 7 }, env);
        expect(again.prompt).toBe(result.prompt);
      }
      const [one, other] = await Promise.all(
        [1, 2].map((seed) => runCompression(input, { method: "random", rate: 0.5, seed }, env)),
      );
      expect(one?.prompt).not.toBe(other?.prompt);
    });

    it("never cuts a character in half", async () => {
      const input = { contexts: ["Zürich café 😀 naïve résumé 日本語のテキスト. ".repeat(40)] };
      const result = await runCompression(input, { method: "random", rate: 0.4 }, env);
      expectCompressionInvariants(result, input, scorer.tokenizer);
    });
  });

  describe("selective-context", () => {
    it("tracks the rate and keeps the phrases with the most self-information", async () => {
      const input = { contexts: [longText] };
      for (const rate of [0.3, 0.6]) {
        const result = await runCompression(input, { method: "selective-context", rate }, env);
        expectRate(result, rate);
        expectCompressionInvariants(result, input, scorer.tokenizer);
        expect(result.stats.models.scorer).toBe(scorer.modelId);
      }
      // A scorer to which "the" and "of" are certain: their phrases go first.
      const predictable = new Set(scorer.tokenizer.encode(" the of the"));
      const fixed = new TestScorer({
        logprobOf: (token) => (predictable.has(token) ? -0.001 : -5),
      });
      const text = "Ahab hunted the whale of the sea with the crew of the ship. ".repeat(10);
      const result = await runCompression(
        { contexts: [text] },
        { method: "selective-context", rate: 0.8 },
        { models: testModels(fixed) },
      );
      expect(result.prompt).not.toMatch(/\bof\b/);
      expect(result.prompt).toMatch(/Ahab/);
    });

    it("meets a budget near 1% over hundreds of short contexts: one budget for all of them", () => {
      // 200 contexts of 10 five-token phrases; a 1% budget is 100 tokens, half a token per
      // context: per-context budgets would round every context to nothing.
      const phrases = Array.from({ length: 200 }, (_, context) =>
        Array.from({ length: 10 }, (_, index) => ({
          units: [index],
          tokens: 5,
          selfInformation: ((context * 7919 + index * 104729) % 1000) / 10,
        })),
      );
      const flags = dropLeastInformative(phrases, new Array(200).fill(10), 100);
      const keptPhrases = phrases.flatMap((list, context) =>
        list.filter((_, index) => flags[context]?.[index]),
      );
      expect(keptPhrases).toHaveLength(20);
      // The kept ones are the 20 most informative of all 2,000, wherever they are.
      const cut = phrases
        .flat()
        .map((phrase) => phrase.selfInformation)
        .sort((x, y) => y - x)[19] as number;
      for (const phrase of keptPhrases) expect(phrase.selfInformation).toBeGreaterThanOrEqual(cut);
      // A phrase without a score (infinite self-information) is never dropped.
      const unscored = [[{ units: [0], tokens: 5, selfInformation: Number.POSITIVE_INFINITY }]];
      expect(dropLeastInformative(unscored, [1], 0)).toEqual([[true]]);
    });

    it("splits text into phrases that tile it", () => {
      fc.assert(
        fc.property(fc.string({ unit: "grapheme", maxLength: 200 }), (text) => {
          const spans = phraseSpans(text);
          expect(spans.map(([start, end]) => text.slice(start, end)).join("")).toBe(text);
          spans.forEach(([start, end], index) => {
            expect(end).toBeGreaterThan(start);
            if (index > 0) expect(start).toBe(spans[index - 1]?.[1]);
          });
        }),
        { numRuns: 300 },
      );
      const text = "The old man of the sea, and his boat.";
      expect(phraseSpans(text).map(([start, end]) => text.slice(start, end))).toEqual([
        "The old man",
        " of",
        " the sea",
        ",",
        " and",
        " his boat",
        ".",
      ]);
    });
  });

  describe("bm25-blocks", () => {
    const needle = "The registration number of Velkaro is 493021.";
    const paragraphs = heldOutParagraphs(30, 500);
    paragraphs.splice(17, 0, needle);
    const input = {
      contexts: [paragraphs.join("\n\n")],
      question: "What is the registration number of Velkaro?",
    };

    it("retrieves the block holding the answer, under the budget", async () => {
      const result = await runCompression(input, { method: "bm25-blocks", topK: 2 }, env);
      expect(result.prompt).toContain(needle);
      expectCompressionInvariants(result, input, scorer.tokenizer);
      expect(
        result.contexts.reduce((sum, context) => sum + context.compressedTokens, 0),
      ).toBeLessThanOrEqual(2 * 64 + 4);
      const budgeted = await runCompression(
        input,
        { method: "bm25-blocks", targetTokens: 100, topK: null },
        env,
      );
      expect(budgeted.stats.counts.compressedTokens).toBeLessThanOrEqual(104);
      expect(budgeted.prompt).toContain("Velkaro");
    });

    it("takes neighbours and reorders passages on request", async () => {
      const plain = await runCompression(input, { method: "bm25-blocks", topK: 3 }, env);
      const withNeighbours = await runCompression(
        input,
        { method: "bm25-blocks", topK: 3, neighbours: true },
        env,
      );
      expect(withNeighbours.stats.counts.compressedTokens).toBeGreaterThan(
        plain.stats.counts.compressedTokens,
      );
      expectCompressionInvariants(withNeighbours, input, scorer.tokenizer);
      const sorted = await runCompression(
        input,
        { method: "bm25-blocks", topK: 3, reorder: "sort" },
        env,
      );
      expect(sorted.contexts[0]?.text).toContain("Velkaro");
    });

    it("refuses a missing question, a block size or k that is not positive", () => {
      const bad =
        (options: Record<string, unknown>, request = input) =>
        () =>
          validateCompressRequest(request, { method: "bm25-blocks", ...options } as never);
      expect(bad({}, { contexts: input.contexts, question: " " })).toThrow(
        /question: bm25-blocks retrieves the blocks relevant to the question/,
      );
      expect(bad({ blockTokens: 0 })).toThrow(
        /options\.blockTokens: blockTokens must be a positive integer/,
      );
      expect(bad({ topK: 0 })).toThrow(/options\.topK: topK must be a positive integer/);
      expect(bad({ topK: -3 })).toThrow(/topK must be a positive integer/);
    });
  });

  it("counts every prompt in the scorer's tokenizer", async () => {
    const input = { contexts: [longText], question: "Where did the ship sail?" };
    for (const method of ["truncate", "random", "selective-context", "bm25-blocks"] as const) {
      const result = await runCompression(input, { method, rate: 0.3 }, env);
      expect(result.stats.counts.originalTokens).toBe(count(`${longText}\n\n${input.question}`));
      expect(result.stats.counts.tokenizer).toBe(scorer.tokenizer.name);
    }
  });
});
