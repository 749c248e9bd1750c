import type { GenerationOptions } from "../../queues/schemas.js";
import type { SummaryVectorProvider } from "../compressors/gist/summary-vectors.js";
import type { CompressionResult, SummaryVectors, VectorCompression } from "../compressors/types.js";
import { CompressionInputError } from "../errors/index.js";
import type { Models } from "../model/models.js";
import type { SummaryCompressor } from "../model/types.js";
import type { AnswerResult } from "../store/records.js";
import { ANSWER_CUE, answerFromCompression, answerResult, generateOptions } from "./answer.js";

/** The stored vectors of every context, concatenated in prompt order: the reader's soft prompt. */
export async function readSoftPrompt(
  summary: SummaryVectors,
  summaries: SummaryVectorProvider,
): Promise<Float32Array> {
  const parts: Float32Array[] = [];
  for (const [i, context] of summary.contexts.entries()) {
    const stored = await summaries.read(context);
    if (stored === null) {
      throw CompressionInputError.of(
        ["compression", "summary", "contexts", i],
        `the summary vectors of document ${context.documentSha256} (${context.modelId}) have expired or were never stored here: compress it again`,
      );
    }
    parts.push(stored.vectors);
  }
  const softprompt = new Float32Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    softprompt.set(part, offset);
    offset += part.length;
  }
  return softprompt;
}

/**
 * Answers a gist compression: the AutoCompressor that wrote the vectors reads them as input
 * embeddings, then the instruction and question, and generates. Vectors of other weights cannot
 * be read by this model, so a model change is an error, not a silent re-interpretation.
 */
export async function answerFromSummary(
  result: VectorCompression,
  reader: SummaryCompressor,
  summaries: SummaryVectorProvider,
  generation: GenerationOptions,
  signal?: AbortSignal,
): Promise<AnswerResult> {
  const { summary } = result;
  if (reader.modelId !== summary.modelId) {
    throw CompressionInputError.of(
      ["compression", "summary", "modelId"],
      `the summary vectors were written by ${summary.modelId}; this process reads with ${reader.modelId}, which cannot read them: compress again`,
    );
  }
  const softprompt = await readSoftPrompt(summary, summaries);
  const output = await reader.generate(
    softprompt,
    `${summary.readerText}${ANSWER_CUE}`,
    generateOptions(generation, signal),
  );
  return answerResult(result, result.preview + ANSWER_CUE, reader.modelId, output);
}

/** Answers any compression: text through the configured decoder, vectors through their reader. */
export async function answerCompression(
  result: CompressionResult,
  models: Models,
  summaries: SummaryVectorProvider,
  generation: GenerationOptions,
  signal?: AbortSignal,
): Promise<AnswerResult> {
  if (result.kind === "text") {
    return answerFromCompression(result, await models.decoder(), generation, signal);
  }
  return answerFromSummary(result, await models.summaryReader(), summaries, generation, signal);
}
