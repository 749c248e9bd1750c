import { ModelConfigError } from "../errors/index.js";
import { resolveBos } from "./bos.js";
import {
  type CacheStreamSettings,
  DEFAULT_SINK,
  defaultRecent,
  validateCacheStream,
} from "./cache-stream-plan.js";
import { scoreThroughCache } from "./cache-stream-scoring.js";
import type { CausalLm } from "./causal-lm.js";
import type { TrimPositions } from "./kv-cache.js";
import { OnnxScoringStream } from "./onnx-stream.js";
import { defaultOverlap, type ScoringWindow } from "./scoring-plan.js";
import type { ScoreItem, ScoringStream, Tokenizer } from "./types.js";
import { WindowedScorer } from "./windowed-scorer.js";

/**
 * On the 2-core CPU box a full 512-token window is already a large enough matrix: batching more
 * windows gained nothing and, past the logits budget, only added KV-cache steps (10K tokens of
 * the tiny model: ~15.6K, 15.3K, 15.0K, 12.1K tokens/s at 1, 2, 4, 8 windows per batch with
 * 1024-row runs). 4 lets GPUs and remote servers batch; the budget cap below usually decides.
 */
const DEFAULT_BATCH_SIZE = 4;

/** Fewest positions per window one batched run should cover (see the batch size cap). */
const MIN_SLICE = 128;

export interface OnnxScorerOptions {
  /** Tokens per model window, BOS included (default and maximum: the model's context window). */
  readonly window?: number;
  /** Context re-encoded at the start of each sliding window (default: a quarter of the window). */
  readonly overlap?: number;
  /**
   * Windows run together in one batch, left-padded (default 4). Capped so that one run still
   * covers at least 128 positions of each window within the model's logits budget.
   */
  readonly batchSize?: number;
  /** Prepend BOS to every window (default: when the tokenizer or config has one). */
  readonly addBos?: boolean;
  /**
   * How inputs longer than the window are scored. By default, for models whose cache can be
   * re-positioned (unscaled RoPE, a `position_ids` input, a float32 cache), they stream through
   * one KV cache trimmed to `sink` first tokens (default 4) plus the `recent` last ones (default
   * half the window), positions "shifted" (see `TrimPositions`): each token is computed once and
   * sees at least `sink + recent` tokens. `false`, and other models, slide overlapping windows.
   * Throws a `ModelConfigError` when the settings do not fit the window or the model.
   */
  readonly cacheStream?: false | CacheStreamOptions;
}

export interface CacheStreamOptions {
  readonly sink?: number;
  readonly recent?: number;
  readonly positions?: TrimPositions;
}

/**
 * `LogProbScorer` over a causal LM run by ONNX Runtime. Long inputs slide windows
 * (scoring-plan.ts); windows run in left-padded batches; every run returns at most
 * `maxLogitsRows` logits rows (the KV cache carries longer windows across runs), and only each
 * target's log-probability comes back from ONNX Runtime, never a [tokens x vocab] matrix.
 */
export class OnnxScorer extends WindowedScorer {
  readonly batchSize: number;
  /** How inputs longer than the window stream through the cache; null: sliding windows. */
  readonly cacheStream: CacheStreamSettings | null;

