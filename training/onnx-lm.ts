/**
 * A minimal ONNX Runtime runner for the exported model folders: just enough to check an export
 * against its golden values and to evaluate the shipped models. The product's runtime (scorer,
 * decoder, tokenizer wrapper) lives in src/model; this stays independent of it on purpose, so the
 * training side can be checked on its own.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { z } from "zod";

const modelConfigSchema = z.object({
  model_type: z.literal("llama"),
  vocab_size: z.number().int().positive(),
  hidden_size: z.number().int().positive(),
  num_hidden_layers: z.number().int().positive(),
  num_key_value_heads: z.number().int().positive(),
  head_dim: z.number().int().positive(),
  max_position_embeddings: z.number().int().positive(),
  pad_token_id: z.number().int().nonnegative(),
});
export type LmConfig = z.infer<typeof modelConfigSchema>;

export function readLmConfig(folder: string): LmConfig {
  return modelConfigSchema.parse(JSON.parse(readFileSync(join(folder, "config.json"), "utf8")));
}

/** Per layer: key and value, each [batch, kv_heads, length, head_dim]. */
export type KvCache = ort.Tensor[];

/** One batch of equally long rows; `null` slots in `ids` are left padding. */
export interface LmStep {
  /** Token ids [batch][seq] (graph model.onnx) ... */
  readonly ids?: readonly (readonly number[])[];
  /** ... or embeddings, row-major [batch][seq][hidden] (graph model_embeds.onnx). */
  readonly embeds?: { readonly data: Float32Array; readonly batch: number; readonly seq: number };
  /** [batch][past + seq] of 0/1. */
  readonly attentionMask: readonly (readonly number[])[];
  readonly past?: KvCache;
}

export interface LmOutput {
  /** [batch, seq, vocab], row-major. */
  readonly logits: Float32Array;
  readonly seq: number;
  readonly present: KvCache;
}

const int64 = (rows: readonly (readonly number[])[]) =>
  new ort.Tensor(
    "int64",
    BigInt64Array.from(rows.flat(), (v) => BigInt(v)),
    [rows.length, rows[0]?.length ?? 0],
  );

/** Positions as transformers.js derives them: count of real tokens before, pads at 1. */
export function positionIds(
  attentionMask: readonly (readonly number[])[],
  seq: number,
): number[][] {
  return attentionMask.map((row) => {
    let seen = 0;
    const all = row.map((m) => {
      seen += m;
      return m ? seen - 1 : 1;
    });
    return all.slice(all.length - seq);
  });
}

export interface OnnxLmOptions {
  readonly threads?: number;
  /**
   * ONNX Runtime graph optimizations (default "all"). At "extended" and above, int8 weight
   * graphs run as MatMulNBits with int8 activations; "basic" keeps their float arithmetic.
   */
  readonly optimization?: "disabled" | "basic" | "extended" | "all";
}

export class OnnxLm {
  private constructor(
    readonly folder: string,
    readonly config: LmConfig,
    private readonly session: ort.InferenceSession,
  ) {}

  /** `file` is relative to the folder's onnx/ (model.onnx, model_embeds.onnx, model_quantized.onnx...). */
  static async load(
    folder: string,
    file = "model.onnx",
    options: OnnxLmOptions = {},
  ): Promise<OnnxLm> {
    const session = await ort.InferenceSession.create(join(folder, "onnx", file), {
      graphOptimizationLevel: options.optimization ?? "all",
      ...(options.threads ? { intraOpNumThreads: options.threads } : {}),
    });
    return new OnnxLm(folder, readLmConfig(folder), session);
  }

  emptyCache(batch: number): KvCache {
    const { num_hidden_layers, num_key_value_heads, head_dim } = this.config;
    const dims = [batch, num_key_value_heads, 0, head_dim];
    return Array.from(
      { length: 2 * num_hidden_layers },
      () => new ort.Tensor("float32", new Float32Array(0), dims),
    );
  }

