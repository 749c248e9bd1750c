import type { IndexJobResult } from "../../queues/index-jobs.js";
import type { GenerationOptionsInput } from "../../queues/schemas.js";
import type { CompressOptionsInput, CompressRequestInput } from "../compressors/index.js";
import type { CompressionResult } from "../compressors/types.js";
import type { CtxpressClient } from "../sdk/client.js";
import type { AnswerResult } from "../store/records.js";

/** One readiness check: what was checked and, when it failed, why. */
export interface ReadinessCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail?: string;
}

/**
 * Where the server's compressions, answers and indexes run: in this process (`InProcessBackend`)
 * or on BullMQ workers (`QueueBackend`). Bad input rejects with a `CompressionInputError`; an
 * aborted `signal` rejects with its reason.
 */
export interface CompressionBackend {
  readonly mode: "in-process" | "queue";
  compress(
    input: CompressRequestInput,
    options: CompressOptionsInput,
    signal: AbortSignal,
  ): Promise<CompressionResult>;
  answer(
    input: CompressRequestInput,
    options: CompressOptionsInput,
    generation: GenerationOptionsInput,
    signal: AbortSignal,
  ): Promise<AnswerResult>;
  index(
    document: string,
    blockTokens: number | undefined,
    signal: AbortSignal,
  ): Promise<IndexJobResult>;
  /** The SDK client of queue mode (job routes, dashboard, queue depth); null in process. */
  readonly client: CtxpressClient | null;
  /** Loads what the first request would otherwise wait for (models, connections). */
  warm(): Promise<void>;
  readiness(): Promise<ReadinessCheck[]>;
  close(): Promise<void>;
}
