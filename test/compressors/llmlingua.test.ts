import fc from "fast-check";
import { countTokens } from "gpt-tokenizer/encoding/cl100k_base";
import { describe, expect, it } from "vitest";
import {
  assemblePrompt,
  type CompressOptionsInput,
  type CompressRequestInput,
  parseStructuredContext,
  runCompression,
} from "../../src/compressors/index.js";
import type { Progress } from "../../src/compressors/types.js";
import { expectCompressionInvariants } from "../helpers/compression-invariants.js";
import { heldOutParagraphs } from "../helpers/corpus-text.js";
import { TestScorer, testModels } from "../helpers/test-scorer.js";
import { TestTokenizer } from "../helpers/test-tokenizer.js";

const scorer = new TestScorer();
const env = { models: testModels(scorer) };
const count = (text: string) => scorer.tokenizer.encode(text).length;

function run(
  input: CompressRequestInput,
  options: Exclude<CompressOptionsInput, { method: "gist" }>,
  scorerEnv = env,
) {
  return runCompression(input, options, scorerEnv);
}

const longText = heldOutParagraphs(80).join("\n\n");

describe("llmlingua", () => {
  it.each([0.1, 0.25, 0.5, 0.75, 0.9])(
    "tracks rate %d within ±10% (in the scorer's tokens) on a long single context",
    async (rate) => {
      const input = { contexts: [longText] };
      const result = await run(input, { method: "llmlingua", rate });
      const requested = rate * result.stats.counts.originalTokens;
      expect(result.stats.counts.originalTokens).toBeGreaterThan(2000);
      expect(Math.abs(result.stats.counts.compressedTokens - requested)).toBeLessThanOrEqual(
        0.1 * requested,
      );
      expectCompressionInvariants(result, input, scorer.tokenizer);
    },
  );

  it("tracks the rate over many contexts with instruction and question, across lengths", async () => {
    for (const [paragraphs, rate] of [
      [25, 0.3],
      [50, 0.5],
      [120, 0.2],
    ] as const) {
      const input = {
        instruction: "Answer the question from the documents.",
        contexts: heldOutParagraphs(paragraphs, 100),
        question: "Who disagreed about the campaign?",
      };
      const result = await run(input, { method: "llmlingua", rate });
      const requested = rate * result.stats.counts.originalTokens;
      expect(result.stats.counts.originalTokens).toBeGreaterThanOrEqual(500);
      expect(Math.abs(result.stats.counts.compressedTokens - requested)).toBeLessThanOrEqual(
        0.1 * requested,
      );
      expect(result.prompt.startsWith(`${input.instruction}\n\n`)).toBe(true);
      expect(result.prompt.endsWith(`\n\n${input.question}`)).toBe(true);
      expectCompressionInvariants(result, input, scorer.tokenizer);
    }
  });

  it("hits targetTokens for the whole prompt and counts the target tokenizer too", async () => {
    const input = { contexts: [longText], question: "What happened?" };
    const result = await run(input, {
      method: "llmlingua",
      targetTokens: 700,
      targetTokenizer: "cl100k_base",
    });
    expect(Math.abs(result.stats.counts.compressedTokens - 700)).toBeLessThanOrEqual(70);
    expect(result.stats.target).toMatchObject({
      tokenizer: "cl100k_base",
      originalTokens: countTokens(assemblePrompt(input)),
      compressedTokens: countTokens(result.prompt),
    });
    expect(result.stats.models).toEqual({ scorer: "test-copy-bigram" });
    expect(result.options).toMatchObject({ method: "llmlingua", targetTokens: 700, rate: 0.5 });
  });

  it("a lower rate keeps fewer tokens", async () => {
    const counts = [];
    for (const rate of [0.2, 0.4, 0.6, 0.8]) {
      counts.push(
        (await run({ contexts: [longText] }, { method: "llmlingua", rate })).stats.counts
          .compressedTokens,
      );
    }
    expect([...counts].sort((a, b) => a - b)).toEqual(counts);
  });

  it("compresses a prompt shorter than one segment (reference issue #196)", async () => {
    const text =
      "The quick brown fox jumps over the lazy dog while the cat sleeps on the warm mat.";
    expect(count(text)).toBeLessThan(200);
    const result = await run({ contexts: [text] }, { method: "llmlingua", rate: 0.5 });
    expect(result.stats.counts.compressedTokens).toBeLessThan(result.stats.counts.originalTokens);
    expect(Math.abs(result.stats.counts.compressedTokens - count(text) / 2)).toBeLessThanOrEqual(1);
  });

  it("keeps the tokens the scorer finds surprising, not their neighbours (no off-by-one)", async () => {
    const tokenizer = new TestTokenizer();
    const digits = new Set<number>();
    const text = Array.from({ length: 60 }, (_, index) =>
      index % 6 === 0 ? ` ${index * 7}` : " word",
    ).join("");
    tokenizer.encodeWithSpans(text).ids.forEach((id) => {
      if (/\d/.test(tokenizer.decode([id]))) digits.add(id);
    });
    const fixed = new TestScorer({ tokenizer, logprobOf: (id) => (digits.has(id) ? -9 : -1) });
    const result = await run(
      { contexts: [text] },
      { method: "llmlingua", rate: 10 / 60, iterativeSize: 16 },
      { models: testModels(fixed) },
    );
    // The first token has no context (NaN: always kept); then the ten numbers.
    expect(result.prompt).toBe(" 0 42 84 126 168 210 252 294 336 378");
  });

  it("keeps every occurrence of forced strings, and every newline with keepSplit", async () => {
    const text = heldOutParagraphs(8, 20).join("\nWhy? ");
    const result = await run(
      { contexts: [text] },
      { method: "llmlingua", rate: 0.2, forceTokens: ["?"], keepSplit: true },
    );
    const occurrences = (haystack: string, needle: string) => haystack.split(needle).length - 1;
    expect(occurrences(result.prompt, "?")).toBeGreaterThanOrEqual(occurrences(text, "?"));
    expect(occurrences(result.prompt, "\n")).toBeGreaterThanOrEqual(occurrences(text, "\n"));
  });

  it("honours structured segments: compress=False verbatim, per-segment rates", async () => {
    const [verbatim = "", squeezed = "", rest = ""] = heldOutParagraphs(3, 40);
    const input = {
      contexts: [
        `<llmlingua, compress=False>${verbatim}</llmlingua><llmlingua, rate=0.2>${squeezed}</llmlingua>${rest}`,
      ],
    };
    const result = await run(input, { method: "llmlingua", rate: 0.6 });
    const [context] = result.contexts;
    expect(context?.text.startsWith(verbatim)).toBe(true);
    const { text: plain, segments } = parseStructuredContext(input.contexts[0] ?? "");
    const squeezedRange = segments[1];
    const keptInSqueezed = (context?.keptSpans ?? [])
      .map(([start, end]) =>
        plain.slice(
          Math.max(start, squeezedRange?.start ?? 0),
          Math.min(end, squeezedRange?.end ?? 0),
        ),
      )
      .join("");
    const squeezedRate = count(keptInSqueezed) / count(squeezed);
    expect(squeezedRate).toBeGreaterThan(0.12);
    expect(squeezedRate).toBeLessThan(0.28);
    expectCompressionInvariants(result, input, scorer.tokenizer);
  });

  it("accepts typed segments like tags", async () => {
    const [a = "", b = ""] = heldOutParagraphs(2, 50);
    const typed = await run(
      { contexts: [{ segments: [{ text: a, compress: false }, { text: b }] }] },
      { method: "llmlingua", rate: 0.7 },
    );
    const tagged = await run(
      { contexts: [`<llmlingua, compress=False>${a}</llmlingua>${b}`] },
      { method: "llmlingua", rate: 0.7 },
    );
    expect(typed.prompt).toBe(tagged.prompt);
    expect(typed.prompt.startsWith(a)).toBe(true);
  });

  it("keeps everything at rate 1", async () => {
    const contexts = heldOutParagraphs(4, 70);
    const result = await run({ contexts }, { method: "llmlingua", rate: 1 });
    expect(result.prompt).toBe(assemblePrompt({ contexts }));
  });

  it("when forced text exceeds the target, keeps what is forced and drops the rest", async () => {
    const [verbatim = "", other = ""] = heldOutParagraphs(2, 80);
    const input = { contexts: [`<llmlingua, compress=False>${verbatim}</llmlingua>`, other] };
    const result = await run(input, { method: "llmlingua", targetTokens: 5 });
    expect(result.prompt.startsWith(verbatim)).toBe(true);
    expect(result.stats.counts.compressedTokens).toBeGreaterThan(5);
    expect(result.stats.counts.compressedTokens).toBeLessThan(count(verbatim) + 5);
  });

  it("handles empty contexts among others and leaves them out of the prompt", async () => {
    const [a = "", b = ""] = heldOutParagraphs(2, 60);
    const result = await run({ contexts: ["", a, "", b, ""] }, { method: "llmlingua", rate: 0.5 });
    expect(result.contexts.map((context) => context.index).sort()).toEqual([1, 3]);
    expect(result.prompt).not.toMatch(/^\n|\n\n\n|\n$/);
  });

  it("drops whole contexts at the context level (budget controller) and keeps forced ones", async () => {
    const contexts = heldOutParagraphs(12, 200);
    const result = await run(
      { contexts },
      { method: "llmlingua", rate: 0.15, forceContextIds: [11] },
    );
    const kept = result.contexts.map((context) => context.index);
    expect(kept.length).toBeLessThan(12);
    expect(kept).toContain(11);
    // Original order by default.
    expect([...kept].sort((a, b) => a - b)).toEqual(kept);
    expect(scorer.batchedItems).toBeGreaterThan(0);
  });

  it("uses the conditional stream segment by segment (iterativeSize)", async () => {
    const before = scorer.streamSegments;
    const result = await run(
      { contexts: [longText] },
      { method: "llmlingua", rate: 0.5, iterativeSize: 100 },
    );
    const segments = scorer.streamSegments - before;
    expect(segments).toBeGreaterThanOrEqual(Math.floor(result.stats.counts.originalTokens / 100));
    expect(segments).toBeLessThanOrEqual(Math.ceil(result.stats.counts.originalTokens / 100) + 1);
  });

  it("reports progress from 0 to 1 without going back, and stage timings", async () => {
    const progress: Progress[] = [];
    const result = await runCompression(
      { contexts: heldOutParagraphs(5) },
      { method: "llmlingua" },
      {
        ...env,
        onProgress: (update) => progress.push(update),
      },
    );
    const fractions = progress.map((update) => update.fraction);
    expect([...fractions].sort((a, b) => a - b)).toEqual(fractions);
    expect(fractions.at(-1)).toBe(1);
    expect(new Set(progress.map((update) => update.stage))).toEqual(
      new Set(["tokenize", "coarse", "fine", "assemble"]),
    );
    expect(Object.keys(result.stats.timingsMs)).toEqual(
      expect.arrayContaining(["tokenize", "coarse", "fine", "correct", "assemble"]),
    );
    expect(result.stats.totalMs).toBeGreaterThan(0);
  });

  it("stops when the signal aborts, with the signal's reason", async () => {
    const controller = new AbortController();
    const stop = runCompression(
      { contexts: [longText] },
      { method: "llmlingua", iterativeSize: 20 },
      {
        ...env,
        signal: controller.signal,
        onProgress: ({ stage, fraction }) => {
          if (stage === "fine" && fraction > 0.3) controller.abort(new Error("job cancelled"));
        },
      },
    );
    await expect(stop).rejects.toThrow("job cancelled");
    const already = AbortSignal.abort();
    await expect(
      runCompression({ contexts: ["x"] }, { method: "llmlingua" }, { ...env, signal: already }),
    ).rejects.toThrow();
  });

  it("rejects bad input with a CompressionInputError before touching the model", async () => {
    let asked = false;
    const models = {
      scorer: async () => {
        asked = true;
        return scorer;
      },
    };
    await expect(
      runCompression({ contexts: ["a\u0000"] }, { method: "llmlingua" }, { models }),
    ).rejects.toMatchObject({
      name: "CompressionInputError",
    });
    await expect(
      runCompression(
        { contexts: ["<llmlingua, rate=0.5>open"] },
        { method: "llmlingua" },
        { models },
      ),
    ).rejects.toThrow(/input\.contexts\.0: an <llmlingua> tag is never closed/);
    await expect(
      runCompression(
        { contexts: ["x".repeat(20)] },
        { method: "llmlingua" },
        { models, limits: { maxDocumentChars: 10 } },
      ),
    ).rejects.toThrow(/limit of 10 characters/);
    expect(asked).toBe(false);
  });

  it("never cuts a character: outputs are subsequences of the original, spans code-point aligned", async () => {
    const byteScorer = new TestScorer({ tokenizer: new TestTokenizer({ byteLevel: true }) });
    const word = fc.constantFrom(
      "naïve",
      "東京",
      "😀",
      "👩‍👩‍👧",
      "café",
      "Ωmega",
      "data",
      "ok",
      "🇫🇷",
      "x",
      "日本語です",
      "\n",
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.array(word, { maxLength: 120 }).map((words) => words.join(" ")),
          { minLength: 1, maxLength: 4 },
        ),
        fc.double({ min: 0.05, max: 1, noNaN: true }),
        async (contexts, rate) => {
          fc.pre(contexts.some((context) => context.trim() !== ""));
          const result = await runCompression(
            { contexts },
            { method: "llmlingua", rate, iterativeSize: 17 },
            { models: testModels(byteScorer) },
          );
          expectCompressionInvariants(result, { contexts }, byteScorer.tokenizer);
        },
      ),
      { numRuns: 40 },
    );
  });
});
