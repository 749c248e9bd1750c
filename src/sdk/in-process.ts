import type { GenerationOptionsInput } from "../../queues/schemas.js";
import { generationOptionsSchema } from "../../queues/schemas.js";
import type { SummaryVectorProvider } from "../compressors/gist/summary-vectors.js";
import {
  type CompressOptionsInput,
  type CompressRequestInput,
  runCompression,
} from "../compressors/index.js";
import type { LandmarkIndexProvider } from "../compressors/landmark/landmark-index.js";
import type { CompressionResultFor, Progress } from "../compressors/types.js";
import { defaultModels, type Models } from "../model/models.js";
import { processLandmarkIndexes } from "../store/landmark-index-cache.js";
import type { AnswerResult } from "../store/records.js";
import { processSummaryVectors } from "../store/summary-vector-cache.js";
import { answerCompression } from "./gist-answer.js";
import { parseRequestPart } from "./validate.js";

/** How an in-process call runs: its models, limits, progress, cancellation and caches. */
export interface InProcessOptions {
  /** Models to use; default: the embedded models (`defaultModels()`), loaded once per process. */
  readonly models?: Models;
  /** Largest context, instruction or question, in UTF-16 code units; default 2,000,000. */
  readonly maxDocumentChars?: number;
  /** Called as the compression advances (stage and fraction done). */
  readonly onProgress?: (progress: Progress) => void;
  /** Aborting it stops the compression between steps, rejecting with the signal's reason. */
  readonly signal?: AbortSignal;
  /**
   * Where landmark indexes are found and kept (e.g. `connectIndexStore()`); default: this
   * process' memory (`processLandmarkIndexes()`).
   */
  readonly landmarkIndexes?: LandmarkIndexProvider;
  /**
   * Where gist summary vectors are found and kept (e.g. `connectIndexStore()`); default: this
   * process' memory (`processSummaryVectors()`).
   */
  readonly summaryVectors?: SummaryVectorProvider;
}

/** What `compressThenAnswer` takes besides the input: both steps' settings in one object. */
export interface AnswerOptions<Options extends CompressOptionsInput = CompressOptionsInput>
  extends InProcessOptions {
  /** The compression method and its options, as for `compress`. */
  readonly compression: Options;
  /** Decoding settings; default `{}` (the decoder's defaults: 64 new tokens, greedy). */
  readonly generation?: GenerationOptionsInput;
}

/**
 * Compresses in this process: no Redis, no queue. The result is a `TextCompression` for every
 * method but `gist`, whose result is a `VectorCompression` (known statically when `method` is).
 *
 * @param input - contexts, and optionally an instruction and a question.
 * @param options - `method` and that method's options; every other field has a default.
 * @param settings - models, limits, progress, cancellation and caches; default `{}`.
 * @throws CompressionInputError on bad input or options, before any model work.
 * @throws ModelConfigError or ModelLoadError when a model the method needs is not configured
 *   or does not load.
 */
export async function compress<Options extends CompressOptionsInput>(
  input: CompressRequestInput,
  options: Options,
  {
    models = defaultModels(),
    maxDocumentChars,
    onProgress,
    signal,
    landmarkIndexes = processLandmarkIndexes(),
    summaryVectors = processSummaryVectors(),
  }: InProcessOptions = {},
): Promise<CompressionResultFor<Options["method"]>> {
  return runCompression(input, options, {
    models,
    landmarkIndexes,
    summaryVectors,
    ...(maxDocumentChars !== undefined ? { limits: { maxDocumentChars } } : {}),
    ...(onProgress ? { onProgress } : {}),
    ...(signal ? { signal } : {}),
  });
}

/**
 * Compresses, then answers from the compressed context: a text compression through the
 * configured decoder, a `gist` compression through the AutoCompressor's reader.
 *
 * @throws CompressionInputError on bad input, compression or generation options.
 * @throws ContextWindowError when the compressed prompt does not fit the decoder.
 * @throws ModelConfigError, ModelLoadError or RemoteModelError when a model is missing,
 *   does not load, or its server fails.
 */
export async function compressThenAnswer(
  input: CompressRequestInput,
  { compression, generation = {}, ...settings }: AnswerOptions,
): Promise<AnswerResult> {
  const decoding = parseRequestPart(generationOptionsSchema, generation, "generation");
  const models = settings.models ?? defaultModels();
  const summaryVectors = settings.summaryVectors ?? processSummaryVectors();
  const result = await compress(input, compression, { ...settings, models, summaryVectors });
  return answerCompression(result, models, summaryVectors, decoding, settings.signal);
}
