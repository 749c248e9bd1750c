import type { LogProbScorer, ScoreItem } from "../../model/types.js";
import { type Ranking, rankByScore } from "./ranking.js";

/**
 * Coarse ranking with the scorer (a small causal LM), by mean NLL in nats:
 * - "none": each context's own perplexity, highest first (LLMLingua's budget controller: the
 *   least predictable contexts carry the most information);
 * - "after": the question's NLL after each context, lowest first (LongLLMLingua, paper Eq. 2:
 *   a context that makes the question likely is relevant);
 * - "before": each context's NLL after the question, lowest first.
 */
export type LanguageModelRankMode = "none" | "before" | "after";

/** Suffix appended to the question for "after"/"before" ranking (LongLLMLingua). */
export const QUESTION_SUFFIX = " We can get the answer to this question in the given documents.";

/** Contexts scored per scorer call, between which progress is reported and aborts take effect. */
const BATCH = 8;

export interface RankOptions {
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((fraction: number) => void) | undefined;
}

export function meanNll(logprobs: ArrayLike<number>): number {
  let sum = 0;
  let count = 0;
  for (let index = 0; index < logprobs.length; index++) {
    const value = logprobs[index] ?? Number.NaN;
    if (Number.isFinite(value)) {
      sum -= value;
      count++;
    }
  }
  return count === 0 ? Number.NaN : sum / count;
}

function scoreItem(
  context: readonly number[],
  question: readonly number[],
  mode: LanguageModelRankMode,
): ScoreItem {
  switch (mode) {
    case "none":
      return { tokens: context };
    case "before":
      return { tokens: context, condition: question };
    case "after":
      return { tokens: question, condition: context };
  }
}

/** `question` holds the tokens of the question with `QUESTION_SUFFIX` (unused for "none"). */
export async function rankWithLanguageModel(
  scorer: LogProbScorer,
  contexts: readonly (readonly number[])[],
  question: readonly number[],
  mode: LanguageModelRankMode,
  { signal, onProgress }: RankOptions = {},
): Promise<Ranking> {
  const scores: number[] = [];
  for (let start = 0; start < contexts.length; start += BATCH) {
    signal?.throwIfAborted();
    const items = contexts
      .slice(start, start + BATCH)
      .map((context) => scoreItem(context, question, mode));
    for (const logprobs of await scorer.logprobsBatch(items)) scores.push(meanNll(logprobs));
    onProgress?.(scores.length / contexts.length);
  }
  return rankByScore(scores, mode === "none" ? "higher" : "lower");
}
