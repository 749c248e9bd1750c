import { z } from "zod";

const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, "must be a lowercase hex sha256");

/** Instruction and question travel inline; they are prompts, not documents. */
export const MAX_INLINE_TEXT_CHARS = 8192;
export const MAX_DOCUMENTS_PER_JOB = 256;

export const documentRefSchema = z.strictObject({
  sha256: sha256Schema,
  bytes: z.number().int().nonnegative(),
});
export type DocumentRefData = z.infer<typeof documentRefSchema>;

/**
 * The fingerprint of the models configuration that must run a job (workers publish theirs; see
 * src/store/models-registry.ts). A worker with other models hands the job back for one that has
 * them; a job without it runs on any worker (raw producers, or no worker ever seen).
 */
export const modelsFingerprintSchema = sha256Schema;

/**
 * A compression job: references to stored documents plus the request. `options` is checked by
 * the compressor's own schema in the worker (the producer checked it too, when it was ours).
 */
export const compressJobDataSchema = z.strictObject({
  version: z.literal(1),
  documents: z.array(documentRefSchema).min(1).max(MAX_DOCUMENTS_PER_JOB),
  instruction: z.string().max(MAX_INLINE_TEXT_CHARS).optional(),
  question: z.string().max(MAX_INLINE_TEXT_CHARS).optional(),
  options: z.looseObject({ method: z.string() }),
  models: modelsFingerprintSchema.optional(),
});
export type CompressJobData = z.infer<typeof compressJobDataSchema>;

/** Decoding settings of an answer job. */
export const generationOptionsSchema = z.strictObject({
  maxNewTokens: z.number().int().min(1).max(4096).default(64),
  /** 0 decodes greedily. */
  temperature: z.number().min(0).max(2).default(0),
  stop: z.array(z.string().min(1)).max(16).optional(),
});
export type GenerationOptions = z.infer<typeof generationOptionsSchema>;
export type GenerationOptionsInput = z.input<typeof generationOptionsSchema>;

/** An answer job: the parent of one compress job in a flow; it reads its child's result. */
export const answerJobDataSchema = z.strictObject({
  version: z.literal(1),
  generation: generationOptionsSchema,
  models: modelsFingerprintSchema.optional(),
});
export type AnswerJobData = z.infer<typeof answerJobDataSchema>;

/** What a compress job returns (BullMQ's returnvalue); the full result is in the store. */
export const compressJobResultSchema = z.strictObject({
  cacheKey: sha256Schema,
  method: z.string(),
  originalTokens: z.number().int().nonnegative(),
  compressedTokens: z.number().int().nonnegative(),
  totalMs: z.number().nonnegative(),
  /** True when an earlier job had already stored this exact compression. */
  cached: z.boolean(),
});
export type CompressJobResult = z.infer<typeof compressJobResultSchema>;

/** What an answer job returns; the answer with its stats is stored under the job's id. */
export const answerJobResultSchema = z.strictObject({
  cacheKey: sha256Schema,
  answer: z.string(),
});
export type AnswerJobResult = z.infer<typeof answerJobResultSchema>;

/** What workers pass to `job.updateProgress`: the compressor's stage and 0..1 fraction. */
export const jobProgressSchema = z.strictObject({
  stage: z.string(),
  fraction: z.number().min(0).max(1),
});
export type JobProgress = z.infer<typeof jobProgressSchema>;
