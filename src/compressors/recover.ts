import type { Tokenizer } from "../model/types.js";

/**
 * LongLLMLingua's response recovery: a response computed on the compressed prompt may quote it
 * with words missing ("France Paris"); each maximal run of response words found in the
 * compressed prompt is replaced by the original text it came from ("France is Paris").
 *
 * A run is aligned to the original's tokens greedily: from each occurrence of its first token,
 * each next token is matched at its first occurrence after the previous match, at most
 * `MAX_GAP` tokens on; the alignment with the most matches wins, ties going to the shortest.
 *
 * Deviations from the reference: the original text is cut by token spans (not re-decoded),
 * runs are also tried with a leading space (BPE tokens carry it, so " France" in the original
 * never matches a run tokenized as "France"), and the recovered text is trimmed.
 */

const MAX_GAP = 10;

interface Alignment {
  readonly first: number;
  readonly last: number;
  readonly matches: number;
}

/** Positions of each token id in the original, ascending. */
function positionsById(ids: readonly number[]): Map<number, number[]> {
  const positions = new Map<number, number[]>();
  ids.forEach((id, position) => {
    const list = positions.get(id);
    if (list === undefined) positions.set(id, [position]);
    else list.push(position);
  });
  return positions;
}

/** First entry of an ascending list greater than `after`, or undefined. */
function firstAfter(list: readonly number[], after: number): number | undefined {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((list[middle] ?? 0) <= after) low = middle + 1;
    else high = middle;
  }
  return list[low];
}

function bestAlignment(
  runIds: readonly number[],
  positions: ReadonlyMap<number, readonly number[]>,
): Alignment | null {
  let best: Alignment | null = null;
  for (const first of positions.get(runIds[0] ?? -1) ?? []) {
    let last = first;
    let matches = 1;
    for (const id of runIds.slice(1)) {
      const next = firstAfter(positions.get(id) ?? [], last);
      if (next === undefined || next - last > MAX_GAP) continue;
      matches++;
      last = next;
    }
    const better =
      best === null ||
      matches > best.matches ||
      (matches === best.matches && last - first < best.last - best.first);
    if (better) best = { first, last, matches };
  }
  return best;
}

export function recover(
  tokenizer: Tokenizer,
  originalPrompt: string,
  compressedPrompt: string,
  response: string,
): string {
  const { ids, spans } = tokenizer.encodeWithSpans(originalPrompt);
  const positions = positionsById(ids);
  const fromOriginal = (run: string): string => {
    let best: Alignment | null = null;
    for (const variant of [run, ` ${run}`]) {
      const found = bestAlignment(tokenizer.encode(variant), positions);
      if (found !== null && (best === null || found.matches > best.matches)) best = found;
    }
    if (best === null) return run;
    return originalPrompt.slice(spans[best.first]?.[0] ?? 0, spans[best.last]?.[1] ?? 0).trim();
  };

  const words = response.split(" ");
  const recovered: string[] = [];
  for (let start = 0; start < words.length; ) {
    let end = start + 1;
    if (!compressedPrompt.includes(words[start] ?? "")) {
      recovered.push(words[start] ?? "");
      start = end;
      continue;
    }
    while (end < words.length && compressedPrompt.includes(words.slice(start, end + 1).join(" "))) {
      end++;
    }
    recovered.push(fromOriginal(words.slice(start, end).join(" ")));
    start = end;
  }
  return recovered.join(" ");
}
