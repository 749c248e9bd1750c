/** Paragraphs longer than this are cut at sentence ends (speeches come as one long line). */
export const MAX_PARAGRAPH_CHARS = 1200;

/** Sentence ends: terminal punctuation (optionally closed by a quote or bracket), then a space. */
const SENTENCE_END = /(?<=[.!?]["')\]]?)\s+(?=["'([]?[A-Z0-9])/;

/**
 * Splits normalised text into paragraphs of at most `maxChars` characters where sentences allow
 * it: blank-line paragraphs first, long ones regrouped sentence by sentence. A single sentence
 * longer than the limit stays whole.
 */
export function splitParagraphs(text: string, maxChars = MAX_PARAGRAPH_CHARS): string[] {
  const out: string[] = [];
  for (const paragraph of text.split(/\n{2,}/)) {
    const trimmed = paragraph.trim();
    if (trimmed === "") continue;
    if (trimmed.length <= maxChars) {
      out.push(trimmed);
      continue;
    }
    let current = "";
    for (const sentence of trimmed.split(SENTENCE_END)) {
      if (current !== "" && current.length + 1 + sentence.length > maxChars) {
        out.push(current);
        current = sentence;
      } else {
        current = current === "" ? sentence : `${current} ${sentence}`;
      }
    }
    if (current !== "") out.push(current);
  }
  return out;
}
