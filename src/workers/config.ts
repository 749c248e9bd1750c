import { z } from "zod";
import { prefixSchema, redisUrlSchema } from "../../queues/connection.js";
import {
  ANSWER_QUEUE,
  COMPRESS_QUEUE,
  DEFAULT_PREFIX,
  DEFAULT_REDIS_URL,
  INDEX_QUEUE,
} from "../../queues/names.js";
import { defaultRetention, retentionSchema } from "../../queues/retention.js";
import { WorkerSetupError } from "../errors/worker-setup-error.js";
import { modelsConfigSchema } from "../model/provider-config.js";

export const workerConfigSchema = z.strictObject({
  redisUrl: redisUrlSchema.default(DEFAULT_REDIS_URL),
  prefix: prefixSchema.default(DEFAULT_PREFIX),
  /** Which queues this process serves; each gets its own BullMQ worker and child processes. */
  queues: z
    .array(z.enum([COMPRESS_QUEUE, ANSWER_QUEUE, INDEX_QUEUE]))
    .min(1)
    .default([COMPRESS_QUEUE, ANSWER_QUEUE, INDEX_QUEUE]),
  /** Jobs run at once per queue; each running job has its own child process and models. */
  concurrency: z.number().int().min(1).max(64).default(1),
  /** A job's lock lasts this long and is renewed at half of it by the (never blocked) parent. */
  lockDurationMs: z.number().int().min(500).default(30_000),
  /** How often jobs whose worker died (lock expired) are looked for and put back. */
  stalledIntervalMs: z.number().int().min(500).default(30_000),
  /** A job that stalls more often than this fails (a poison job that kills its worker). */
  maxStalledCount: z.number().int().min(0).default(1),
  /** On SIGTERM/SIGINT the current jobs get this long to finish before the worker lets go. */
  shutdownTimeoutMs: z.number().int().min(0).default(60_000),
  /** Largest context, instruction or question, in UTF-16 code units (the compressor's default when absent). */
  maxDocumentChars: z.number().int().positive().optional(),
  retention: retentionSchema.default(defaultRetention),
  models: modelsConfigSchema.default(modelsConfigSchema.parse({})),
});
export type WorkerConfig = z.infer<typeof workerConfigSchema>;
export type WorkerConfigInput = z.input<typeof workerConfigSchema>;

/**
 * BullMQ's child processes import the processor file on their own, so the parent hands them its
 * already-validated configuration through their environment.
 */
export const WORKER_CONFIG_ENV = "CTXPRESS_WORKER_CONFIG";

export function workerConfigFromEnv(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const raw = env[WORKER_CONFIG_ENV];
  if (raw === undefined) throw new WorkerSetupError(`${WORKER_CONFIG_ENV} is not set`);
  return workerConfigSchema.parse(JSON.parse(raw));
}
