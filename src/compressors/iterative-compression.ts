import { at } from "../errors/at.js";
import type { LogProbScorer } from "../model/types.js";
import type { TokenLevelPlan } from "./token-level-plan.js";

/**
 * Runs a token-level plan through the scorer: every window is scored conditioned on the kept
 * tokens of everything before it (`ScoringStream`, paper Eq. 5), then committed with the plan's
 * decisions. Scores are NLL in nats, or, with a question to contrast with, LongLLMLingua's
 * NLL(x | prefix) − NLL(x | question, prefix) (conditional PMI): two streams, one of them
 * conditioned on the question, committed with the same decisions.
 */
export interface IterativeCompressionOptions {
  /** Question tokens for contrastive scores; null scores by NLL alone. */
  readonly contrastWith: readonly number[] | null;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((fraction: number) => void) | undefined;
}

export async function runIterativeCompression(
  plan: TokenLevelPlan,
  scorer: LogProbScorer,
  { contrastWith, signal, onProgress }: IterativeCompressionOptions,
): Promise<void> {
  const plain = scorer.stream();
  const conditioned = contrastWith === null ? null : scorer.stream(contrastWith);
  const total = Math.max(1, plan.totalTokens);
  let done = 0;
  for (const window of plan.windows()) {
    signal?.throwIfAborted();
    const logprobs = await plain.score(window.ids);
    const scores = new Float64Array(logprobs.length);
    if (conditioned === null) {
      for (let index = 0; index < scores.length; index++) scores[index] = -at(logprobs, index);
    } else {
      const withQuestion = await conditioned.score(window.ids);
      for (let index = 0; index < scores.length; index++) {
        scores[index] = at(withQuestion, index) - at(logprobs, index);
      }
    }
    const keep = plan.decide(window, scores);
    plain.commit(keep);
    conditioned?.commit(keep);
    done += window.ids.length;
    onProgress?.(done / total);
  }
}
