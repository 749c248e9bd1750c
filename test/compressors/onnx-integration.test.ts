import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  type CompressRequestInput,
  runCompression,
  type TextCompression,
} from "../../src/compressors/index.js";
import { createModelProvider, PACKAGE_ROOT } from "../../src/model/index.js";
import type { Tokenizer } from "../../src/model/types.js";
import { expectCompressionInvariants } from "../helpers/compression-invariants.js";
import { heldOutParagraphs } from "../helpers/corpus-text.js";

/**
 * LLMLingua and LongLLMLingua through the real ONNX scorer (onnxruntime-node on the CPU) over
 * models/tiny-random: the invariants hold whatever the model's quality.
 */
const provider = createModelProvider({
  scorer: { type: "onnx", model: path.join(PACKAGE_ROOT, "models/tiny-random"), threads: 1 },
});
const env = { models: provider };
afterAll(() => provider.dispose());

function expectInvariants(
  result: TextCompression,
  input: CompressRequestInput,
  tokenizer: Tokenizer,
) {
  expectCompressionInvariants(result, input, tokenizer);
  expect(result.stats.models.scorer).toContain("tiny-random");
}

function expectRate(result: TextCompression, rate: number) {
  const requested = rate * result.stats.counts.originalTokens;
  expect(result.stats.counts.originalTokens).toBeGreaterThanOrEqual(500);
  expect(Math.abs(result.stats.counts.compressedTokens - requested)).toBeLessThanOrEqual(
    0.1 * requested,
  );
}

describe("compressors over the ONNX scorer", () => {
  it("llmlingua: a long text beyond the model's window, at two rates", async () => {
    const scorer = await provider.scorer();
    const input = { contexts: [heldOutParagraphs(40, 500).join("\n\n")] };
    for (const rate of [0.3, 0.6]) {
      const result = await runCompression(
        input,
        { method: "llmlingua", rate, targetTokenizer: "cl100k_base" },
        env,
      );
      expect(result.stats.counts.originalTokens).toBeGreaterThan(scorer.contextWindow);
      expectRate(result, rate);
      expectInvariants(result, input, scorer.tokenizer);
      expect(result.stats.target?.tokenizer).toBe("cl100k_base");
    }
  });

  it("llmlingua: multilingual text never loses or splits a character", async () => {
    const scorer = await provider.scorer();
    const mixed =
      "Le café était déjà fermé 😀. 東京の夜は静かです。 Zürich, Ωmega, naïve résumé — 👩‍👩‍👧 🇫🇷! ";
    const input = {
      contexts: [
        heldOutParagraphs(12, 700)
          .map((p) => `${p} ${mixed}`)
          .join("\n"),
      ],
    };
    const result = await runCompression(input, { method: "llmlingua", rate: 0.4 }, env);
    expectRate(result, 0.4);
    expectInvariants(result, input, scorer.tokenizer);
  });

  it("longllmlingua: question-aware ranking, contrastive scores and reordering over documents", async () => {
    const scorer = await provider.scorer();
    const documents = heldOutParagraphs(12, 900);
    documents.splice(
      7,
      0,
      "The secret code of the silver lighthouse is 4417. The keeper wrote the code down.",
    );
    const input = {
      instruction: "Answer from the documents.",
      contexts: documents,
      question: "What is the secret code of the silver lighthouse?",
    };
    const result = await runCompression(input, { method: "longllmlingua", rate: 0.5 }, env);
    expectRate(result, 0.5);
    expectInvariants(result, input, scorer.tokenizer);
    expect(result.prompt.startsWith(`${input.instruction}\n\n`)).toBe(true);
    expect(result.prompt.endsWith(`\n\n${input.question}`)).toBe(true);
    expect(result.options).toMatchObject({
      reorder: "sort",
      dynamicRatio: 0.3,
      conditionCompare: true,
    });
  });
});
