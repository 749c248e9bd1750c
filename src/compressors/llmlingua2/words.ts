import { at } from "../../errors/at.js";
import type { Span, WordConvention } from "../../model/types.js";

/**
 * LLMLingua-2 decides per word, not per sub-word token. A word is a run of tokens: with
 * WordPiece (BERT) every token not starting "##" starts one; with SentencePiece (XLM-RoBERTa) a
 * token starting "▁" or a lone ASCII punctuation mark does (the reference's rules, which
 * `@atjsh/llmlingua-2` shares). A token with an empty span (the rest of a multi-byte
 * character) never starts a word, so a character is never split between two words.
 */
export interface Word {
  /** Index of the word's first token in the context's tokens. */
  readonly firstToken: number;
  readonly tokenCount: number;
  /** [start, end) of the word's text without surrounding whitespace (empty for a bare "▁"). */
  readonly start: number;
  readonly end: number;
}

/** Python's string.punctuation, which the reference tests XLM-RoBERTa tokens against. */
const ASCII_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

export function startsWord(piece: string, convention: WordConvention): boolean {
  if (convention === "wordpiece") return !piece.startsWith("##");
  return piece.startsWith("▁") || (piece.length === 1 && ASCII_PUNCTUATION.includes(piece));
}

const WHITESPACE = /\s/;

/** [start, end) with the whitespace at both ends removed (start === end when only whitespace). */
function trimSpan(text: string, start: number, end: number): Span {
  let from = start;
  let to = end;
  while (from < to && WHITESPACE.test(text[from] ?? "")) from++;
  while (to > from && WHITESPACE.test(text[to - 1] ?? "")) to--;
  return [from, to];
}

/** Groups a context's tokens (their vocabulary pieces and spans in `text`) into words. */
export function groupWords(
  text: string,
  pieces: readonly string[],
  spans: readonly Span[],
  convention: WordConvention,
): Word[] {
  const bounds: { firstToken: number; tokenCount: number; start: number; end: number }[] = [];
  spans.forEach(([start, end], token) => {
    const last = bounds.at(-1);
    const continues = start === end || !startsWord(pieces[token] ?? "", convention);
    if (last !== undefined && continues) {
      last.tokenCount++;
      last.end = Math.max(last.end, end);
    } else {
      bounds.push({ firstToken: token, tokenCount: 1, start, end });
    }
  });
  return bounds.map(({ firstToken, tokenCount, start, end }) => {
    const [from, to] = trimSpan(text, start, end);
    return { firstToken, tokenCount, start: from, end: to };
  });
}

/** A word's probability from its tokens' (LLMLingua-2's token_to_word: "mean" or "first"). */
export function wordProbability(
  probabilities: ArrayLike<number>,
  word: Word,
  mode: "mean" | "first",
): number {
  if (mode === "first") return at(probabilities, word.firstToken);
  let sum = 0;
  for (let t = word.firstToken; t < word.firstToken + word.tokenCount; t++) {
    sum += at(probabilities, t);
  }
  return sum / word.tokenCount;
}
