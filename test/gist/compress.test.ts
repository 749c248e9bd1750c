/**
 * The gist compressor in process, over the committed tiny AutoCompressor (real ONNX Runtime):
 * vectors accumulate segment by segment, stored vectors are reused without compression work,
 * the ratio is context tokens ÷ vectors, the answer path reads the vectors, and bad input or a
 * decoder that cannot take embeddings gets a clear error.
 */

import { afterAll, describe, expect, it } from "vitest";
import { segmentLength } from "../../src/compressors/gist/options.js";
import { segmentDocument } from "../../src/compressors/gist/segments.js";
import { runCompression } from "../../src/compressors/index.js";
import type { ModelProvider, Progress } from "../../src/compressors/types.js";
import { CompressionInputError, ModelConfigError } from "../../src/errors/index.js";
import { createModels } from "../../src/model/models.js";
import { OnnxAutoCompressor } from "../../src/model/summary-compressor.js";
import type { SummaryCompressor } from "../../src/model/types.js";
import { answerFromCompression } from "../../src/pipeline/answer.js";
import { answerFromSummary } from "../../src/pipeline/gist-answer.js";
import { compressThenAnswer } from "../../src/pipeline/in-process.js";
import { SummaryVectorCache } from "../../src/store/summary-vector-cache.js";
import { heldOutParagraphs } from "../helpers/corpus-text.js";
import { TINY_MODEL } from "../model/fixtures/tiny-model.js";
import { maxAbsDifference, TINY_GIST } from "./fixtures.js";

const models = createModels({
  gist: { type: "onnx", model: TINY_GIST },
  scorer: { type: "onnx", model: TINY_MODEL },
  decoder: { type: "onnx", model: TINY_MODEL },
});
const document = heldOutParagraphs(6, 400).join("\n\n");
const other = heldOutParagraphs(3, 300).slice(1).join("\n\n");

afterAll(async () => {
  await models.dispose();
});

/** The real AutoCompressor, counting its summarize calls (the compression work). */
async function counting(): Promise<{ provider: ModelProvider; calls: () => number }> {
  const gist = await models.summaryCompressor();
  let calls = 0;
  const spy: SummaryCompressor = Object.create(gist, {
    summarize: {
      value: (segment: readonly number[], softprompt: Float32Array) => {
        calls++;
        return gist.summarize(segment, softprompt);
      },
    },
  });
  return {
    provider: { scorer: () => models.scorer(), summaryCompressor: async () => spy },
    calls: () => calls,
  };
}

