import type { WindowSettings } from "./scoring-plan.js";
import { StreamContext } from "./stream-context.js";
import type { LogProbScorer, ScoringStream } from "./types.js";

/**
 * `ScoringStream` for backends without a reusable KV cache (remote servers): every segment is
 * scored by sending the committed context again as its condition. Same context policy as the
 * ONNX stream (stream-context.ts), so both condition each segment on the same tokens.
 */
export class RescoringStream implements ScoringStream {
  private readonly context: StreamContext;

  constructor(
    private readonly scorer: LogProbScorer,
    settings: WindowSettings,
    condition: readonly number[],
  ) {
    this.context = new StreamContext(condition, settings);
  }

  score(segment: readonly number[]): Promise<Float32Array> {
    this.context.begin(segment);
    return this.scorer.logprobs({ condition: this.context.committed, tokens: segment });
  }

  commit(keep: readonly boolean[]): void {
    this.context.commit(keep);
  }
}
