import { groupWords } from "../../src/compressors/llmlingua2/words.js";
import type { TokenizedText } from "../../src/model/types.js";

/**
 * Kept-word agreement of two compressions of the same texts. Both outputs are cut into the
 * classifier's words (WordPiece rules) and aligned in order to the original's words by a longest
 * common subsequence; an original word is kept by an output when the alignment reaches it. The
 * agreement is the share of original words on which both outputs decide alike, so outputs that
 * differ only in spacing (the peer re-joins tokens with spaces) agree fully.
 */
export interface Agreement {
  readonly words: number;
  readonly both: number;
  readonly onlyOurs: number;
  readonly onlyPeer: number;
  readonly agreement: number;
}

type Encode = (text: string) => TokenizedText;
type Pieces = (ids: readonly number[]) => string[];

function wordTexts(text: string, encode: Encode, pieces: Pieces): string[] {
  const { ids, spans } = encode(text);
  return groupWords(text, pieces(ids), spans, "wordpiece")
    .filter((word) => word.end > word.start)
    .map((word) => text.slice(word.start, word.end));
}

/** Which of `original`'s words a subsequence `kept` covers (longest common subsequence). */
export function alignKept(original: readonly string[], kept: readonly string[]): boolean[] {
  const n = original.length;
  const m = kept.length;
  // lengths[i][j]: LCS of original[i:] and kept[j:], rows of m + 1.
  const lengths = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lengths[i * (m + 1) + j] =
        original[i] === kept[j]
          ? (lengths[(i + 1) * (m + 1) + j + 1] ?? 0) + 1
          : Math.max(lengths[(i + 1) * (m + 1) + j] ?? 0, lengths[i * (m + 1) + j + 1] ?? 0);
    }
  }
  const flags = new Array<boolean>(n).fill(false);
  for (let i = 0, j = 0; i < n && j < m; ) {
    if (original[i] === kept[j]) {
      flags[i] = true;
      i++;
      j++;
    } else if ((lengths[(i + 1) * (m + 1) + j] ?? 0) >= (lengths[i * (m + 1) + j + 1] ?? 0)) {
      i++;
    } else {
      j++;
    }
  }
  return flags;
}

export function keptWordAgreement(
  texts: readonly string[],
  ours: readonly string[],
  peer: readonly string[],
  encode: Encode,
  pieces: Pieces,
): Agreement {
  let words = 0;
  let both = 0;
  let onlyOurs = 0;
  let onlyPeer = 0;
  texts.forEach((text, t) => {
    const original = wordTexts(text, encode, pieces);
    const a = alignKept(original, wordTexts(ours[t] ?? "", encode, pieces));
    const b = alignKept(original, wordTexts(peer[t] ?? "", encode, pieces));
    words += original.length;
    original.forEach((_, i) => {
      if (a[i] && b[i]) both++;
      else if (a[i]) onlyOurs++;
      else if (b[i]) onlyPeer++;
    });
  });
  return {
    words,
    both,
    onlyOurs,
    onlyPeer,
    agreement: words === 0 ? 1 : 1 - (onlyOurs + onlyPeer) / words,
  };
}
