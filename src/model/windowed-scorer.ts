import {
  planWindows,
  type ScoringWindow,
  validateWindowSettings,
  type WindowSettings,
} from "./scoring-plan.js";
import type { LogProbScorer, ScoreItem, ScoringStream, Tokenizer } from "./types.js";

/**
 * What every backend's `LogProbScorer` shares: requests are cut into windows by the pure plan
 * (scoring-plan.ts), grouped into batches the backend chooses, and each window's scores are
 * written back into its item's result. Backends only score windows.
 */
export abstract class WindowedScorer implements LogProbScorer {
  abstract readonly modelId: string;
  abstract readonly tokenizer: Tokenizer;

  constructor(readonly settings: WindowSettings) {
    validateWindowSettings(settings);
  }

  get contextWindow(): number {
    return this.settings.window;
  }

  async logprobs(item: ScoreItem): Promise<Float32Array> {
    const [result] = await this.logprobsBatch([item]);
    return result ?? new Float32Array(0);
  }

  async logprobsBatch(items: readonly ScoreItem[]): Promise<Float32Array[]> {
    const results = items.map((item) => new Float32Array(item.tokens.length).fill(Number.NaN));
    for (const batch of this.group(planWindows(items, this.settings))) {
      const scores = await this.scoreWindows(batch);
      batch.forEach((window, b) => {
        (results[window.item] as Float32Array).set(scores[b] as Float32Array, window.resultOffset);
      });
    }
    return results;
  }

  abstract stream(condition?: readonly number[]): ScoringStream;
  abstract dispose(): Promise<void>;

  /** Splits the windows of one request into batches run together. */
  protected abstract group(windows: readonly ScoringWindow[]): ScoringWindow[][];

  /**
   * For each window, ln p(input[j] | input[<j]) for j from `scoreFrom` to the end (NaN where the
   * model has no prediction: the first input token).
   */
  protected abstract scoreWindows(batch: readonly ScoringWindow[]): Promise<Float32Array[]>;
}
