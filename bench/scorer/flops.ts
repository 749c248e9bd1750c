import { type CacheStreamStep, planCacheStream } from "../../src/model/cache-stream-plan.js";
import type { CausalLmConfig } from "../../src/model/model-config.js";
import type { OnnxScorer } from "../../src/model/onnx-scorer.js";
import { planWindows } from "../../src/model/scoring-plan.js";

/**
 * Matmul FLOPs of a decoder-only transformer's forward pass, from its config. A multiply-add
 * counts 2. Norms, activations, softmax and RoPE are ignored (a few percent at most).
 * Per position: Q/K/V/O projections (K and V at the key-value head count), the MLP (three
 * matrices for gated SwiGLU families, two for GPT-2) and the LM head; plus attention scores and
 * the weighted sum over the `context` positions the token attends to.
 */
const UNGATED_MLP = new Set(["gpt2", "gpt_neo", "gptj", "gpt_bigcode", "opt", "bloom"]);

export function denseFlopsPerPosition(config: CausalLmConfig): number {
  const {
    hiddenSize: h,
    numLayers,
    numHeads,
    numKeyValueHeads,
    headDim,
    intermediateSize,
    vocabSize,
  } = config;
  const attentionProjections = h * numHeads * headDim * 2 + h * numKeyValueHeads * headDim * 2;
  const mlpMatrices = UNGATED_MLP.has(config.modelType) ? 2 : 3;
  const perLayer = attentionProjections + mlpMatrices * h * intermediateSize;
  return 2 * (numLayers * perLayer + h * vocabSize);
}

/** Attention FLOPs (QK^T and AV over all layers) of one position attending to `context` keys. */
export function attentionFlops(config: CausalLmConfig, context: number): number {
  return 2 * 2 * config.numLayers * config.numHeads * config.headDim * context;
}

/** All matmul FLOPs of one causal pass over `length` positions (position i attends to i + 1). */
export function windowFlops(config: CausalLmConfig, length: number): number {
  return (
    length * denseFlopsPerPosition(config) + attentionFlops(config, (length * (length + 1)) / 2)
  );
}

/** All matmul FLOPs of streaming a sequence through the KV cache (cache-stream-plan.ts). */
export function cacheStreamFlops(
  config: CausalLmConfig,
  steps: readonly CacheStreamStep[],
): number {
  return steps.reduce((sum, { from, to, cached }) => {
    const n = to - from;
    // Position i of the step attends to the cached tokens and i + 1 of its own.
    return (
      sum +
      n * denseFlopsPerPosition(config) +
      attentionFlops(config, n * cached + (n * (n + 1)) / 2)
    );
  }, 0);
}

/** Parameters in the matmul weights and embeddings (norm weights ignored). */
export function parameterCount(config: CausalLmConfig): number {
  const embeddings = config.vocabSize * config.hiddenSize * (config.tieWordEmbeddings ? 1 : 2);
  const perPosition = denseFlopsPerPosition(config) / 2 - config.hiddenSize * config.vocabSize;
  return embeddings + perPosition;
}

/** What `scorer.logprobs` computes for one document of `tokens`. */
export interface ScoringWork {
  readonly flops: number;
  /** Sliding windows scored (0 when the input streams through the KV cache). */
  readonly windows: number;
  /** Runs through the trimmed KV cache (0 when the input fits a window or slides windows). */
  readonly cacheSteps: number;
  /** Positions the model computes (BOS and re-encoded overlap included). */
  readonly positions: number;
}

/** The matmul work of scoring `tokens`: one pass through the cache past the window, else windows. */
export function scoringWork(
  scorer: OnnxScorer,
  config: CausalLmConfig,
  tokens: readonly number[],
): ScoringWork {
  const bos = scorer.settings.bosTokenId === null ? 0 : 1;
  const length = tokens.length + bos;
  if (scorer.cacheStream !== null && length > scorer.settings.window) {
    const steps = planCacheStream(length, scorer.cacheStream);
    return {
      flops: cacheStreamFlops(config, steps),
      windows: 0,
      cacheSteps: steps.length,
      positions: length,
    };
  }
  const windows = planWindows([{ tokens: [...tokens] }], scorer.settings);
  return {
    flops: windows.reduce((sum, w) => sum + windowFlops(config, w.input.length), 0),
    windows: windows.length,
    cacheSteps: 0,
    positions: windows.reduce((sum, w) => sum + w.input.length, 0),
  };
}
