import { z } from "zod";
import type {
  CompressedContext,
  CompressionResult,
  CompressionStats,
  SummaryVectors,
  TokenCounts,
} from "../compressors/types.js";

/*
 * Shapes of what workers store and clients read back. Redis is outside the process, so reads are
 * validated like any other input; the schemas mirror the interfaces in src/compressors/types.ts.
 */

/** zod's z.number() refuses Infinity, which is the ratio of a compression that kept nothing. */
const anyNumber = z.custom<number>((value) => typeof value === "number", "expected a number");

const tokenCountsSchema: z.ZodType<TokenCounts> = z.object({
  tokenizer: z.string(),
  originalTokens: z.number().int().nonnegative(),
  compressedTokens: z.number().int().nonnegative(),
  ratio: anyNumber,
  rate: anyNumber,
});

export const compressionStatsSchema: z.ZodType<CompressionStats> = z.object({
  counts: tokenCountsSchema,
  target: tokenCountsSchema.optional(),
  timingsMs: z.record(z.string(), z.number()),
  totalMs: z.number(),
  models: z.record(z.string(), z.string()),
});

const compressedContextSchema: z.ZodType<CompressedContext> = z.object({
  index: z.number().int().nonnegative(),
  text: z.string(),
  keptSpans: z.array(z.tuple([z.number(), z.number()])),
  originalTokens: z.number().int().nonnegative(),
  compressedTokens: z.number().int().nonnegative(),
});

const summaryVectorsSchema: z.ZodType<SummaryVectors> = z.object({
  modelId: z.string(),
  summaryTokens: z.number().int().positive(),
  hiddenSize: z.number().int().positive(),
  contexts: z.array(
    z.object({
      index: z.number().int().nonnegative(),
      documentSha256: z.string(),
      modelId: z.string(),
      segmentTokens: z.number().int().positive(),
      tokens: z.number().int().nonnegative(),
      segments: z.number().int().nonnegative(),
      vectors: z.number().int().nonnegative(),
      computed: z.boolean(),
    }),
  ),
  readerText: z.string(),
  ratio: anyNumber,
});

const compressionCommonShape = {
  method: z.string(),
  contexts: z.array(compressedContextSchema),
  stats: compressionStatsSchema,
  options: z.record(z.string(), z.unknown()),
};

export const compressionResultSchema: z.ZodType<CompressionResult> = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("text"), prompt: z.string(), ...compressionCommonShape }),
  z.object({
    kind: z.literal("vectors"),
    summary: summaryVectorsSchema,
    preview: z.string(),
    ...compressionCommonShape,
  }),
]);

export const generationStatsSchema = z.object({
  modelId: z.string(),
  promptTokens: z.number().int().nonnegative(),
  completionTokens: z.number().int().nonnegative(),
  finishReason: z.enum(["stop", "length"]),
  latencyMs: z.number().nonnegative(),
});
export type GenerationStats = z.infer<typeof generationStatsSchema>;

/** A decoder's answer over a compressed prompt, with what it cost at each step. */
export const answerResultSchema = z.object({
  answer: z.string(),
  /** The prompt the decoder read: the compressed context plus the answer cue. */
  prompt: z.string(),
  generation: generationStatsSchema,
  compression: z.object({ method: z.string(), stats: compressionStatsSchema }),
  /** compress: the compressor's own total; decode: the decoder's latency; total: both. */
  timingsMs: z.object({ compress: z.number(), decode: z.number(), total: z.number() }),
});
export type AnswerResult = z.infer<typeof answerResultSchema>;
