import { z } from "zod";
import { indexJobDataSchema } from "../../queues/index-jobs.js";
import {
  compressJobDataSchema,
  generationOptionsSchema,
  MAX_DOCUMENTS_PER_JOB,
} from "../../queues/schemas.js";

/**
 * Request bodies of the REST API, built from the job schemas in queues/ (one source of truth for
 * limits, options and decoding settings) and turned into the OpenAPI document. They check the
 * request's shape; the compressor's own schemas then check the method's options and the texts
 * (a `CompressionInputError` naming the field), exactly as for the SDK and the CLI.
 */

const structuredContextSchema = z.strictObject({
  segments: z
    .array(
      z.strictObject({
        text: z.string(),
        rate: z.number().optional(),
        compress: z.boolean().optional(),
      }),
    )
    .min(1),
});

const { instruction, question, options } = compressJobDataSchema.shape;

/** `POST /v1/compress`: the texts inline, options as for `ctxpress compress --options`. */
export const compressBodySchema = z.strictObject({
  contexts: z
    .array(z.union([z.string(), structuredContextSchema]))
    .min(1)
    .max(MAX_DOCUMENTS_PER_JOB)
    .describe("documents, one context each: plain text or typed segments"),
  instruction,
  question,
  options: options.describe("`method` and that method's options (rate, targetTokens, …)"),
});
export type CompressBody = z.infer<typeof compressBodySchema>;

/** `POST /v1/answer`: a compression, then the decoder answers the question from it. */
export const answerBodySchema = compressBodySchema.extend({
  question: question.unwrap().min(1),
  generation: generationOptionsSchema.optional(),
});
export type AnswerBody = z.infer<typeof answerBodySchema>;

/** `POST /v1/index`: builds (or finds) the landmark index of a document. */
export const indexBodySchema = z.strictObject({
  document: z.string().min(1),
  blockTokens: indexJobDataSchema.shape.blockTokens.unwrap().optional(),
});
export type IndexBody = z.infer<typeof indexBodySchema>;

/** `POST /v1/jobs`: one of the three, queued; `type` says which. */
export const jobBodySchema = z.discriminatedUnion("type", [
  compressBodySchema.extend({ type: z.literal("compress") }),
  answerBodySchema.extend({ type: z.literal("answer") }),
  indexBodySchema.extend({ type: z.literal("index") }),
]);
export type JobBody = z.infer<typeof jobBodySchema>;

export const jobParamsSchema = z.strictObject({ id: z.string().min(1).max(200) });
