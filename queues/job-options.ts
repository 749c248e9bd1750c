import type { DefaultJobOptions } from "bullmq";
import type { Retention } from "./retention.js";

/** Attempts for transient failures (Redis hiccups, a decoder server's 5xx, a crashed worker). */
export const DEFAULT_ATTEMPTS = 3;
/** First retry after about 2 s, then 4 s, 8 s…; jitter spreads retries of a burst of failures. */
export const DEFAULT_BACKOFF = { type: "exponential", delay: 2000, jitter: 0.5 } as const;

/**
 * Job data holds references only (document hashes, options); anything near this size is a bug
 * in the producer, not a big document.
 */
export const JOB_DATA_SIZE_LIMIT = 64 * 1024;

/** Options every ctxpress job is added with, by the SDK client and the CLI alike. */
export function defaultJobOptions(retention: Retention): DefaultJobOptions {
  return {
    attempts: DEFAULT_ATTEMPTS,
    backoff: { ...DEFAULT_BACKOFF },
    removeOnComplete: { age: retention.completedAgeSeconds, count: retention.completedCount },
    removeOnFail: { age: retention.failedAgeSeconds, count: retention.failedCount },
    sizeLimit: JOB_DATA_SIZE_LIMIT,
    keepLogs: 50,
  };
}

/** BullMQ keeps about this many events per queue stream (progress, completed, failed…). */
export const EVENTS_STREAM_MAX_LEN = 10_000;
