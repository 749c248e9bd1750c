import { z } from "zod";
import { prefixSchema, redisTlsSchema, redisUrlSchema } from "../../queues/connection.js";
import { DEFAULT_PREFIX, DEFAULT_REDIS_URL } from "../../queues/names.js";
import { defaultRetention, retentionSchema } from "../../queues/retention.js";
import type { SummaryVectorProvider } from "../compressors/gist/summary-vectors.js";
import type { LandmarkIndexProvider } from "../compressors/landmark/landmark-index.js";
import { parseRequestPart } from "../pipeline/validate.js";
import { LandmarkIndexCache } from "../store/landmark-index-cache.js";
import { connectProducer } from "../store/redis-connection.js";
import { createStore } from "../store/store.js";
import { SummaryVectorCache } from "../store/summary-vector-cache.js";

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
