import { z } from "zod";
import {
  DEFAULT_CLASSIFIER_MODEL,
  DEFAULT_DECODER_MODEL,
  DEFAULT_EMBEDDER_MODEL,
  DEFAULT_GIST_MODEL,
  DEFAULT_SCORER_MODEL,
} from "./defaults.js";
import { MODEL_DTYPES } from "./model-folder.js";
import { openAiDecoderSchema } from "./openai-decoder.js";
import { vllmScorerSchema } from "./vllm-scorer.js";

/**
 * Which models a process uses, as plain data (JSON/YAML files, CLI flags, job options), validated
 * here. Everything has a default: `{}` means the embedded ONNX models on the CPU.
 */

/** Loading and running an ONNX model folder (local path or hub id). */
function onnxModelFields(defaultModel: string) {
  return {
    /** Local folder or hub id ("owner/name"). */
    model: z.string().min(1).default(defaultModel),
    /** ONNX variant (default: the folder's own, see resolveOnnxModelFolder; else fp32). */
    dtype: z.enum(MODEL_DTYPES).optional(),
    provider: z.enum(["cpu", "cuda", "webgpu", "auto"]).default("cpu"),
    /** Threads per operator (default: ONNX Runtime's, one per core). */
    threads: z.number().int().positive().optional(),
    graphOptimization: z.enum(["disabled", "basic", "extended", "all"]).default("all"),
    deviceId: z.number().int().nonnegative().default(0),
    /** Spinning intra-op threads (see session.ts; off suits shared machines). */
    spinning: z.boolean().default(false),
    /** Never download: hub ids must already be in the cache. */
    localOnly: z.boolean().default(false),
    revision: z.string().min(1).optional(),
    cacheDir: z.string().min(1).optional(),
    downloadTimeoutMs: z.number().int().positive().optional(),
    /** Cap on logits returned by one ONNX Runtime run (see CausalLm). */
    maxLogitsBytes: z.number().int().positive().optional(),
  };
}

/**
 * Scores of this many recently scored tokens are kept and reused (see CachedScorer): a document
 * compressed at several rates is ranked once. 0 turns the cache off. 4 bytes per token.
 */
const scoreCacheTokens = z.number().int().nonnegative().default(2_000_000);

export const onnxScorerConfigSchema = z.strictObject({
  type: z.literal("onnx"),
  ...onnxModelFields(DEFAULT_SCORER_MODEL),
  cacheTokens: scoreCacheTokens,
  window: z.number().int().positive().optional(),
  overlap: z.number().int().nonnegative().optional(),
  batchSize: z.number().int().positive().optional(),
  addBos: z.boolean().optional(),
  /** Inputs past the window: through one trimmed KV cache (default where possible) or `false`: windows. */
  cacheStream: z
    .union([
      z.literal(false),
      z.strictObject({
        sink: z.number().int().nonnegative().optional(),
        recent: z.number().int().positive().optional(),
        positions: z.enum(["shifted", "original", "unrotated"]).optional(),
      }),
    ])
    .optional(),
});

export const vllmScorerConfigSchema = vllmScorerSchema
  .extend({ type: z.literal("vllm"), cacheTokens: scoreCacheTokens })
  .strict();

export const onnxDecoderConfigSchema = z.strictObject({
  type: z.literal("onnx"),
  ...onnxModelFields(DEFAULT_DECODER_MODEL),
  truncation: z.enum(["error", "left"]).default("error"),
  addBos: z.boolean().optional(),
});

/** LLMLingua-2's token classifier (an encoder with a 2-way token-classification head). */
export const onnxClassifierConfigSchema = z.strictObject({
  type: z.literal("onnx"),
  ...onnxModelFields(DEFAULT_CLASSIFIER_MODEL),
  /** Most token positions per ONNX Runtime run (see OnnxTokenClassifier). */
  batchTokens: z.number().int().positive().optional(),
});

/** The embedder of landmark retrieval: an ONNX bi-encoder folder (see OnnxEmbedder). */
export const onnxEmbedderConfigSchema = z.strictObject({
  type: z.literal("onnx"),
  ...onnxModelFields(DEFAULT_EMBEDDER_MODEL),
  /** Most token positions per ONNX Runtime run. */
  batchTokens: z.number().int().positive().optional(),
});
export type OnnxEmbedderConfig = z.output<typeof onnxEmbedderConfigSchema>;

/**
 * The AutoCompressor of `gist`: writes summary vectors and reads them back (OnnxAutoCompressor).
 * `dtype` applies to all three of its graphs; the embedded gist-5m ships int8 (q8) only.
 */
export const onnxGistConfigSchema = z.strictObject({
  type: z.literal("onnx"),
  ...onnxModelFields(DEFAULT_GIST_MODEL),
});
export type OnnxGistConfig = z.output<typeof onnxGistConfigSchema>;

export const openAiDecoderConfigSchema = openAiDecoderSchema
  .extend({ type: z.literal("openai") })
  .strict();

export const scorerConfigSchema = z.discriminatedUnion("type", [
  onnxScorerConfigSchema,
  vllmScorerConfigSchema,
]);

export const decoderConfigSchema = z.discriminatedUnion("type", [
  onnxDecoderConfigSchema,
  openAiDecoderConfigSchema,
]);

export const modelsConfigSchema = z.strictObject({
  scorer: scorerConfigSchema.prefault({ type: "onnx" }),
  decoder: decoderConfigSchema.prefault({ type: "onnx" }),
  classifier: onnxClassifierConfigSchema.prefault({ type: "onnx" }),
  embedder: onnxEmbedderConfigSchema.prefault({ type: "onnx" }),
  gist: onnxGistConfigSchema.prefault({ type: "onnx" }),
});

export type ModelsConfigInput = z.input<typeof modelsConfigSchema>;
export type ModelsConfig = z.output<typeof modelsConfigSchema>;
/** The loading and session fields every ONNX entry (scorer, decoder, classifier, embedder) has. */
export type OnnxModelFields = z.output<z.ZodObject<ReturnType<typeof onnxModelFields>>>;
export type OnnxModelConfig =
  | z.output<typeof onnxScorerConfigSchema>
  | z.output<typeof onnxDecoderConfigSchema>;
