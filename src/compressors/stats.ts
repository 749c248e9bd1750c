import type { TargetTokenizerName } from "./options.js";
import type { StageTimer } from "./stage-timer.js";
import { targetTokenCounter } from "./target-tokenizer.js";
import type { CompressionStats, TokenCounts } from "./types.js";

/**
 * Token counts of a compression. Unlike the reference (tiktoken counts and a GPT-4 cost
 * estimate), counts are in the scorer's own tokenizer, with a target tokenizer's on request.
 */
export function tokenCounts(
  tokenizer: string,
  originalTokens: number,
  compressedTokens: number,
): TokenCounts {
  return {
    tokenizer,
    originalTokens,
    compressedTokens,
    ratio: compressedTokens === 0 ? Number.POSITIVE_INFINITY : originalTokens / compressedTokens,
    rate: originalTokens === 0 ? 1 : compressedTokens / originalTokens,
  };
}

export interface StatsInput {
  readonly counts: TokenCounts;
  readonly target?: TokenCounts | undefined;
  readonly timer: StageTimer;
  readonly models: Record<string, string>;
}

/** Stats of a finished compression; call it last, so that the timings are complete. */
export function buildStats({ counts, target, timer, models }: StatsInput): CompressionStats {
  return {
    counts,
    ...(target === undefined ? {} : { target }),
    timingsMs: timer.timingsMs,
    totalMs: timer.totalMs,
    models,
  };
}

/** Counts of both prompts in a target tokenizer, when one was asked for. */
export async function targetCounts(
  name: TargetTokenizerName | undefined,
  originalPrompt: string,
  compressedPrompt: string,
): Promise<TokenCounts | undefined> {
  if (name === undefined) return undefined;
  const count = await targetTokenCounter(name);
  return tokenCounts(name, count(originalPrompt), count(compressedPrompt));
}
