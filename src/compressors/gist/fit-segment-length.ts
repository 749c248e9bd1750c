import type { TokenizedText } from "../../model/types.js";
import { splitIntoBlocks } from "../landmark/blocking.js";

/** The longest segment `gistOptionsSchema` accepts. */
const MAX_SEGMENT_TOKENS = 8192;
/** Rescaling rounds; each usually lands within a few percent of the budget. */
const MAX_ROUNDS = 8;

export interface FitSegmentLengthInput {
  /** The non-empty contexts with their tokens (`encodeWithSpans`), each cut into segments on its own. */
  readonly contexts: readonly { readonly text: string; readonly tokens: TokenizedText }[];
  /** κ: vectors each segment leaves. */
  readonly summaryTokens: number;
  readonly targetTokens: number;
  /** Instruction and question tokens the reader reads after the vectors. */
  readonly readerTokens: number;
  /** The first guess (`segmentLength`: from the token total alone). */
  readonly initial: number;
}

/**
 * A segment length, at or above `initial`, whose vectors plus `readerTokens` fit `targetTokens`,
 * counting segments the way `segmentDocument` cuts them. The token total alone underestimates
 * them: cuts at sentence ends leave segments shorter than the length asked for, and every context
 * ends in a part-segment that still leaves κ vectors. Each round rescales the length by the
 * overshoot. When even one segment per context overflows, returns the longest length tried (the
 * caller's window check then reports the overflow).
 */
export function fitSegmentLength(input: FitSegmentLengthInput): number {
  const { contexts, summaryTokens, targetTokens, readerTokens } = input;
  const vectorsAt = (segmentTokens: number) =>
    contexts.reduce(
      (sum, { text, tokens }) =>
        sum + splitIntoBlocks(text, tokens, segmentTokens).length * summaryTokens,
      0,
    );
  const room = Math.max(summaryTokens, targetTokens - readerTokens);
  let segmentTokens = input.initial;
  for (let round = 0; round < MAX_ROUNDS && segmentTokens < MAX_SEGMENT_TOKENS; round++) {
    const vectors = vectorsAt(segmentTokens);
    if (vectors <= room) return segmentTokens;
    const scaled = Math.ceil((segmentTokens * vectors) / room);
    segmentTokens = Math.min(MAX_SEGMENT_TOKENS, Math.max(segmentTokens + 1, scaled));
  }
  return segmentTokens;
}
