import { afterAll, describe, expect, it } from "vitest";
import { runCompression } from "../../src/compressors/index.js";
import { createModelProvider } from "../../src/model/index.js";
import { expectCompressionInvariants } from "../helpers/compression-invariants.js";
import { XLMR_TINY } from "./helpers.js";

const models = createModelProvider({ classifier: { type: "onnx", model: XLMR_TINY } });
afterAll(async () => {
  await models.dispose();
});

const TEXT =
  "The pass key is 40297. Remember it, café naïve — 日本語 😀 well-known.\nCall me Ishmael. ".repeat(
    40,
  );

describe("llmlingua2 over a real ONNX classifier in the XLM-RoBERTa layout (SentencePiece)", () => {
  it("compresses with valid spans, stats and multi-byte text intact", async () => {
    const input = { contexts: [TEXT, "Is it 42?"], question: "What is the pass key?" };
    const classifier = await models.tokenClassifier();
    expect(classifier.wordConvention).toBe("sentencepiece");
    const result = await runCompression(input, { method: "llmlingua2", rate: 0.4 }, { models });
    expectCompressionInvariants(result, input, classifier.tokenizer);
    expect(result.prompt).not.toMatch(/\uFFFD/);
    expect(Math.abs((result.stats.target?.rate ?? 0) - 0.4)).toBeLessThanOrEqual(0.05);
  });

  it("reports progress up to 1 and stops when aborted", async () => {
    const fractions: number[] = [];
    await runCompression(
      { contexts: [TEXT] },
      { method: "llmlingua2", rate: 0.5 },
      { models, onProgress: ({ fraction }) => fractions.push(fraction) },
    );
    expect(fractions.at(-1)).toBe(1);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    await expect(
      runCompression(
        { contexts: [TEXT] },
        { method: "llmlingua2" },
        { models, signal: controller.signal },
      ),
    ).rejects.toThrow("stop");
  });
});
