import type { Tokenizer } from "../../model/types.js";
import { type Block, splitIntoBlocks } from "../landmark/blocking.js";

export interface SegmentedDocument {
  /** The segments' token ids, in order; the first starts with BOS (as in training). */
  readonly segments: readonly (readonly number[])[];
  /** Where each segment lies in the text (landmark blocking: sentence-aware, tiling the text). */
  readonly blocks: readonly Block[];
  /** All tokens, BOS included. */
  readonly tokens: number;
}

/**
 * Cuts a document into segments of at most `segmentTokens` tokens for the AutoCompressor, at
 * sentence ends where one lies in a segment's last half (landmark blocking), so a needle sentence
 * is rarely split between two summaries. The reference cuts blind token windows; training cuts at
 * random lengths, so the model takes any cut.
 */
export function segmentDocument(
  text: string,
  tokenizer: Tokenizer,
  segmentTokens: number,
): SegmentedDocument {
  const tokenized = tokenizer.encodeWithSpans(text);
  const blocks = splitIntoBlocks(text, tokenized, segmentTokens);
  const bos = tokenizer.bosTokenId;
  const segments = blocks.map((block, i) => {
    const ids = tokenized.ids.slice(block.firstToken, block.firstToken + block.tokenCount);
    return i === 0 && bos !== null ? [bos, ...ids] : ids;
  });
  return { segments, blocks, tokens: tokenized.ids.length + (bos === null ? 0 : 1) };
}
