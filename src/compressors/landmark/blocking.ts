import type { TokenizedText } from "../../model/types.js";
import { groupTokenUnits } from "../token-units.js";

/**
 * Splits a document into blocks of about `blockTokens` tokens for landmark indexing. Blocks end
 * at a sentence boundary when one lies in the last half of the block, else at a word boundary,
 * else mid-word, but never inside a character (a block boundary is always a token-unit boundary,
 * see token-units.ts). Blocks tile the text: block 0 starts at 0, each block starts where the
 * previous one ended, the last ends at the text's end, so offsets map every block back into the
 * original. Ids are the block's position, stable for the same text, tokenizer and block size.
 *
 * (Landmark Attention cuts fixed 50-token blocks blind to the text; a retrieved block handed to a
 * reader reads better, and a needle sentence is less often split, when cuts follow sentences.)
 */
export interface Block {
  readonly id: number;
  /** [start, end) of the block in the text, in UTF-16 code units. */
  readonly start: number;
  readonly end: number;
  /** Index of the block's first token in the tokenized text. */
  readonly firstToken: number;
  readonly tokenCount: number;
}

/** A block ending at a sentence or word boundary is at least this share of `blockTokens`. */
const MIN_FILL = 0.5;

const SENTENCE_END = /[.!?;。！？…]["'”’)\]]*(\s+)/gu;
const LINE_BREAK = /\s*\n\s*/g;

/**
 * Character offsets where a sentence may start: anywhere in the whitespace after end punctuation
 * or around a line break (tokenizers attach that whitespace to either side).
 */
function sentenceStarts(text: string): Set<number> {
  const starts = new Set<number>();
  const addRun = (from: number, to: number) => {
    for (let at = from; at <= to; at++) starts.add(at);
  };
  for (const match of text.matchAll(SENTENCE_END)) {
    const end = match.index + match[0].length;
    addRun(end - (match[1] ?? "").length, end);
  }
  for (const match of text.matchAll(LINE_BREAK)) addRun(match.index, match.index + match[0].length);
  return starts;
}

/** How good a cut before a token is: 2 sentence, 1 word, 0 mid-word, -1 never (mid-character). */
function cutQualities(text: string, tokens: TokenizedText): Int8Array {
  const qualities = new Int8Array(tokens.ids.length + 1).fill(-1);
  const sentences = sentenceStarts(text);
  const isSpace = (at: number) => /\s/.test(text[at] ?? "");
  for (const unit of groupTokenUnits(tokens.spans)) {
    const at = unit.start;
    qualities[unit.firstToken] = sentences.has(at) ? 2 : isSpace(at) || isSpace(at - 1) ? 1 : 0;
  }
  qualities[tokens.ids.length] = 2;
  return qualities;
}

/**
 * Where the block starting at `first` ends: the best cut in its last half (the latest on ties);
 * failing any, the latest valid cut before it; failing that (one character longer than the block:
 * an emoji sequence, a long byte run), the first valid cut after it.
 */
function chooseCut(qualities: Int8Array, first: number, blockTokens: number): number {
  const last = first + blockTokens;
  const earliest = first + Math.max(1, Math.ceil(blockTokens * MIN_FILL));
  let best = -1;
  let bestQuality = -1;
  for (let cut = last; cut > first; cut--) {
    const quality = qualities[cut] ?? -1;
    if (cut < earliest && best !== -1) break;
    if (quality > bestQuality) {
      best = cut;
      bestQuality = quality;
    }
  }
  if (best !== -1) return best;
  let cut = last + 1;
  while ((qualities[cut] ?? 2) < 0) cut++;
  return cut;
}

/** Blocks of `text`, tokenized as `tokens`; an empty text has no blocks. */
export function splitIntoBlocks(text: string, tokens: TokenizedText, blockTokens: number): Block[] {
  if (!Number.isInteger(blockTokens) || blockTokens <= 0) {
    throw new RangeError(`blockTokens must be a positive integer, got ${blockTokens}`);
  }
  const count = tokens.ids.length;
  if (count === 0) return [];
  const qualities = cutQualities(text, tokens);
  const cuts = [0];
  for (let first = 0; count - first > blockTokens; ) {
    first = chooseCut(qualities, first, blockTokens);
    if (first >= count) break;
    cuts.push(first);
  }
  return cuts.map((firstToken, id) => {
    const next = cuts[id + 1] ?? count;
    return {
      id,
      start: id === 0 ? 0 : (tokens.spans[firstToken]?.[0] ?? text.length),
      end: next === count ? text.length : (tokens.spans[next]?.[0] ?? text.length),
      firstToken,
      tokenCount: next - firstToken,
    };
  });
}