describe("gist compression", () => {
  it("reads each segment after the vectors of the segments before it", async () => {
    const summaries = new SummaryVectorCache();
    const result = await runCompression(
      { contexts: [document] },
      { method: "gist" },
      { models, summaryVectors: summaries },
    );
    const gist = await models.summaryCompressor();
    const [context] = result.summary?.contexts ?? [];
    const stored = await summaries.read(
      context ?? { documentSha256: "", modelId: "", segmentTokens: 0 },
    );
    const { segments } = segmentDocument(document, gist.tokenizer, gist.segmentTokens);
    expect(segments.length).toBeGreaterThan(3);
    expect(segments[0]?.[0]).toBe(gist.tokenizer.bosTokenId);
    let softprompt = new Float32Array(0);
    for (const segment of segments) {
      softprompt = Float32Array.of(...softprompt, ...(await gist.summarize(segment, softprompt)));
    }
    expect(stored?.vectors).toHaveLength(softprompt.length);
    expect(maxAbsDifference(stored?.vectors ?? [], softprompt)).toBe(0);
    expect(context).toMatchObject({
      segments: segments.length,
      vectors: segments.length * gist.summaryTokens,
      segmentTokens: gist.segmentTokens,
      computed: true,
    });
  });

  it("refuses to run without a store for the vectors (the answer reads them there)", async () => {
    await expect(
      runCompression({ contexts: [document] }, { method: "gist" }, { models }),
    ).rejects.toBeInstanceOf(ModelConfigError);
  });

  it("reports context tokens ÷ summary vectors, placeholders in the prompt, and progress per segment", async () => {
    const updates: Progress[] = [];
    const question = "What is the pass key?";
    const result = await runCompression(
      { contexts: [document, other], question, instruction: "Read." },
      { method: "gist", segmentTokens: 48 },
      { models, summaryVectors: new SummaryVectorCache(), onProgress: (p) => updates.push(p) },
    );
    const gist = await models.summaryCompressor();
    const summary = result.summary;
    const contextTokens = [document, other].reduce(
      (sum, text) => sum + gist.tokenizer.encode(text).length,
      0,
    );
    const vectors = (summary?.contexts ?? []).reduce((sum, c) => sum + c.vectors, 0);
    expect(summary?.ratio).toBeCloseTo(contextTokens / vectors, 10);
    expect(summary?.readerText).toBe(`Read.\n\n${question}`);
    expect(result.options).toMatchObject({ segmentTokens: 48 });
    expect(result.stats.counts.compressedTokens).toBe(
      vectors + gist.tokenizer.encode(summary?.readerText ?? "").length,
    );
    expect(result.stats.models).toEqual({ gist: gist.modelId });
    expect(result.contexts.map((c) => c.compressedTokens)).toEqual(
      summary?.contexts.map((c) => c.vectors),
    );
    expect(result.preview).toContain(`[gist: ${summary?.contexts[0]?.vectors} summary vectors`);
    expect(result.preview.endsWith(question)).toBe(true);
    const segments = (summary?.contexts ?? []).reduce((sum, c) => sum + c.segments, 0);
    expect(updates.length).toBeGreaterThanOrEqual(segments);
    expect(updates.every((u) => u.stage === "summarize")).toBe(true);
    const fractions = updates.map((u) => u.fraction);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(fractions.at(-1)).toBe(1);
  });

  it("does no compression work for a document whose vectors are stored", async () => {
    const summaries = new SummaryVectorCache();
    const { provider, calls } = await counting();
    const first = await runCompression(
      { contexts: [document], question: "What is the pass key?" },
      { method: "gist" },
      { models: provider, summaryVectors: summaries },
    );
    const afterFirst = calls();
    expect(afterFirst).toBe(first.summary?.contexts[0]?.segments);
    const second = await runCompression(
      { contexts: [document], question: "Who wrote the letter?" },
      { method: "gist" },
      { models: provider, summaryVectors: summaries },
    );
    expect(calls()).toBe(afterFirst);
    expect(second.summary?.contexts[0]?.computed).toBe(false);
    // Another segment length is another set of vectors.
    await runCompression(
      { contexts: [document] },
      { method: "gist", segmentTokens: 24 },
      {
        models: provider,
        summaryVectors: summaries,
      },
    );
    expect(calls()).toBeGreaterThan(afterFirst);
  });

  it("keeps vectors plus the reader's tokens within targetTokens over many short contexts", async () => {
    // Sentence-aware cuts leave segments shorter than the segment length and every context ends
    // in a part-segment worth κ vectors, so a segment length taken from the token total alone
    // overshot the budget (the full suite's gist prompts at 8K overflowed the reader's window).
    const contexts = heldOutParagraphs(20, 250);
    const question = "What is the pass key?";
    for (const targetTokens of [400, 800]) {
      const result = await runCompression(
        { contexts, question },
        { method: "gist", targetTokens },
        { models, summaryVectors: new SummaryVectorCache() },
      );
      expect(result.stats.counts.compressedTokens).toBeLessThanOrEqual(targetTokens);
      // Not by giving up: the vectors still fill most of the room.
      expect(result.stats.counts.compressedTokens).toBeGreaterThan(targetTokens / 2);
    }
  });

  it("maps rate and targetTokens to a segment length, and keeps at least κ tokens a segment", () => {
    const base = {
      summaryTokens: 4,
      modelSegmentTokens: 32,
      contextTokens: 1000,
      readerTokens: 20,
    };
    expect(segmentLength({ ...base, options: { method: "gist" } })).toBe(32);
    expect(segmentLength({ ...base, options: { method: "gist", rate: 0.1 } })).toBe(40);
    expect(segmentLength({ ...base, options: { method: "gist", rate: 1 } })).toBe(4);
    expect(segmentLength({ ...base, options: { method: "gist", targetTokens: 120 } })).toBe(40);
    expect(
      segmentLength({ ...base, options: { method: "gist", rate: 0.5, segmentTokens: 64 } }),
    ).toBe(64);
  });

  it("answers through the AutoCompressor's reader, which reads the vectors", async () => {
    const summaries = new SummaryVectorCache();
    const answer = await compressThenAnswer(
      { contexts: [document], question: "What is the pass key?" },
      {
        compression: { method: "gist" },
        generation: { maxNewTokens: 4 },
        models,
        summaryVectors: summaries,
      },
    );
    const gist = await models.summaryCompressor();
    expect(answer.generation.modelId).toBe(gist.modelId);
    expect(answer.compression.method).toBe("gist");
    const result = await runCompression(
      { contexts: [document], question: "What is the pass key?" },
      { method: "gist" },
      { models, summaryVectors: summaries },
    );
    const vectors = result.summary?.contexts[0]?.vectors ?? 0;
    expect(answer.generation.promptTokens).toBe(
      vectors + gist.tokenizer.encode(`${result.summary?.readerText}\nAnswer:`).length,
    );
    // The vectors change what the reader predicts: they are read, not ignored.
    const [context] = result.summary?.contexts ?? [];
    if (context === undefined) throw new Error("no summarized context");
    const withVectors = await summaries.read(context);
    const question = gist.tokenizer.encode("What is the pass key?\nAnswer: The pass key is");
    const a = await gist.logprobs(withVectors?.vectors ?? new Float32Array(0), question);
    const b = await gist.logprobs(new Float32Array(0), question);
    expect(maxAbsDifference(a.subarray(1), b.subarray(1))).toBeGreaterThan(1e-3);
  });

  it("refuses to answer a gist result as text, with vectors of other weights, or once they expired", async () => {
    const summaries = new SummaryVectorCache();
    const result = await runCompression(
      { contexts: [document], question: "Why?" },
      { method: "gist" },
      { models, summaryVectors: summaries },
    );
    const decoder = await models.decoder();
    const generation = { maxNewTokens: 2, temperature: 0 };
    await expect(answerFromCompression(result, decoder, generation)).rejects.toThrow(
      /holds summary vectors, not text/,
    );
    const summary = result.summary;
    if (summary === undefined) throw new Error("no summary");
    const gist = await models.summaryCompressor();
    const foreign = { ...result, summary: { ...summary, modelId: "other@0000" } };
    await expect(answerFromSummary(foreign, gist, summaries, generation)).rejects.toThrow(
      /cannot read them/,
    );
    const empty = new SummaryVectorCache();
    await expect(
      answerFromSummary({ ...result, summary }, gist, empty, generation),
    ).rejects.toThrow(CompressionInputError);
  });

  it("refuses a decoder that cannot take input embeddings instead of falling back", async () => {
    const remote = createModels({
      gist: { type: "onnx", model: TINY_GIST },
      decoder: { type: "openai", model: "gpt-x", baseUrl: "http://127.0.0.1:9/v1" },
    });
    try {
      const error = await compressThenAnswer(
        { contexts: [document], question: "What is the pass key?" },
        { compression: { method: "gist" }, models: remote },
      ).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ModelConfigError);
      expect((error as Error).message).toMatch(/cannot take input embeddings/);
      expect((error as Error).message).toMatch(/gpt-x/);
    } finally {
      await remote.dispose();
    }
  });

  it("refuses bad options and input with CompressionInputError, before any model work", async () => {
    const { provider, calls } = await counting();
    const refused = async (options: Record<string, unknown>, contexts = [document]) => {
      const error = await runCompression({ contexts }, options as never, {
        models: provider,
      }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(CompressionInputError);
      return (error as Error).message;
    };
    expect(await refused({ method: "gist", segmentTokens: 0 })).toMatch(
      /segmentTokens must be a positive integer/,
    );
    expect(await refused({ method: "gist", rate: 0 })).toMatch(/rate/);
    expect(await refused({ method: "gist", targetTokenizer: "cl100k_base" })).toMatch(
      /targetTokenizer/,
    );
    expect(await refused({ method: "gist" }, [" ", ""])).toMatch(/nothing to compress/);
    expect(calls()).toBe(0);
    const error = await runCompression(
      { contexts: [document] },
      { method: "gist" },
      {
        models: { scorer: () => models.scorer() },
      },
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CompressionInputError);
    expect((error as Error).message).toMatch(/needs an AutoCompressor/);
  });

  it("stops with the signal's reason between segments", async () => {
    const controller = new AbortController();
    const reason = new Error("stop now");
    const error = await runCompression(
      { contexts: [document] },
      { method: "gist", segmentTokens: 24 },
      {
        models,
        summaryVectors: new SummaryVectorCache(),
        onProgress: (p) => {
          if (p.fraction > 0.3) controller.abort(reason);
        },
        signal: controller.signal,
      },
    ).catch((caught: unknown) => caught);
    expect(error).toBe(reason);
  });

  it("loads the AutoCompressor once per provider and names it by its weights", async () => {
    const a = await models.summaryCompressor();
    const b = await models.summaryCompressor();
    expect(a).toBe(b);
    const direct = await OnnxAutoCompressor.load(TINY_GIST);
    expect(direct.modelId).toBe(a.modelId);
    await direct.dispose();
  });
});
