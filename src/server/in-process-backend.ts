import type { IndexJobResult } from "../../queues/index-jobs.js";
import type { GenerationOptionsInput } from "../../queues/schemas.js";
import type { CompressOptionsInput, CompressRequestInput } from "../compressors/index.js";
import type { CompressionResult } from "../compressors/types.js";
import { createModels, type Models } from "../model/models.js";
import { compress, compressThenAnswer } from "../sdk/in-process.js";
import { indexDocument } from "../sdk/landmark-indexes.js";
import type { AnswerResult } from "../store/records.js";
import type { CompressionBackend, ReadinessCheck } from "./backend.js";
import type { ServeConfig } from "./config.js";

/**
 * Compression in the server's own process with the SDK's in-process functions. ONNX Runtime's
 * run() blocks the event loop while it scores, so a busy in-process server answers other
 * requests (the gateway's pass-through included) later; `--queue` moves that work to workers.
 * Landmark indexes and gist vectors are kept in this process' memory.
 */
export class InProcessBackend implements CompressionBackend {
  readonly mode = "in-process";
  readonly client = null;
  private readonly models: Models;
  private scorerLoaded: ReadinessCheck = { name: "models", ok: false, detail: "loading" };

  constructor(private readonly config: ServeConfig) {
    this.models = createModels(config.models);
  }

  private limits(): { maxDocumentChars?: number } {
    const { maxDocumentChars } = this.config;
    return maxDocumentChars === undefined ? {} : { maxDocumentChars };
  }

  compress(
    input: CompressRequestInput,
    options: CompressOptionsInput,
    signal: AbortSignal,
  ): Promise<CompressionResult> {
    return compress(input, options, { models: this.models, signal, ...this.limits() });
  }

  answer(
    input: CompressRequestInput,
    options: CompressOptionsInput,
    generation: GenerationOptionsInput,
    signal: AbortSignal,
  ): Promise<AnswerResult> {
    return compressThenAnswer(input, {
      compression: options,
      generation,
      models: this.models,
      signal,
      ...this.limits(),
    });
  }

  index(
    document: string,
    blockTokens: number | undefined,
    signal: AbortSignal,
  ): Promise<IndexJobResult> {
    return indexDocument(document, {
      models: this.models,
      signal,
      ...(blockTokens === undefined ? {} : { blockTokens }),
      ...this.limits(),
    });
  }

  /** Loads the scorer, which every token-level method needs; readiness waits for it. */
  async warm(): Promise<void> {
    try {
      await this.models.scorer();
      this.scorerLoaded = { name: "models", ok: true };
    } catch (error) {
      this.scorerLoaded = { name: "models", ok: false, detail: (error as Error).message };
      throw error;
    }
  }

  async readiness(): Promise<ReadinessCheck[]> {
    return [this.scorerLoaded];
  }

  async close(): Promise<void> {
    await this.models.dispose();
  }
}