  constructor(
    readonly lm: CausalLm,
    options: OnnxScorerOptions = {},
  ) {
    const window = options.window ?? lm.contextWindow;
    if (window > lm.contextWindow) {
      throw new ModelConfigError(
        `scoring window ${window} exceeds the model's context window ${lm.contextWindow}`,
      );
    }
    const bos = lm.tokenizer.bosTokenId ?? lm.config.bosTokenId;
    super({
      window,
      overlap: options.overlap ?? defaultOverlap(window),
      bosTokenId: resolveBos(options.addBos, bos, lm.folder.id),
    });
    const requested = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isInteger(requested) || requested < 1) {
      throw new ModelConfigError(`batchSize must be a positive integer; got ${requested}`);
    }
    // A batch shares the logits budget: past the point where each run covers fewer than
    // MIN_SLICE positions per window, more windows per batch only add KV-cache steps.
    const affordable = Math.floor(lm.maxLogitsRows / Math.min(MIN_SLICE, window));
    this.batchSize = Math.max(1, Math.min(requested, affordable));
    this.cacheStream = cacheStreamSettings(lm, window, options.cacheStream);
  }

  get modelId(): string {
    return this.lm.folder.id;
  }

  get tokenizer(): Tokenizer {
    return this.lm.tokenizer;
  }

  /** Inputs that fit the window run in batched windows; longer ones stream through the cache. */
  override async logprobsBatch(items: readonly ScoreItem[]): Promise<Float32Array[]> {
    const stream = this.cacheStream;
    const bos = this.settings.bosTokenId === null ? [] : [this.settings.bosTokenId];
    const streamed = items.map(
      (item) =>
        stream !== null &&
        item.tokens.length > 0 &&
        bos.length + (item.condition?.length ?? 0) + item.tokens.length > this.settings.window,
    );
    const windowed = await super.logprobsBatch(items.filter((_, i) => !streamed[i]));
    let next = 0;
    const results: Float32Array[] = [];
    for (const [i, item] of items.entries()) {
      if (stream === null || !streamed[i]) {
        results.push(windowed[next++] as Float32Array);
        continue;
      }
      const sequence = [...bos, ...(item.condition ?? []), ...item.tokens];
      results.push(
        await scoreThroughCache(this.lm, sequence, sequence.length - item.tokens.length, stream),
      );
    }
    return results;
  }

  stream(condition: readonly number[] = []): ScoringStream {
    return new OnnxScoringStream(this, condition);
  }

  async dispose(): Promise<void> {
    await this.lm.dispose();
  }

  /**
   * Longest first, so each batch pads little. Without a `position_ids` input the model derives
   * positions from the sequence index, which left padding would shift: such models batch only
   * windows of equal length.
   */
  protected group(windows: readonly ScoringWindow[]): ScoringWindow[][] {
    const sorted = [...windows].sort((a, b) => b.input.length - a.input.length);
    const batches: ScoringWindow[][] = [];
    for (const window of sorted) {
      const current = batches[batches.length - 1];
      const fits =
        current !== undefined &&
        current.length < this.batchSize &&
        (this.lm.usesPositionIds || current[0]?.input.length === window.input.length);
      if (fits) current.push(window);
      else batches.push([window]);
    }
    return batches;
  }

  protected async scoreWindows(batch: readonly ScoringWindow[]): Promise<Float32Array[]> {
    const scores = batch.map((w) =>
      new Float32Array(w.input.length - w.scoreFrom).fill(Number.NaN),
    );
    const length = Math.max(...batch.map((w) => w.input.length));
    const ids = new Int32Array(batch.length * length);
    const mask = new Uint8Array(batch.length * length);
    const pad = batch.map((w) => length - w.input.length);
    batch.forEach((w, b) => {
      ids.set(w.input, b * length + (pad[b] ?? 0));
      mask.fill(1, b * length + (pad[b] ?? 0), (b + 1) * length);
    });
    await this.lm.run(
      { batch: batch.length, length, ids, mask },
      this.lm.emptyCache(batch.length),
      async (logits, from, to) => {
        const rows = to - from;
        const targets = new Int32Array(batch.length * rows).fill(-1);
        const writes: [row: number, score: Float32Array, index: number][] = [];
        batch.forEach((w, b) => {
          for (let t = from; t < to; t++) {
            // Row t predicts column t + 1, i.e. input index j; row t must hold a real token.
            const j = t + 1 - (pad[b] ?? 0);
            if (j >= 1 && j >= w.scoreFrom && j < w.input.length) {
              const row = b * rows + t - from;
              targets[row] = w.input[j] ?? 0;
              writes.push([row, scores[b] as Float32Array, j - w.scoreFrom]);
            }
          }
        });
        if (writes.length === 0) return;
        const logprobs = await this.lm.targetLogProbs(logits, targets);
        for (const [row, score, index] of writes) score[index] = logprobs[row] ?? Number.NaN;
      },
    );
    return scores;
  }
}

function cacheStreamSettings(
  lm: CausalLm,
  window: number,
  options: false | CacheStreamOptions | undefined,
): CacheStreamSettings | null {
  if (options === false) return null;
  const positions = options?.positions ?? "shifted";
  const problem = !lm.usesPositionIds
    ? "the model has no position_ids input"
    : positions === "shifted" && lm.config.rope === null
      ? `${lm.config.modelType} has no known unscaled RoPE`
      : positions === "shifted" && lm.kv.type !== "float32"
        ? "its KV cache is not float32"
        : null;
  if (problem !== null) {
    if (options === undefined) return null;
    throw new ModelConfigError(`cannot stream ${lm.folder.id} through its KV cache: ${problem}`);
  }
  const sink = options?.sink ?? DEFAULT_SINK;
  const recent = options?.recent ?? defaultRecent(window);
  const settings: CacheStreamSettings = {
    window,
    sink,
    recent,
    chunk: Math.max(1, Math.min(lm.maxLogitsRows, window - sink - recent)),
    positions,
  };
  // Default settings leave no room for a chunk only in tiny windows: those slide windows.
  if (options === undefined && sink + recent >= window) return null;
  validateCacheStream(settings);
  return settings;
}
