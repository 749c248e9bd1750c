import { type CacheStreamSettings, planCacheStream } from "./cache-stream-plan.js";
import type { CausalLm } from "./causal-lm.js";

/**
 * ln p(sequence[j] | sequence[<j]) for j from `scoreFrom` to the end, computing each token once
 * through one KV cache trimmed to attention sinks plus recent tokens (cache-stream-plan.ts).
 * Entries the model has no prediction for (j = 0) are NaN. `sequence` is the whole model input,
 * BOS included.
 */
export async function scoreThroughCache(
  lm: CausalLm,
  sequence: readonly number[],
  scoreFrom: number,
  settings: CacheStreamSettings,
): Promise<Float32Array> {
  const scores = new Float32Array(sequence.length - scoreFrom).fill(Number.NaN);
  let cache = lm.emptyCache(1);
  for (const { from, to, trim } of planCacheStream(sequence.length, settings)) {
    if (trim)
      cache = cache.trim(settings.sink, settings.recent, settings.positions, lm.config.rope);
    const length = to - from;
    const step = await lm.step(
      { batch: 1, length, ids: sequence.slice(from, to), mask: new Uint8Array(length).fill(1) },
      cache,
    );
    cache = step.cache;
    // Row t predicts sequence[from + t + 1].
    const targets = new Int32Array(length).fill(-1);
    for (let t = 0; t < length; t++) {
      const j = from + t + 1;
      if (j >= scoreFrom && j < sequence.length) targets[t] = sequence[j] ?? 0;
    }
    if (!targets.some((target) => target >= 0)) continue;
    const logprobs = await lm.targetLogProbs(step.logits, targets);
    for (let t = 0; t < length; t++) {
      if ((targets[t] ?? -1) >= 0) scores[from + t + 1 - scoreFrom] = logprobs[t] ?? Number.NaN;
    }
  }
  return scores;
}
