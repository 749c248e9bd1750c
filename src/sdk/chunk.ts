/**
 * Splits one long document into contexts of whole paragraphs (blank-line separated), each at
 * most `maxChars` long unless a single paragraph is longer. Question-aware methods rank and drop
 * whole contexts first, so a book as one context would leave them nothing to choose from.
 * Joined with "\n\n", the chunks give back the document's paragraphs.
 */
export function splitIntoContexts(text: string, maxChars: number): string[] {
  const chunks: string[] = [];
  let current = "";
  for (const paragraph of text.split(/\n\s*\n/)) {
    const trimmed = paragraph.trim();
    if (trimmed === "") continue;
    if (current !== "" && current.length + 2 + trimmed.length > maxChars) {
      chunks.push(current);
      current = trimmed;
    } else {
      current = current === "" ? trimmed : `${current}\n\n${trimmed}`;
    }
  }
  if (current !== "") chunks.push(current);
  return chunks;
}
