import type { Span } from "../model/types.js";

/**
 * The smallest piece of text a compressor keeps or drops: one token, plus the tokens right after
 * it that hold only the remaining bytes of its last character (empty spans, see
 * `TokenizedText`). Deciding per unit means a character is never cut in half, and the scorer is
 * never conditioned on half a character either. (The reference drops single byte-fallback
 * tokens and re-decodes ids, garbling multi-byte text: its issue #4.)
 */
export interface TokenUnit {
  /** Index of the unit's first token in the tokenized text. */
  readonly firstToken: number;
  readonly tokenCount: number;
  /** [start, end) of the unit's text in UTF-16 code units. */
  readonly start: number;
  readonly end: number;
}

export function groupTokenUnits(spans: readonly Span[]): TokenUnit[] {
  const units: TokenUnit[] = [];
  spans.forEach(([start, end], token) => {
    const last = units.at(-1);
    if (start === end && last !== undefined) {
      units[units.length - 1] = { ...last, tokenCount: last.tokenCount + 1 };
    } else {
      units.push({ firstToken: token, tokenCount: 1, start, end });
    }
  });
  return units;
}

/** Joins touching or overlapping spans (given in order) and drops empty ones. */
export function mergeSpans(spans: Iterable<Span>): Span[] {
  const merged: [number, number][] = [];
  for (const [start, end] of spans) {
    if (start >= end) continue;
    const last = merged.at(-1);
    if (last !== undefined && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

export function textOfSpans(text: string, spans: readonly Span[]): string {
  return spans.map(([start, end]) => text.slice(start, end)).join("");
}

/**
 * Flags the units that overlap any occurrence of any of `strings` in `text`: forced strings
 * survive whatever the tokenization (LLMLingua-2's reference matches whole token strings, and
 * its perplexity path has no forced strings at all).
 */
export function unitsCoveringStrings(
  text: string,
  units: readonly TokenUnit[],
  strings: readonly string[],
): boolean[] {
  const flags = new Array<boolean>(units.length).fill(false);
  for (const needle of strings) {
    if (needle.length === 0) continue;
    let unit = 0;
    for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) {
      const end = at + needle.length;
      while (unit < units.length && (units[unit]?.end ?? 0) <= at) unit++;
      for (let u = unit; u < units.length && (units[u]?.start ?? end) < end; u++) flags[u] = true;
    }
  }
  return flags;
}
