import { createHash } from "node:crypto";
import { SizedLru } from "../store/record-cache.js";
import type { LogProbScorer, ScoreItem, ScoringStream, Tokenizer } from "./types.js";

/**
 * Remembers the log-probabilities of recently scored sequences, so that work which does not
 * depend on the rate or the question is done once: LLMLingua's per-context perplexities,
 * LongLLMLingua's question-given-document ranking and Selective-Context's self-information are
 * the same for every rate a document is compressed at (a benchmark asks for four; a user tuning a
 * rate asks again and again). Streams (iterative compression) depend on what was kept before
 * and pass through uncached.
 *
 * Bounded by the tokens held (scores of `maxTokens` tokens, 4 bytes each), least recently used
 * first out. Results are copies: a caller that writes into one cannot change what others get.
 */
export class CachedScorer implements LogProbScorer {
  private readonly entries: SizedLru<Float32Array>;
  private hitCount = 0;
  private missCount = 0;

  constructor(
    /** The scorer whose results are cached. */
    readonly inner: LogProbScorer,
    readonly maxTokens: number,
  ) {
    this.entries = new SizedLru(maxTokens, (scores) => scores.length);
  }

  get modelId(): string {
    return this.inner.modelId;
  }

  get tokenizer(): Tokenizer {
    return this.inner.tokenizer;
  }

  get contextWindow(): number {
    return this.inner.contextWindow;
  }

  /** Lookups answered from the cache and those that went to the model. */
  get stats(): { readonly hits: number; readonly misses: number; readonly heldTokens: number } {
    return { hits: this.hitCount, misses: this.missCount, heldTokens: this.entries.heldSize };
  }

  async logprobs(item: ScoreItem): Promise<Float32Array> {
    const [result] = await this.logprobsBatch([item]);
    return result as Float32Array;
  }

  async logprobsBatch(items: readonly ScoreItem[]): Promise<Float32Array[]> {
    const keys = items.map(itemKey);
    const results: (Float32Array | undefined)[] = keys.map((key) => this.entries.get(key));
    const missing = results.flatMap((result, index) => (result === undefined ? [index] : []));
    this.hitCount += items.length - missing.length;
    this.missCount += missing.length;
    if (missing.length > 0) {
      const scored = await this.inner.logprobsBatch(
        missing.map((index) => items[index] as ScoreItem),
      );
      missing.forEach((index, m) => {
        const value = scored[m] as Float32Array;
        this.entries.set(keys[index] as string, value);
        results[index] = value;
      });
    }
    return results.map((result) => (result as Float32Array).slice());
  }

  /** Forgets every cached score (a benchmark does, to time each method from a cold start). */
  clear(): void {
    this.entries.clear();
  }

  stream(condition?: readonly number[]): ScoringStream {
    return this.inner.stream(condition);
  }

  dispose(): Promise<void> {
    this.clear();
    return this.inner.dispose();
  }
}

/** Condition and tokens, hashed (a 128K-token document would make a 700 KB string key). */
function itemKey(item: ScoreItem): string {
  const condition = item.condition ?? [];
  const ids = new Int32Array(condition.length + item.tokens.length + 1);
  ids[0] = condition.length;
  ids.set(condition, 1);
  ids.set(item.tokens, 1 + condition.length);
  return createHash("sha256").update(new Uint8Array(ids.buffer)).digest("base64");
}

/** Wraps `scorer` in a CachedScorer, or returns it unchanged when `maxTokens` is 0. */
export function withScoreCache(scorer: LogProbScorer, maxTokens: number): LogProbScorer {
  return maxTokens > 0 ? new CachedScorer(scorer, maxTokens) : scorer;
}
