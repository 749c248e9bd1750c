import { z } from "zod";
import { prefixSchema, redisTlsSchema, redisUrlSchema } from "../../queues/connection.js";
import {
  ANSWER_QUEUE,
  COMPRESS_QUEUE,
  DEFAULT_PREFIX,
  DEFAULT_REDIS_URL,
  INDEX_QUEUE,
} from "../../queues/names.js";
import { defaultRetention, retentionSchema } from "../../queues/retention.js";
import { modelsConfigSchema } from "../model/provider-config.js";

export const workerConfigSchema = z.strictObject({
  redisUrl: redisUrlSchema.default(DEFAULT_REDIS_URL),
  /** CA, client certificate and server name for TLS (`rediss://`); see queues/connection.ts. */
  redisTls: redisTlsSchema.optional(),
  prefix: prefixSchema.default(DEFAULT_PREFIX),
  /** Which queues this process serves; each gets its own BullMQ worker and child processes. */
  queues: z
    .array(z.enum([COMPRESS_QUEUE, ANSWER_QUEUE, INDEX_QUEUE]))
    .min(1)
    .default([COMPRESS_QUEUE, ANSWER_QUEUE, INDEX_QUEUE]),
  /** Jobs run at once per queue; all of them share the process's one job thread and model set. */
  concurrency: z.number().int().min(1).max(64).default(1),
  /**
   * A job's lock lasts this long and is renewed at half of it by the main thread, which never
   * runs inference. With `stalledIntervalMs`, it bounds how soon a dead worker's job restarts
   * elsewhere: at most about lock + interval (10 + 5 s by default; see docs/RELIABILITY.md).
   */
  lockDurationMs: z.number().int().min(500).default(10_000),
  /** How often jobs whose worker died (lock expired) are looked for and put back. */
  stalledIntervalMs: z.number().int().min(500).default(5_000),
  /**
   * A job whose worker died more often than this while running it fails for good ("job stalled
   * more than allowable limit"): a poison job that kills every worker stops after 4 of them,
   * while a job caught by one or two crashes (or a Redis pause past its lock) still completes.
   */
  maxStalledCount: z.number().int().min(0).default(3),
  /** On SIGTERM/SIGINT the current jobs get this long to finish before the worker lets go. */
  shutdownTimeoutMs: z.number().int().min(0).default(60_000),
  /** Largest context, instruction or question, in UTF-16 code units (the compressor's default when absent). */
  maxDocumentChars: z.number().int().positive().optional(),
  retention: retentionSchema.default(defaultRetention),
  models: modelsConfigSchema.default(modelsConfigSchema.parse({})),
});
export type WorkerConfig = z.infer<typeof workerConfigSchema>;
export type WorkerConfigInput = z.input<typeof workerConfigSchema>;
