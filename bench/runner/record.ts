import { z } from "zod";
import { sampleRefSchema } from "./samples.js";

/**
 * One line of results.jsonl: one sample × method × rate, with the raw material its metrics come
 * from (the contexts the reader got, its prediction, token counts), so every number in a report
 * can be recomputed from the file.
 */
export const RECORD_VERSION = 1;

/** "ok": answered; "over-window": the compressed prompt still did not fit the reader (scored 0);
 * "n/a": the method cannot run this cell (reason says why); "error": it failed (retried on rerun). */
export const RECORD_STATUSES = ["ok", "over-window", "n/a", "error"] as const;
export type RecordStatus = (typeof RECORD_STATUSES)[number];

const countsSchema = z.strictObject({
  tokenizer: z.string(),
  original: z.number().int().nonnegative(),
  compressed: z.number().int().nonnegative(),
});
export type Counts = z.output<typeof countsSchema>;

export const recordMetricsSchema = z.strictObject({
  /** The task's metric on the prediction (0 for an over-window prompt, which is not decoded). */
  score: z.number().min(0).max(1),
  /**
   * Share of gold answers still verbatim (case-insensitive) in the contexts the reader got; null
   * for vector methods, whose compressed context is not text.
   */
  retention: z.number().min(0).max(1).nullable(),
  /**
   * The whole reader prompt, original vs sent, in the reader's tokenizer. A summary vector takes
   * one position of the reader and counts as one token.
   */
  reader: countsSchema,
  /** The same prompts in cl100k_base, for comparison with the papers. */
  cl100k: countsSchema,
  /** The compressor's own count of its prompt (instruction, contexts, question), from its stats. */
  compressor: countsSchema,
});
export type RecordMetrics = z.output<typeof recordMetricsSchema>;

export const benchRecordSchema = z.strictObject({
  v: z.literal(RECORD_VERSION),
  key: z.string(),
  sampleId: z.string(),
  ref: sampleRefSchema,
  task: z.string(),
  lengthLabel: z.string(),
  depth: z.number().nullable(),
  position: z.number().nullable(),
  answers: z.array(z.string()),
  method: z.string(),
  /** Requested rate; 1 for "none". */
  rate: z.number().gt(0).lte(1),
  status: z.enum(RECORD_STATUSES),
  /** Why a cell is n/a or failed. */
  reason: z.string().optional(),
  /** n/a that a later run may lift (a model that failed to load), so reruns try again. */
  retry: z.boolean().optional(),
  budget: z
    .strictObject({
      /** The target of the compression that was kept, in the compressor's tokens. */
      targetTokens: z.number(),
      cappedByWindow: z.boolean(),
      /** 2 when the first output overflowed the reader and a scaled target was asked for. */
      attempts: z.number().int().min(1).max(2),
    })
    .optional(),
  /** Vector methods (gist): the summary vectors the reader read instead of contexts. */
  vectors: z
    .strictObject({ modelId: z.string(), count: z.number().int().nonnegative() })
    .optional(),
  /**
   * The rate whose cell asked the method for the same budget (both capped by the reader's
   * window): this record is that cell's compression and answer, not run again.
   */
  reusedFrom: z.number().positive().max(1).optional(),
  /** Contexts handed to the reader, in prompt order; null means the original ones ("none"). */
  contexts: z.array(z.string()).nullable().optional(),
  prediction: z.string().optional(),
  metrics: recordMetricsSchema.optional(),
  timings: z
    .strictObject({
      /** The compressor's own total (stats.totalMs). */
      compressMs: z.number().nonnegative(),
      /** Wall time around the compression call as the runner saw it (queue overhead included). */
      compressWallMs: z.number().nonnegative(),
      stages: z.record(z.string(), z.number()),
      decodeMs: z.number().nonnegative().nullable(),
    })
    .optional(),
  generation: z
    .strictObject({
      modelId: z.string(),
      promptTokens: z.number().int().nonnegative(),
      completionTokens: z.number().int().nonnegative(),
      finishReason: z.enum(["stop", "length"]),
    })
    .optional(),
  /** Model id per role, from the compressor's stats. */
  models: z.record(z.string(), z.string()).optional(),
  finishedAt: z.string(),
});
export type BenchRecord = z.output<typeof benchRecordSchema>;

/** Identity of a cell of work within one output folder. */
export function recordKey(sampleId: string, method: string, rate: number): string {
  return `${sampleId}|${method}|${rate}`;
}

/** A rerun skips these; errors and retryable n/a are attempted again. */
export function isFinished(record: BenchRecord): boolean {
  if (record.status === "error") return false;
  return !(record.status === "n/a" && record.retry === true);
}
