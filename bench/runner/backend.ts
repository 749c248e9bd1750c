import type { SummaryVectorProvider } from "../../src/compressors/gist/summary-vectors.js";
import type { CompressOptionsInput, CompressRequestInput } from "../../src/compressors/index.js";
import type { CompressionResult } from "../../src/compressors/types.js";
import type { Models } from "../../src/model/models.js";
import type { ModelsConfigInput } from "../../src/model/provider-config.js";
import { CachedScorer } from "../../src/model/score-cache.js";
import { processSummaryVectors } from "../../src/store/summary-vector-cache.js";

/** Where compressions run: in this process, or as jobs on the queue. */
export interface CompressionBackend {
  readonly description: string;
  /** Cells in flight at once. */
  readonly concurrency: number;
  compress(input: CompressRequestInput, options: CompressOptionsInput): Promise<CompressionResult>;
  /** Where gist summary vectors written by `compress` are read back. */
  readonly summaryVectors: SummaryVectorProvider;
  /**
   * Empties the scorer's cache where this process holds it (in-process), so that a method's
   * first compression of a sample is timed cold, not on scores another method left behind.
   */
  forgetScores?(): Promise<void>;
  close(): Promise<void>;
}

/** In-process compression with the given models (landmark indexes kept in this process). */
export async function inProcessBackend(models: Models): Promise<CompressionBackend> {
  const sdk = await import("../../src/sdk/in-process.js");
  const summaryVectors = processSummaryVectors();
  return {
    description: "in-process",
    concurrency: 1,
    compress: (input, options) => sdk.compress(input, options, { models, summaryVectors }),
    summaryVectors,
    forgetScores: async () => {
      const scorer = await models.scorer();
      if (scorer instanceof CachedScorer) scorer.clear();
    },
    close: async () => {},
  };
}

export interface QueueBackendOptions {
  readonly redisUrl: string;
  readonly prefix: string;
  /** Workers started here (child processes, one job each); 0 uses workers already running. */
  readonly workers: number;
  /** Jobs kept in flight; defaults to the workers started (or 1). */
  readonly inFlight?: number;
  readonly models: ModelsConfigInput;
  readonly timeoutMs: number;
}

/**
 * Compression through the compress queue (CtxpressClient), with `workers` local worker
 * processes started for the run, or with workers started elsewhere on the same Redis and prefix
 * (their models then decide the results; the records name them).
 */
export async function queueBackend(options: QueueBackendOptions): Promise<CompressionBackend> {
  const [{ CtxpressClient }, { startWorkers }, { workerConfigSchema }, { connectIndexStore }] =
    await Promise.all([
      import("../../src/sdk/client.js"),
      import("../../src/workers/start-workers.js"),
      import("../../src/workers/config.js"),
      import("../../src/sdk/landmark-indexes.js"),
    ]);
  // Workers keep gist vectors in Redis; the reader here reads them from there.
  const stored = await connectIndexStore({ redisUrl: options.redisUrl, prefix: options.prefix });
  const client = await CtxpressClient.connect({
    redisUrl: options.redisUrl,
    prefix: options.prefix,
  });
  const running =
    options.workers > 0
      ? await startWorkers(
          workerConfigSchema.parse({
            redisUrl: options.redisUrl,
            prefix: options.prefix,
            queues: ["compress", "index"],
            concurrency: options.workers,
            models: options.models,
          }),
        )
      : null;
  return {
    description: `queue (${options.workers > 0 ? `${options.workers} local workers` : "external workers"}, prefix ${options.prefix})`,
    concurrency: options.inFlight ?? Math.max(1, options.workers),
    compress: async (input, compressOptions) => {
      const job = await client.enqueueCompress(input, compressOptions);
      return job.result({ timeoutMs: options.timeoutMs });
    },
    summaryVectors: stored.summaryVectors,
    close: async () => {
      await running?.close();
      await client.close();
      await stored.close();
    },
  };
}
