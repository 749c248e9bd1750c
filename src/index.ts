/**
 * ctxpress's public API: in-process compression and answering, the queue client, and the
 * types and errors callers need. Deeper modules (src/model, src/compressors) stay importable
 * by path for those who build their own pipelines.
 */

export type { IndexJobResult as IndexResult } from "../queues/index-jobs.js";
export type { RetentionInput as Retention } from "../queues/retention.js";
export type {
  GenerationOptionsInput as GenerationOptions,
  JobProgress,
} from "../queues/schemas.js";
export {
  CompressionInputError,
  type CompressOptionsInput as CompressOptions,
  type CompressRequestInput as CompressRequest,
  isCompressionInputError,
  METHODS,
  validateCompressRequest,
} from "./compressors/index.js";
export type {
  CompressedContext,
  CompressionResult,
  CompressionStats,
  Progress,
  TokenCounts,
} from "./compressors/types.js";
export { splitIntoContexts } from "./sdk/chunk.js";
export {
  type ClientOptions,
  CtxpressClient,
  type JobHandle,
  type JobStatus,
} from "./sdk/client.js";
export {
  JobFailedError,
  JobNotFoundError,
  JobTimeoutError,
  RedisAuthError,
  RedisConnectionError,
} from "./sdk/errors.js";
export { compress, compressThenAnswer, type InProcessOptions } from "./sdk/in-process.js";
export { type PreparedCompressJob, prepareCompressJob } from "./sdk/job-data.js";
export type { JobUpdate } from "./sdk/job-watch.js";
export {
  connectIndexStore,
  type IndexOptions,
  type IndexStoreOptions,
  indexDocument,
  type RedisIndexes,
} from "./sdk/landmark-indexes.js";
export { createModels, defaultModels, type Models, type ModelsConfig } from "./sdk/models.js";
export type { AnswerResult, GenerationStats } from "./store/records.js";
export { type WorkerConfigInput as WorkerConfig, workerConfigSchema } from "./workers/config.js";
export { type RunningWorkers, startWorkers } from "./workers/start-workers.js";
