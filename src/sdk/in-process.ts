import type { GenerationOptionsInput } from "../../queues/schemas.js";
import { generationOptionsSchema } from "../../queues/schemas.js";
import type { SummaryVectorProvider } from "../compressors/gist/summary-vectors.js";
import {
  type CompressOptionsInput,
  type CompressRequestInput,
  compress as runCompressor,
} from "../compressors/index.js";
import type { LandmarkIndexProvider } from "../compressors/landmark/landmark-index.js";
import type { CompressionResult, Progress } from "../compressors/types.js";
import { defaultModels, type Models } from "../model/models.js";
import { processLandmarkIndexes } from "../store/landmark-index-cache.js";
import type { AnswerResult } from "../store/records.js";
import { processSummaryVectors } from "../store/summary-vector-cache.js";
import { answerCompression } from "./gist-answer.js";
import { parseRequestPart } from "./validate.js";

export interface InProcessOptions {
  /** Models to use; by default the embedded models, loaded once per process. */
  readonly models?: Models;
  /** Largest context, instruction or question, in UTF-16 code units. */
  readonly maxDocumentChars?: number;
  readonly onProgress?: (progress: Progress) => void;
  readonly signal?: AbortSignal;
  /** Where landmark indexes are found and kept (e.g. `connectIndexStore()`); default: this process' memory. */
  readonly landmarkIndexes?: LandmarkIndexProvider;
  /** Where gist summary vectors are found and kept (e.g. `connectIndexStore()`); default: this process' memory. */
  readonly summaryVectors?: SummaryVectorProvider;
}

/** Compresses in this process: no Redis, no queue. Bad input throws `CompressionInputError`. */
export async function compress(
  input: CompressRequestInput,
  options: CompressOptionsInput,
  {
    models = defaultModels(),
    maxDocumentChars,
    onProgress,
    signal,
    landmarkIndexes = processLandmarkIndexes(),
    summaryVectors = processSummaryVectors(),
  }: InProcessOptions = {},
): Promise<CompressionResult> {
  return runCompressor(input, options, {
    models,
    landmarkIndexes,
    summaryVectors,
    ...(maxDocumentChars !== undefined ? { limits: { maxDocumentChars } } : {}),
    ...(onProgress ? { onProgress } : {}),
    ...(signal ? { signal } : {}),
  });
}

/** Compresses, then lets the configured decoder answer from the compressed prompt. */
export async function compressThenAnswer(
  input: CompressRequestInput,
  options: CompressOptionsInput,
  generation: GenerationOptionsInput = {},
  inProcess: InProcessOptions = {},
): Promise<AnswerResult> {
  const settings = parseRequestPart(generationOptionsSchema, generation, "generation");
  const models = inProcess.models ?? defaultModels();
  const result = await compress(input, options, { ...inProcess, models });
  const summaries = inProcess.summaryVectors ?? processSummaryVectors();
  return answerCompression(result, models, summaries, settings, inProcess.signal);
}
