import type { Tensor } from "onnxruntime-node";
import type { CausalLm } from "./causal-lm.js";
import type { KvCache } from "./kv-cache.js";
import { lastLogitsRow } from "./logits.js";
import type { WindowSettings } from "./scoring-plan.js";
import { StreamContext } from "./stream-context.js";
import type { LogProbScorer, ScoringStream } from "./types.js";

interface ScoredSegment {
  /** Cache after running the segment: covers the model tokens before it plus the segment. */
  readonly cache: KvCache;
  /** Logits of the segment's last token ([1, 1, vocab]). */
  readonly lastLogits: Tensor | null;
  /** Model tokens ([BOS] ++ context) before the segment. */
  readonly before: number;
}

/**
 * What a stream needs of its scorer (an OnnxScorer): the model, the window settings, and
 * plain scoring for what falls back to it. Named here, not imported, so that onnx-scorer.ts,
 * which creates streams, and this file do not import each other.
 */
export interface StreamScorer extends Pick<LogProbScorer, "logprobs"> {
  readonly lm: CausalLm;
  readonly settings: WindowSettings;
}

/**
 * `ScoringStream` with a KV cache holding the committed (kept) tokens only.
 *
 * - score(segment) runs only what the cache lacks plus the segment, on top of the cache.
 * - commit(all kept): the cache after the segment is exactly the new context's cache.
 * - commit(some dropped): the cache up to the first dropped token is still exact (those
 *   positions attended only to kept tokens); it is truncated there and the kept tokens after it
 *   are re-encoded at the next score. So every segment is scored exactly as if the kept
 *   concatenation were a plain condition (paper Eq. 5, p(s_j | compressed s_<j)). The reference
 *   instead deletes dropped positions from its cache, leaving kept entries that attended to
 *   dropped tokens and gaps in the positions; re-encoding costs at most one extra pass over the
 *   kept tokens of a segment.
 * - When the context outgrows the window, the committed tokens are cut to their last `overlap`
 *   and re-encoded after the pinned [BOS] ++ condition, whose cache is kept
 *   (stream-context.ts); a segment too long even for that is scored with sliding windows.
 */
export class OnnxScoringStream implements ScoringStream {
  private readonly context: StreamContext;
  /** Covers the first `cache.length` model tokens. */
  private cache: KvCache;
  /** Logits at the last model token, when the cache covers all model tokens. */
  private lastLogits: Tensor | null = null;
  private scored: ScoredSegment | null = null;

  constructor(
    private readonly scorer: StreamScorer,
    condition: readonly number[],
  ) {
    this.context = new StreamContext(condition, scorer.settings);
    this.cache = scorer.lm.emptyCache(1);
  }

  async score(segment: readonly number[]): Promise<Float32Array> {
    const lm = this.scorer.lm;
    const fit = this.context.begin(segment);
    if (fit === "too-long") {
      this.reset();
      return this.scorer.logprobs({ condition: this.context.committed, tokens: segment });
    }
    if (fit === "cut") {
      // [BOS] ++ condition is unchanged: keep its cache, re-encode what follows it.
      const modelLength = this.context.modelTokens().length;
      this.cache = this.cache.truncate(
        Math.max(0, Math.min(this.context.pinnedLength, modelLength - 1)),
      );
      this.lastLogits = null;
    }
    const model = this.context.modelTokens();
    const pending = model.slice(this.cache.length);
    const input = [...pending, ...segment];
    const result = new Float32Array(segment.length).fill(Number.NaN);
    let lastLogits = input.length === 0 ? this.lastLogits : null;
    const cache = await lm.run(
      { batch: 1, length: input.length, ids: input, mask: new Uint8Array(input.length).fill(1) },
      this.cache,
      async (logits, from, to) => {
        const rows = to - from;
        const targets = new Int32Array(rows).fill(-1);
        for (let t = from; t < to; t++) {
          // Row t predicts input[t + 1]; segment tokens start at input index pending.length.
          if (t + 1 >= pending.length && t + 1 < input.length) {
            targets[t - from] = input[t + 1] ?? 0;
          }
        }
        if (targets.some((target) => target >= 0)) {
          const logprobs = await lm.targetLogProbs(logits, targets);
          for (let t = from; t < to; t++) {
            if ((targets[t - from] ?? -1) >= 0) {
              result[t + 1 - pending.length] = logprobs[t - from] ?? Number.NaN;
            }
          }
        }
        if (to === input.length) lastLogits = lastLogitsRow(logits);
      },
    );
    const first = segment[0];
    if (pending.length === 0 && first !== undefined && this.lastLogits) {
      result[0] = (await lm.targetLogProbs(this.lastLogits, [first]))[0] ?? Number.NaN;
    }
    this.scored = { cache, lastLogits, before: model.length };
    return result;
  }

  commit(keep: readonly boolean[]): void {
    this.context.commit(keep);
    const scored = this.scored;
    this.scored = null;
    if (scored === null) return; // the segment was scored without the cache (too long)
    const firstDropped = keep.indexOf(false);
    if (firstDropped === -1) {
      this.cache = scored.cache;
      this.lastLogits = scored.lastLogits;
      return;
    }
    // Exact up to the first dropped token; leave at least one token to re-run so the next
    // score gets the logits of the last context token from its own run.
    const modelLength = this.context.modelTokens().length;
    const valid = Math.min(scored.before + firstDropped, Math.max(0, modelLength - 1));
    this.cache = scored.cache.truncate(valid);
    this.lastLogits = null;
  }

  private reset(): void {
    this.cache = this.scorer.lm.emptyCache(1);
    this.lastLogits = null;
  }
}
