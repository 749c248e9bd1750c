import type { VectorCompression } from "../../src/compressors/types.js";
import { ContextWindowError } from "../../src/errors/index.js";
import type { Generation } from "../../src/model/types.js";
import { gistReaderText } from "../gist/reader-text.js";
import type { CellDeps, PreparedSample } from "./prepared-sample.js";
import type { Reader } from "./reader.js";
import type { BenchRecord, RecordMetrics } from "./record.js";
import { baseRecord, compressorCounts, generationStats, notApplicable } from "./record-builders.js";

/** Why a vector method cannot be answered by this reader. */
export function textOnlyReason(reader: Reader): string {
  return `it writes summary vectors, which only the embedded reader's AutoCompressor reads; the reader ${reader.modelId} reads text`;
}

/**
 * A vector method (gist): the reader reads the summary vectors as input embeddings, then the
 * instruction, question and answer prefix (the text the AutoCompressor is trained on). Each
 * vector takes one reader position, so the compressed count is vectors + text tokens.
 */
export async function answerFromVectors(
  prepared: PreparedSample,
  method: string,
  rate: number,
  deps: CellDeps,
  result: VectorCompression,
  run: { budget: NonNullable<BenchRecord["budget"]>; compressWallMs: number },
): Promise<BenchRecord> {
  const { sample } = prepared;
  if (deps.reader.answerFromVectors === undefined) {
    return notApplicable(sample, method, rate, textOnlyReason(deps.reader), false);
  }
  const text = gistReaderText(sample);
  const count = result.summary.contexts.reduce((sum, context) => sum + context.vectors, 0);
  const metrics: RecordMetrics = {
    score: 0,
    retention: null,
    reader: {
      tokenizer: deps.reader.tokenizer,
      original: prepared.readerTokens,
      compressed: count + deps.reader.countTokens(text),
    },
    cl100k: {
      tokenizer: "cl100k_base",
      original: prepared.cl100kTokens,
      compressed: count + deps.cl100kTokens(text),
    },
    compressor: compressorCounts(result),
  };
  const common = {
    ...baseRecord(sample, method, rate),
    budget: run.budget,
    vectors: { modelId: result.summary.modelId, count },
    contexts: [],
    models: result.stats.models,
  };
  const timings = (decodeMs: number | null) => ({
    compressMs: result.stats.totalMs,
    compressWallMs: run.compressWallMs,
    stages: result.stats.timingsMs,
    decodeMs,
  });
  let generation: Generation;
  try {
    generation = await deps.reader.answerFromVectors(result.summary, text);
  } catch (error) {
    // The vector reader checks its own window (vectors + text + answer): over it, scored 0.
    if (!(error instanceof ContextWindowError)) throw error;
    return {
      ...common,
      status: "over-window",
      reason: error.message,
      metrics,
      timings: timings(null),
      finishedAt: new Date().toISOString(),
    };
  }
  return {
    ...common,
    status: "ok",
    prediction: generation.text,
    metrics: { ...metrics, score: sample.score(generation.text) },
    timings: timings(generation.latencyMs),
    generation: generationStats(deps.reader.modelId, generation),
    finishedAt: new Date().toISOString(),
  };
}
