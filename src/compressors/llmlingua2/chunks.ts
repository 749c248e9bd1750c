import type { Word } from "./words.js";

/** A run of a context's tokens sent to the classifier as one sequence: [start, end) of tokens. */
export interface Chunk {
  readonly start: number;
  readonly end: number;
}

/**
 * Cuts a context into chunks of at most `maxTokens` tokens, at word boundaries, each ending at
 * the last word that closes a sentence (`isChunkEnd`) where one fits (the reference ends chunks
 * at its last "." or "\n" token). A chunk holds whole words, except that a single word longer
 * than a chunk (a long URL in SentencePiece pieces) is split over chunks of its own.
 * (Deviation: the reference's search starts one token past the limit, so its chunks can exceed
 * the window by one and lose their [SEP] to truncation.)
 */
export function chunkWords(
  words: readonly Word[],
  maxTokens: number,
  isChunkEnd: (word: number) => boolean,
): Chunk[] {
  const chunks: Chunk[] = [];
  const endOf = (w: number) => (words[w]?.firstToken ?? 0) + (words[w]?.tokenCount ?? 0);
  for (let first = 0; first < words.length; ) {
    const start = words[first]?.firstToken ?? 0;
    if (endOf(first) - start > maxTokens) {
      for (let from = start; from < endOf(first); from += maxTokens) {
        chunks.push({ start: from, end: Math.min(endOf(first), from + maxTokens) });
      }
      first++;
      continue;
    }
    let last = first;
    while (last + 1 < words.length && endOf(last + 1) - start <= maxTokens) last++;
    if (last + 1 < words.length) {
      for (let w = last; w >= first; w--) {
        if (isChunkEnd(w)) {
          last = w;
          break;
        }
      }
    }
    chunks.push({ start, end: endOf(last) });
    first = last + 1;
  }
  return chunks;
}

/**
 * Whether word `w` closes a chunk: its text ends with a chunk-end string ("."), or the
 * whitespace after it holds one ("\n", which WordPiece never makes a token of).
 */
export function chunkEndTest(
  text: string,
  words: readonly Word[],
  chunkEnds: readonly string[],
): (w: number) => boolean {
  return (w) => {
    const word = words[w];
    if (word === undefined) return false;
    const core = text.slice(word.start, word.end);
    const gap = text.slice(word.end, words[w + 1]?.start ?? text.length);
    return chunkEnds.some((end) => core.endsWith(end) || gap.includes(end));
  };
}
