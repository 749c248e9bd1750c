/** Queue names shared by producers and workers. Keys live under `<prefix>:<queue>:…`. */
export const COMPRESS_QUEUE = "compress";
export const ANSWER_QUEUE = "answer";
/** Landmark indexing (queues/index-jobs.ts). */
export const INDEX_QUEUE = "index";
export type QueueName = typeof COMPRESS_QUEUE | typeof ANSWER_QUEUE | typeof INDEX_QUEUE;

/** BullMQ key prefix and the prefix of ctxpress's own keys (documents, results). */
export const DEFAULT_PREFIX = "ctxpress";
export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

/** Job names inside the queues (BullMQ lets one queue carry several names; ours carry one each). */
export const COMPRESS_JOB = "compress";
export const ANSWER_JOB = "answer";
export const INDEX_JOB = "index";
