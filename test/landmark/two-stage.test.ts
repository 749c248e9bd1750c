/**
 * landmark+longllmlingua over the real models (the shipped embedder, the embedded ONNX scorer):
 * retrieval from the index, then LongLLMLingua to the exact target, spans mapped back.
 */
import { afterAll, describe, expect, it } from "vitest";
import { runCompression } from "../../src/compressors/index.js";
import { createModels } from "../../src/model/models.js";
import { expectCompressionInvariants } from "../helpers/compression-invariants.js";
import { heldOutParagraphs } from "../helpers/corpus-text.js";

const models = createModels({
  scorer: { type: "onnx", threads: 1 },
  embedder: { type: "onnx", threads: 1 },
});
afterAll(() => models.dispose());

const documents = [
  heldOutParagraphs(20, 1500).join("\n\n"),
  heldOutParagraphs(20, 1600).join("\n\n"),
];
const input = {
  instruction: "Answer from the documents.",
  contexts: documents,
  question: "What did the committee decide about the harbour?",
};

describe("landmark+longllmlingua", () => {
  it("prunes the retrieved passages to the exact target, keeping spans of the originals", async () => {
    const scorer = await models.scorer();
    for (const targetTokens of [120, 300]) {
      const result = await runCompression(
        input,
        { method: "landmark+longllmlingua", targetTokens },
        { models },
      );
      expect(Math.abs(result.stats.counts.compressedTokens - targetTokens)).toBeLessThanOrEqual(
        Math.max(2, 0.02 * targetTokens),
      );
      expect(result.stats.models).toEqual({
        embedder: (await models.embedder()).modelId,
        scorer: scorer.modelId,
      });
      expect(Object.keys(result.stats.timingsMs)).toEqual(
        expect.arrayContaining(["index", "select", "longllmlingua.fine"]),
      );
      expectCompressionInvariants(result, input, scorer.tokenizer);
    }
  });

  it("takes retrieveFactor and LongLLMLingua's own options", async () => {
    const scorer = await models.scorer();
    const options = {
      method: "landmark+longllmlingua",
      targetTokens: 200,
      retrieveFactor: 4,
      longllmlingua: { reorder: "original" },
    } as const;
    const result = await runCompression(input, options, { models });
    expect(result.options).toMatchObject({
      retrieveFactor: 4,
      longllmlingua: { reorder: "original" },
    });
    expect(Math.abs(result.stats.counts.compressedTokens - 200)).toBeLessThanOrEqual(4);
    expectCompressionInvariants(result, input, scorer.tokenizer);
    await expect(
      runCompression(input, { ...options, retrieveFactor: 0.5 }, { models }),
    ).rejects.toThrow(/options\.retrieveFactor/);
  });
});
