/**
 * The token budget of one benchmark cell: min(rate × original, what fits the reader's window).
 *
 * A requested rate that leaves a prompt too long for the reader would only measure the reader's
 * window, so the target is capped: the compressed prompt, wrapped in the reader's format, must fit
 * the reader's window with room for the answer. Capped cells ask the compressor for
 * `targetTokens` instead of `rate`; either way the ratios reported are the achieved ones.
 */

export interface BudgetInput {
  /** Requested fraction of the prompt to keep, in (0, 1]. */
  readonly rate: number;
  /** The compressor's whole prompt (instruction, contexts, question) in the scorer's tokens. */
  readonly compressorTokens: number;
  /** The same text in the reader's tokens (tokenizers may differ). */
  readonly compressorReaderTokens: number;
  /** Reader tokens its format adds around that text ("Question:", "Answer:", the prefix). */
  readonly readerOverheadTokens: number;
  /** Prompt tokens the reader takes with room left for the answer; null when unknown. */
  readonly readerBudget: number | null;
  /**
   * Share of a window-capped budget left free: compressors land near, not exactly on, their
   * target, and token counts of joined pieces are not exactly additive.
   */
  readonly margin: number;
}

export type BudgetOptions = { readonly rate: number } | { readonly targetTokens: number };

export interface Budget {
  /** What the compressor is asked for. */
  readonly options: BudgetOptions;
  /** The target in the scorer's tokens. */
  readonly targetTokens: number;
  readonly cappedByWindow: boolean;
}

export function cellBudget(input: BudgetInput): Budget {
  const byRate = input.rate * input.compressorTokens;
  if (input.readerBudget === null) {
    return {
      options: { rate: input.rate },
      targetTokens: Math.round(byRate),
      cappedByWindow: false,
    };
  }
  const scale = input.compressorTokens / Math.max(1, input.compressorReaderTokens);
  const cap = Math.floor(
    (input.readerBudget - input.readerOverheadTokens) * scale * (1 - input.margin),
  );
  if (byRate <= cap) {
    return {
      options: { rate: input.rate },
      targetTokens: Math.round(byRate),
      cappedByWindow: false,
    };
  }
  const targetTokens = Math.max(1, cap);
  return { options: { targetTokens }, targetTokens, cappedByWindow: true };
}
