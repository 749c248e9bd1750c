/**
 * The token count of texts joined by a separator without tokenizing parts whose count is known:
 * such a part's interior is counted as its known count less its head and tail, and everything
 * else (heads, tails, separators, short or uncounted parts) is tokenized as it stands in the
 * joined text. A long document's count then costs nothing once its landmark index knows it.
 *
 * Exact for tokenizers whose pre-tokenization splits before a space that follows a non-space
 * and precedes a non-space ("x y" always tokenizes as "x" then " y…"): GPT-2/Llama-style
 * byte-level BPE, SentencePiece's metaspace and WordPiece all do. Heads and tails end and start
 * at such a space within SAFE_WINDOW characters of the part's edges; a part without one (no
 * spaces: CJK, a long run of symbols) is tokenized whole.
 */
const SAFE_WINDOW = 256;

function isSafeCut(text: string, at: number): boolean {
  return text[at] === " " && /\S/.test(text[at - 1] ?? "") && /\S/.test(text[at + 1] ?? "");
}

/** [head end, tail start] of a long part, both safe cuts, or null. */
function interiorOf(text: string): [number, number] | null {
  if (text.length <= 2 * SAFE_WINDOW) return null;
  let head = -1;
  for (let at = 1; at <= SAFE_WINDOW && head === -1; at++) if (isSafeCut(text, at)) head = at;
  let tail = -1;
  for (let at = text.length - 2; at >= text.length - SAFE_WINDOW && tail === -1; at--) {
    if (isSafeCut(text, at)) tail = at;
  }
  return head !== -1 && tail > head ? [head, tail] : null;
}

export function joinedTokenCount(
  parts: readonly string[],
  separator: string,
  count: (text: string) => number,
  known: (index: number) => number | undefined = () => undefined,
): number {
  let total = 0;
  let glue = "";
  parts.forEach((part, index) => {
    if (index > 0) glue += separator;
    const tokens = known(index);
    const interior = tokens === undefined ? null : interiorOf(part);
    if (tokens === undefined || interior === null) {
      glue += part;
      return;
    }
    const head = part.slice(0, interior[0]);
    const tail = part.slice(interior[1]);
    total += tokens - count(head) - count(tail) + count(glue + head);
    glue = tail;
  });
  return total + count(glue);
}
