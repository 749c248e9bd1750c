import { z } from "zod";
import { ModelLoadError } from "../errors/index.js";

/**
 * The architecture facts the runtime needs from a causal LM's `config.json`. Families name the
 * same facts differently (GPT-2: `n_layer`, `n_head`, `n_embd`, `n_positions`; Llama and most
 * newer ones: `num_hidden_layers`, `num_attention_heads`, `hidden_size`,
 * `max_position_embeddings`), so each field is read from the first alias present.
 */
export interface CausalLmConfig {
  readonly modelType: string;
  readonly numLayers: number;
  readonly numHeads: number;
  readonly numKeyValueHeads: number;
  readonly headDim: number;
  readonly hiddenSize: number;
  readonly intermediateSize: number;
  readonly vocabSize: number;
  /** Longest sequence the model was built for (its context window). */
  readonly maxPositions: number;
  readonly bosTokenId: number | null;
  /** All end-of-sequence ids (some configs list several). */
  readonly eosTokenIds: readonly number[];
  /** Whether the LM head shares the embedding matrix (FLOP counts are the same either way). */
  readonly tieWordEmbeddings: boolean;
  /**
   * Rotary position embedding in the Llama (rotate-half) convention, when the family is known to
   * use it without scaling; null otherwise. Lets a KV cache move kept keys to new positions.
   */
  readonly rope: RopeConfig | null;
}

/** Unscaled rotate-half RoPE: pairs (i, i + dim/2) turn by position x theta^(-2i/dim). */
export interface RopeConfig {
  readonly theta: number;
  /** Leading dimensions of each head that rotate (the head dimension unless partial). */
  readonly dim: number;
}

/** Families whose HF implementation applies RoPE with `rotate_half` on every layer. */
const ROTATE_HALF_FAMILIES = new Set(["llama", "mistral", "qwen2", "qwen3", "olmo", "olmo2"]);

const positiveInt = z.number().int().positive();
const tokenId = z.number().int().nonnegative();

const rawConfigSchema = z.looseObject({
  model_type: z.string().optional(),
  num_hidden_layers: positiveInt.optional(),
  n_layer: positiveInt.optional(),
  num_attention_heads: positiveInt.optional(),
  n_head: positiveInt.optional(),
  num_key_value_heads: positiveInt.optional(),
  hidden_size: positiveInt.optional(),
  n_embd: positiveInt.optional(),
  head_dim: positiveInt.nullish(),
  intermediate_size: positiveInt.optional(),
  n_inner: positiveInt.nullish(),
  vocab_size: positiveInt.optional(),
  max_position_embeddings: positiveInt.optional(),
  n_positions: positiveInt.optional(),
  n_ctx: positiveInt.optional(),
  seq_length: positiveInt.optional(),
  max_sequence_length: positiveInt.optional(),
  bos_token_id: tokenId.nullish(),
  eos_token_id: z.union([tokenId, z.array(tokenId)]).nullish(),
  tie_word_embeddings: z.boolean().optional(),
  rope_theta: z.number().positive().optional(),
  rope_scaling: z.unknown().optional(),
  partial_rotary_factor: z.number().positive().max(1).optional(),
});

function required(value: number | undefined, names: string, file: string): number {
  if (value === undefined) {
    throw new ModelLoadError(`${file} has none of ${names}; cannot size the model`);
  }
  return value;
}

/** Parses a causal LM's config.json (already JSON-decoded). `file` names it in errors. */
export function parseCausalLmConfig(json: unknown, file: string): CausalLmConfig {
  const parsed = rawConfigSchema.safeParse(json);
  if (!parsed.success) {
    throw new ModelLoadError(
      `${file} is not a valid model config: ${z.prettifyError(parsed.error)}`,
    );
  }
  const raw = parsed.data;
  const numLayers = required(
    raw.num_hidden_layers ?? raw.n_layer,
    "num_hidden_layers/n_layer",
    file,
  );
  const numHeads = required(
    raw.num_attention_heads ?? raw.n_head,
    "num_attention_heads/n_head",
    file,
  );
  const hiddenSize = required(raw.hidden_size ?? raw.n_embd, "hidden_size/n_embd", file);
  const eos = raw.eos_token_id;
  const headDim = raw.head_dim ?? hiddenSize / numHeads;
  const modelType = raw.model_type ?? "unknown";
  const unscaled = raw.rope_scaling === undefined || raw.rope_scaling === null;
  return {
    modelType,
    numLayers,
    numHeads,
    numKeyValueHeads: raw.num_key_value_heads ?? numHeads,
    headDim,
    hiddenSize,
    intermediateSize: raw.intermediate_size ?? raw.n_inner ?? 4 * hiddenSize,
    vocabSize: required(raw.vocab_size, "vocab_size", file),
    maxPositions: required(
      raw.max_position_embeddings ??
        raw.n_positions ??
        raw.n_ctx ??
        raw.seq_length ??
        raw.max_sequence_length,
      "max_position_embeddings/n_positions/n_ctx/seq_length/max_sequence_length",
      file,
    ),
    bosTokenId: raw.bos_token_id ?? null,
    eosTokenIds: eos === undefined || eos === null ? [] : Array.isArray(eos) ? eos : [eos],
    tieWordEmbeddings: raw.tie_word_embeddings ?? false,
    rope:
      ROTATE_HALF_FAMILIES.has(modelType) && unscaled
        ? {
            theta: raw.rope_theta ?? 10_000,
            dim: Math.round(headDim * (raw.partial_rotary_factor ?? 1)),
          }
        : null,
  };
}
