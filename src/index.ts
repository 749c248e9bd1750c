/**
 * ctxpress' public API: in-process compression and answering, the queue client, the types and
 * errors callers need. Deeper modules (src/model, src/compressors) stay importable by path for
 * those who build their own pipelines.
 *
 * Naming: a type named `XInput` is what callers write (defaults may be left out); `X` is the
 * same thing after defaults were applied.
 *
 * @packageDocumentation
 */

export type { IndexJobResult } from "../queues/index-jobs.js";
export type { Retention, RetentionInput } from "../queues/retention.js";
export type {
  GenerationOptions,
  GenerationOptionsInput,
  JobProgress,
} from "../queues/schemas.js";
export {
  type CompressionMethod,
  type CompressOptions,
  type CompressOptionsInput,
  type CompressRequestInput,
  METHODS,
  recover,
  validateCompressRequest,
} from "./compressors/index.js";
export type {
  CompressedContext,
  CompressionResult,
  CompressionResultFor,
  CompressionStats,
  Progress,
  SummarizedContext,
  SummaryVectors,
  TextCompression,
  TokenCounts,
  VectorCompression,
} from "./compressors/types.js";
export * from "./errors/index.js";
export { createModels, defaultModels, type Models } from "./model/models.js";
export type { ModelsConfig, ModelsConfigInput } from "./model/provider-config.js";
export { splitIntoContexts } from "./sdk/chunk.js";
export {
  type ClientOptions,
  CtxpressClient,
  type JobHandle,
  type JobStatus,
} from "./sdk/client.js";
export {
  type AnswerOptions,
  compress,
  compressThenAnswer,
  type InProcessOptions,
} from "./sdk/in-process.js";
export { type PreparedCompressJob, prepareCompressJob } from "./sdk/job-data.js";
export type { JobUpdate } from "./sdk/job-watch.js";
export {
  connectIndexStore,
  type IndexOptions,
  type IndexStoreOptions,
  indexDocument,
  type RedisIndexes,
} from "./sdk/landmark-indexes.js";
export type { AnswerResult, GenerationStats } from "./store/records.js";
export { type WorkerConfig, type WorkerConfigInput, workerConfigSchema } from "./workers/config.js";
export { type RunningWorkers, startWorkers } from "./workers/start-workers.js";
