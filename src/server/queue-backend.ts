import type { IndexJobResult } from "../../queues/index-jobs.js";
import type { GenerationOptionsInput } from "../../queues/schemas.js";
import type { CompressOptionsInput, CompressRequestInput } from "../compressors/index.js";
import type { CompressionResult } from "../compressors/types.js";
import { CtxpressClient } from "../sdk/client.js";
import type { AnswerResult } from "../store/records.js";
import type { CompressionBackend, ReadinessCheck } from "./backend.js";
import type { ServeConfig } from "./config.js";

/** How long a readiness probe waits for Redis. */
const REDIS_PROBE_MS = 2_000;

/**
 * Compression on `ctxpress worker` processes through the SDK client: requests become jobs (an
 * identical request joins the job already queued or done), the server waits for their results.
 * Many servers can share one fleet of workers. An aborted request stops waiting; its job runs on.
 */
export class QueueBackend implements CompressionBackend {
  readonly mode = "queue";

  private constructor(
    readonly client: CtxpressClient,
    private readonly config: ServeConfig,
  ) {}

  /** Connects to Redis; rejects when it does not answer. */
  static async connect(config: ServeConfig): Promise<QueueBackend> {
    const client = await CtxpressClient.connect({
      redisUrl: config.redisUrl,
      prefix: config.prefix,
      ...(config.redisTls === undefined ? {} : { redisTls: config.redisTls }),
      defaultTimeoutMs: config.workTimeoutMs,
      ...(config.maxDocumentChars === undefined
        ? {}
        : { maxDocumentChars: config.maxDocumentChars }),
    });
    return new QueueBackend(client, config);
  }

  private async wait<T>(
    handle: Promise<{ result(o: { timeoutMs: number }): Promise<T> }>,
    signal: AbortSignal,
  ): Promise<T> {
    const job = await handle;
    signal.throwIfAborted();
    const aborted = new Promise<never>((_, reject) => {
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    });
    return Promise.race([job.result({ timeoutMs: this.config.workTimeoutMs }), aborted]);
  }

  compress(
    input: CompressRequestInput,
    options: CompressOptionsInput,
    signal: AbortSignal,
  ): Promise<CompressionResult> {
    return this.wait(this.client.enqueueCompress(input, options), signal);
  }

  answer(
    input: CompressRequestInput,
    options: CompressOptionsInput,
    generation: GenerationOptionsInput,
    signal: AbortSignal,
  ): Promise<AnswerResult> {
    return this.wait(this.client.enqueueAnswer(input, options, generation), signal);
  }

  index(
    document: string,
    blockTokens: number | undefined,
    signal: AbortSignal,
  ): Promise<IndexJobResult> {
    return this.wait(
      this.client.enqueueIndex(document, blockTokens === undefined ? {} : { blockTokens }),
      signal,
    );
  }

  async warm(): Promise<void> {}

  async readiness(): Promise<ReadinessCheck[]> {
    try {
      await Promise.race([
        this.client.counts(),
        new Promise((_, reject) =>
          setTimeout(
            () => reject(new Error(`no answer in ${REDIS_PROBE_MS} ms`)),
            REDIS_PROBE_MS,
          ).unref(),
        ),
      ]);
      return [{ name: "redis", ok: true }];
    } catch (error) {
      return [{ name: "redis", ok: false, detail: (error as Error).message }];
    }
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
