import { beforeAll, describe, expect, it } from "vitest";
import { loadParagraphs } from "../../bench/corpus/index.js";
import { runCompression } from "../../src/compressors/index.js";
import type { ModelProvider } from "../../src/compressors/types.js";
import { expectCompressionInvariants } from "../helpers/compression-invariants.js";
import { classifierModels, PieceClassifier, SHIPPED } from "./helpers.js";

let classifier: PieceClassifier;
let models: ModelProvider;
let longText: string;

beforeAll(async () => {
  classifier = await PieceClassifier.load(SHIPPED);
  models = classifierModels(classifier);
  longText = loadParagraphs("heldout").slice(0, 40).join("\n\n");
});

const MULTIBYTE =
  "Zoë's café served crème brûlée. 東京タワーは333メートルです。😀👍🏽 emoji stay whole; " +
  "naïve coöperation, Ελληνικά κείμενα, русский текст, עברית, and ﬁ ligatures.\n";

describe("llmlingua2 compression (deterministic classifier over the shipped tokenizer)", () => {
  it("keeps the stats and spans honest (counts re-count, spans are original text)", async () => {
    const input = {
      instruction: "Answer from the text.",
      contexts: [longText.slice(0, 3000), MULTIBYTE.repeat(5), "   "],
      question: "Who served the crème brûlée?",
    };
    const result = await runCompression(input, { method: "llmlingua2", rate: 0.4 }, { models });
    expectCompressionInvariants(result, input, classifier.tokenizer);
    expect(result.prompt.startsWith(`${input.instruction}\n\n`)).toBe(true);
    expect(result.prompt.endsWith(`\n\n${input.question}`)).toBe(true);
    expect(result.contexts.map((c) => c.index)).toEqual([0, 1]);
    expect(result.stats.target?.tokenizer).toBe("cl100k_base");
    expect(result.stats.models).toEqual({ classifier: classifier.modelId });
    expect(Object.keys(result.stats.timingsMs)).toEqual([
      "load",
      "tokenize",
      "classify",
      "select",
      "count",
    ]);
  });

  it("tracks the requested rate within ±5% (kept share of the target LLM's tokens)", async () => {
    for (const rate of [0.1, 0.25, 0.5, 0.75]) {
      const result = await runCompression(
        { contexts: [longText] },
        { method: "llmlingua2", rate },
        { models },
      );
      const achieved = result.stats.target?.rate ?? Number.NaN;
      expect(Math.abs(achieved - rate), `rate ${rate} gave ${achieved}`).toBeLessThanOrEqual(0.05);
    }
  });

  it("tracks a token budget for the whole prompt, instruction and question included", async () => {
    const instruction = "Read the documents and answer the question briefly.";
    const question = "What did the committee decide about the budget?";
    const result = await runCompression(
      { instruction, contexts: [longText], question },
      { method: "llmlingua2", targetTokens: 400 },
      { models },
    );
    const { compressedTokens = 0, originalTokens = 0 } = result.stats.target ?? {};
    // The reference's percentile int(100·(1−rate)+1) keeps about 1% of the text less than asked.
    expect(compressedTokens).toBeLessThanOrEqual(400 + 10);
    expect(compressedTokens).toBeGreaterThanOrEqual(400 - 0.015 * originalTokens - 10);
  });

  it("keeps every occurrence of a force token, and newlines in whitespace", async () => {
    const text = `${longText.slice(0, 4000)}\nThe keeper said: Nantucket.\nNantucket again`;
    const forced = ["Nantucket", "the", "\n"];
    const result = await runCompression(
      { contexts: [text] },
      { method: "llmlingua2", rate: 0.1, forceTokens: forced },
      { models },
    );
    const count = (haystack: string, needle: string) => haystack.split(needle).length - 1;
    const out = result.contexts[0]?.text ?? "";
    for (const token of forced) expect(count(out, token)).toBe(count(text, token));
    expect(result.stats.target?.rate).toBeLessThan(0.5);
  });

  it("keeps every word with a digit under forceReserveDigit (and drops some without it)", async () => {
    const text = Array.from(
      { length: 60 },
      (_, i) =>
        `Item ${i * 37} of batch B${i} weighs ${(i * 1.7).toFixed(1)}kg (${i * 1000 + 1},5%) in total.`,
    ).join(" ");
    const digitWords = (s: string) => s.split(/\s+/).filter((w) => /\d/.test(w));
    const forced = await runCompression(
      { contexts: [text] },
      { method: "llmlingua2", rate: 0.2, forceReserveDigit: true },
      { models },
    );
    expect(digitWords(forced.prompt)).toEqual(digitWords(text));
    const plain = await runCompression(
      { contexts: [text] },
      { method: "llmlingua2", rate: 0.2 },
      { models },
    );
    expect(digitWords(plain.prompt).length).toBeLessThan(digitWords(text).length);
  });

  it("keeps multi-byte text intact and the original text at rate 1", async () => {
    const text = MULTIBYTE.repeat(20);
    for (const rate of [0.3, 1]) {
      const input = { contexts: [text] };
      const result = await runCompression(input, { method: "llmlingua2", rate }, { models });
      expectCompressionInvariants(result, input, classifier.tokenizer);
      const out = result.contexts[0]?.text ?? "";
      expect(out).not.toMatch(/\uFFFD/);
      expect(out.normalize("NFC")).toBe(out);
      // Every kept character is an original character, in order: a subsequence of the text.
      let at = 0;
      for (const char of out) {
        at = text.indexOf(char, at);
        expect(at).toBeGreaterThanOrEqual(0);
        at += char.length;
      }
      if (rate === 1) expect(out).toBe(text.trim());
    }
  });

  it("chunks long contexts below the window and batches chunks of every context together", async () => {
    const small = await PieceClassifier.load(SHIPPED, 64);
    const result = await runCompression(
      { contexts: [longText.slice(0, 5000), longText.slice(5000, 9000)] },
      { method: "llmlingua2", rate: 0.33 },
      { models: classifierModels(small) },
    );
    const lengths = small.calls.flat();
    expect(Math.max(...lengths)).toBeLessThanOrEqual(64);
    expect(lengths.reduce((a, b) => a + b, 0)).toBe(
      result.contexts.reduce((sum, c) => sum + c.originalTokens, 0),
    );
    expect(Math.abs((result.stats.target?.rate ?? 0) - 0.33)).toBeLessThanOrEqual(0.05);
  });

  it("filters whole contexts by mean word probability, never a forced one", async () => {
    const contexts = loadParagraphs("heldout").slice(100, 108);
    const result = await runCompression(
      { contexts },
      { method: "llmlingua2", rate: 0.5, useContextLevelFilter: true, forceContextIds: [7] },
      { models },
    );
    const kept = result.contexts.map((c) => c.index);
    // Context rate (0.5 + 1) / 2: contexts at or above the 25th percentile of scores survive.
    expect(kept.length).toBeGreaterThanOrEqual(6);
    expect(kept.length).toBeLessThan(8);
    expect(kept).toContain(7);
    expect(Math.abs((result.stats.target?.rate ?? 0) - 0.5)).toBeLessThanOrEqual(0.05);
  });

  it("keeps compress=False segments verbatim and honours a segment's own rate", async () => {
    const verbatim = "Keep this sentence exactly as it is, 42 words or not.";
    const result = await runCompression(
      {
        contexts: [
          {
            segments: [
              { text: verbatim, compress: false },
              { text: ` ${longText.slice(0, 2000)}`, rate: 0.2 },
            ],
          },
        ],
      },
      { method: "llmlingua2", rate: 0.9 },
      { models },
    );
    const out = result.contexts[0]?.text ?? "";
    expect(out.startsWith(verbatim)).toBe(true);
    expect(out.length).toBeLessThan(verbatim.length + 0.45 * 2000);
  });

  it("drops a repeated force token with nothing kept in between (dropConsecutive)", async () => {
    const lines = longText.split("\n\n").map((paragraph) => paragraph.slice(0, 80));
    const text = lines.slice(0, 30).join("\n\n\n");
    const options = { method: "llmlingua2" as const, rate: 0.3, forceTokens: ["\n"] };
    const kept = await runCompression({ contexts: [text] }, options, { models });
    const dropped = await runCompression(
      { contexts: [text] },
      { ...options, dropConsecutive: true },
      { models },
    );
    const newlines = (s: string) => s.split("\n").length - 1;
    expect(newlines(kept.prompt)).toBe(newlines(text));
    expect(newlines(dropped.prompt)).toBeLessThan(newlines(text) / 2);
    expect(dropped.prompt).not.toMatch(/\n\n\n\n/);
  });

  it("refuses bad options and a provider without a classifier with clear errors", async () => {
    await expect(
      runCompression(
        { contexts: ["x y z"] },
        { method: "llmlingua2", tokenToWord: "max" } as never,
        {
          models,
        },
      ),
    ).rejects.toThrow(/tokenToWord/);
    await expect(
      runCompression(
        { contexts: ["x y z"] },
        { method: "llmlingua2", forceContextIds: [3] },
        { models },
      ),
    ).rejects.toThrow(/context 3 does not exist/);
    await expect(
      runCompression(
        { contexts: ["x y z"] },
        { method: "llmlingua2" },
        {
          models: { scorer: models.scorer },
        },
      ),
    ).rejects.toThrow(/needs a token classifier/);
  });
});