  async step(input: LmStep): Promise<LmOutput> {
    const batch = input.attentionMask.length;
    const seq = input.ids ? (input.ids[0]?.length ?? 0) : (input.embeds?.seq ?? 0);
    const feeds: Record<string, ort.Tensor> = {
      attention_mask: int64(input.attentionMask),
      position_ids: int64(positionIds(input.attentionMask, seq)),
    };
    if (input.ids) feeds.input_ids = int64(input.ids);
    else if (input.embeds) {
      const { data, batch: b, seq: s } = input.embeds;
      feeds.inputs_embeds = new ort.Tensor("float32", data, [b, s, this.config.hidden_size]);
    } else throw new Error("OnnxLm.step needs ids or embeds");
    const past = input.past ?? this.emptyCache(batch);
    for (let layer = 0; layer < this.config.num_hidden_layers; layer++) {
      feeds[`past_key_values.${layer}.key`] = past[2 * layer] as ort.Tensor;
      feeds[`past_key_values.${layer}.value`] = past[2 * layer + 1] as ort.Tensor;
    }
    const out = await this.session.run(feeds);
    const present: KvCache = [];
    for (let layer = 0; layer < this.config.num_hidden_layers; layer++) {
      present.push(
        out[`present.${layer}.key`] as ort.Tensor,
        out[`present.${layer}.value`] as ort.Tensor,
      );
    }
    return { logits: (out.logits as ort.Tensor).data as Float32Array, seq, present };
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

/** ln softmax(logits)[target] for one row of `vocab` logits starting at `offset`. */
export function logSoftmaxAt(
  logits: Float32Array,
  offset: number,
  vocab: number,
  target: number,
): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < vocab; i++) max = Math.max(max, logits[offset + i] as number);
  let sum = 0;
  for (let i = 0; i < vocab; i++) sum += Math.exp((logits[offset + i] as number) - max);
  return (logits[offset + target] as number) - max - Math.log(sum);
}

export function argmaxAt(logits: Float32Array, offset: number, vocab: number): number {
  let best = 0;
  for (let i = 1; i < vocab; i++) {
    if ((logits[offset + i] as number) > (logits[offset + best] as number)) best = i;
  }
  return best;
}

/**
 * Log-probs of each row's tokens (entry 0 of each row is NaN: nothing precedes it), batched
 * with left padding so rows of different lengths share one run.
 */
export async function tokenLogprobs(
  lm: OnnxLm,
  rows: readonly (readonly number[])[],
): Promise<Float64Array[]> {
  const width = Math.max(...rows.map((r) => r.length));
  const pad = lm.config.pad_token_id;
  const ids = rows.map((r) => [...Array(width - r.length).fill(pad), ...r]);
  const mask = rows.map((r) => [...Array(width - r.length).fill(0), ...Array(r.length).fill(1)]);
  const { logits } = await lm.step({ ids, attentionMask: mask });
  const vocab = lm.config.vocab_size;
  return rows.map((row, b) => {
    const shift = width - row.length;
    const out = new Float64Array(row.length).fill(Number.NaN);
    for (let i = 1; i < row.length; i++) {
      out[i] = logSoftmaxAt(logits, (b * width + shift + i - 1) * vocab, vocab, row[i] as number);
    }
    return out;
  });
}

/** Prompt tokens fed per run: bounds the [heads, chunk, past + chunk] attention scores in memory. */
const PREFILL_CHUNK = 1024;

/**
 * Greedy decoding of one prompt with the KV cache; stops at `stopIds` (not included). Long
 * prompts are prefilled in chunks. No context-window check: evaluation runs past the window on
 * purpose, to show where a model breaks.
 */
export async function greedyGenerate(
  lm: OnnxLm,
  prompt: readonly number[],
  maxNewTokens: number,
  stopIds: readonly number[] = [],
): Promise<number[]> {
  const vocab = lm.config.vocab_size;
  let out: LmOutput | undefined;
  for (let from = 0; from < prompt.length; from += PREFILL_CHUNK) {
    const chunk = prompt.slice(from, from + PREFILL_CHUNK);
    const attentionMask = [Array(from + chunk.length).fill(1)];
    out = await lm.step({ ids: [chunk], attentionMask, ...(out ? { past: out.present } : {}) });
  }
  if (!out) throw new RangeError("greedyGenerate needs a non-empty prompt");
  const generated: number[] = [];
  for (let i = 0; i < maxNewTokens; i++) {
    const next = argmaxAt(out.logits, (out.seq - 1) * vocab, vocab);
    if (stopIds.includes(next)) break;
    generated.push(next);
    if (i + 1 === maxNewTokens) break;
    const attentionMask = [Array(prompt.length + generated.length).fill(1)];
    out = await lm.step({ ids: [[next]], attentionMask, past: out.present });
  }
  return generated;
}
