import { z } from "zod";
import { blockTokensSchema, DEFAULT_BLOCK_TOKENS } from "../../queues/block-tokens.js";
import { prefixSchema, redisTlsSchema, redisUrlSchema } from "../../queues/connection.js";
import type { IndexJobResult } from "../../queues/index-jobs.js";
import { DEFAULT_PREFIX, DEFAULT_REDIS_URL } from "../../queues/names.js";
import { defaultRetention, retentionSchema } from "../../queues/retention.js";
import type { SummaryVectorProvider } from "../compressors/gist/summary-vectors.js";
import { validateIndexDocument } from "../compressors/landmark/index-input.js";
import { requireEmbedder } from "../compressors/landmark/landmark.js";
import type { LandmarkIndexProvider } from "../compressors/landmark/landmark-index.js";
import type { Progress } from "../compressors/types.js";
import { defaultModels, type Models } from "../model/models.js";
import { LandmarkIndexCache, processLandmarkIndexes } from "../store/landmark-index-cache.js";
import { createStore } from "../store/store.js";
import { SummaryVectorCache } from "../store/summary-vector-cache.js";
import { connectProducer } from "./redis-connection.js";
import { parseRequestPart } from "./validate.js";

export interface IndexOptions {
  readonly models?: Models;
  /** Tokens per block (default DEFAULT_BLOCK_TOKENS); landmark questions must use the same. */
  readonly blockTokens?: number;
  /** Where the index is looked up and kept; default: this process' memory. */
  readonly landmarkIndexes?: LandmarkIndexProvider;
  readonly maxDocumentChars?: number;
  readonly onProgress?: (progress: Progress) => void;
  readonly signal?: AbortSignal;
}

/**
 * Finds or builds the landmark index of a document in this process (what an index job does on a
 * worker). Bad input (an empty document, a block size that is not a positive integer) is a
 * `CompressionInputError`.
 */
export async function indexDocument(
  text: string,
  options: IndexOptions = {},
): Promise<IndexJobResult> {
  const blockTokens = parseRequestPart(
    blockTokensSchema,
    options.blockTokens ?? DEFAULT_BLOCK_TOKENS,
    "blockTokens",
  );
  validateIndexDocument(
    text,
    options.maxDocumentChars === undefined ? {} : { maxDocumentChars: options.maxDocumentChars },
  );
  const embedder = await requireEmbedder("index", { models: options.models ?? defaultModels() });
  const indexes = options.landmarkIndexes ?? processLandmarkIndexes();
  const { index, built } = await indexes.index({
    text,
    blockTokens,
    embedder,
    signal: options.signal,
    onProgress: (fraction) => options.onProgress?.({ stage: "index", fraction }),
  });
  options.onProgress?.({ stage: "index", fraction: 1 });
  return {
    documentSha256: index.documentSha256,
    modelId: index.modelId,
    blockTokens: index.blockTokens,
    blocks: index.blocks.length,
    dimensions: index.dimensions,
    built,
    buildMs: index.buildMs,
  };
}

export const indexStoreOptionsSchema = z.strictObject({
  redisUrl: redisUrlSchema.default(DEFAULT_REDIS_URL),
  /** CA, client certificate and server name for TLS; see queues/connection.ts. */
  redisTls: redisTlsSchema.optional(),
  prefix: prefixSchema.default(DEFAULT_PREFIX),
  retention: retentionSchema.default(defaultRetention),
});
export type IndexStoreOptions = z.input<typeof indexStoreOptionsSchema>;

export interface RedisIndexes {
  /** Pass as `landmarkIndexes` to `compress`, `compressThenAnswer` or `indexDocument`. */
  readonly provider: LandmarkIndexProvider;
  /** Gist summary vectors in the same Redis: pass as `summaryVectors`. */
  readonly summaryVectors: SummaryVectorProvider;
  close(): Promise<void>;
}

/**
 * The landmark indexes workers keep in Redis, for in-process use: an index built by
 * `ctxpress index` (or a worker) serves in-process questions, and the other way round.
 */
export async function connectIndexStore(options: IndexStoreOptions = {}): Promise<RedisIndexes> {
  const settings = parseRequestPart(indexStoreOptionsSchema, options, "indexStore");
  const redis = await connectProducer(settings.redisUrl, settings.redisTls);
  const store = createStore(redis.client, settings.prefix, settings.retention);
  return {
    provider: new LandmarkIndexCache(store.landmarkIndexes),
    summaryVectors: new SummaryVectorCache(store.summaryVectors),
    close: () => redis.close(),
  };
}
