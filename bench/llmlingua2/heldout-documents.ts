import { loadParagraphs } from "../corpus/index.js";

/**
 * The first `count` held-out documents of about `words` words each, paragraphs kept whole: the
 * long texts the LLMLingua-2 benches (speed.ts, int8.ts) compress, the same for both so their
 * numbers are measured on the same text.
 */
export function heldoutDocuments(count: number, words: number): string[] {
  const out: string[] = [];
  let current: string[] = [];
  let length = 0;
  for (const paragraph of loadParagraphs("heldout")) {
    current.push(paragraph);
    length += paragraph.split(/\s+/).length;
    if (length >= words) {
      out.push(current.join("\n\n"));
      if (out.length === count) break;
      current = [];
      length = 0;
    }
  }
  return out;
}
