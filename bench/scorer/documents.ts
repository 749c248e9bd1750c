import type { Tokenizer } from "../../src/model/types.js";
import { loadParagraphs } from "../corpus/index.js";

export interface BenchDocument {
  readonly text: string;
  readonly tokens: number[];
}

/**
 * A document of exactly `length` tokens of held-out English (the corpus split training never
 * sees): held-out paragraphs joined by blank lines, cut at the token count, text cut to match.
 */
export function heldOutDocument(tokenizer: Tokenizer, length: number): BenchDocument {
  const paragraphs = loadParagraphs("heldout");
  const parts: string[] = [];
  let estimate = 0;
  // Byte-level BPE averages ~4 characters a token on English; take 30% more, then cut exactly.
  for (const paragraph of paragraphs) {
    if (estimate > length * 4 * 1.3) break;
    parts.push(paragraph);
    estimate += paragraph.length + 2;
  }
  const text = parts.join("\n\n");
  const { ids, spans } = tokenizer.encodeWithSpans(text);
  if (ids.length < length) {
    throw new Error(
      `held-out corpus gives ${ids.length} tokens, fewer than the ${length} asked for`,
    );
  }
  const end = spans[length - 1]?.[1] ?? text.length;
  return { text: text.slice(0, end), tokens: ids.slice(0, length) };
}
