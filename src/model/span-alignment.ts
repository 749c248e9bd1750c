import type { Span } from "./types.js";

/**
 * Maps tokens back to [start, end) spans of the ORIGINAL text, from the text each token stands
 * for (token-surface.ts). The result keeps the contract of `TokenizedText.spans`: contiguous,
 * ordered, code-point aligned, covering the whole text.
 *
 * Fast path: byte-level tokenizers without a normaliser reproduce the text exactly, so the
 * token texts concatenate to it and spans are running lengths.
 *
 * Otherwise (normalising tokenizers: BERT lower-casing and accent stripping, SentencePiece's
 * prepended "▁", NFC/NFKC normalisers) the token texts are aligned to the original one code
 * point at a time, comparing both sides folded (NFKD, marks removed, lower case):
 * - whitespace a token has but the text has not (a prepended "▁") is skipped;
 * - text the tokenizer dropped (whitespace, control characters) goes to the next token that
 *   matches anything, like a byte-level tokenizer's leading space, or to the last token at the end;
 * - a wildcard token ([UNK]) takes the text up to the next whitespace or to where the next token
 *   matches (one code point when another wildcard follows);
 * - on a mismatch the aligner looks a short way ahead in the text to resynchronise, so a
 *   normaliser it does not model degrades the spans locally, never their contract.
 */

const LOOKAHEAD = 64;
const SKIPPABLE = /^[\s\p{C}]$/u;

function fold(text: string): string {
  let ascii = true;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0x7f) {
      ascii = false;
      break;
    }
  }
  const base = ascii ? text : text.normalize("NFKD").replace(/\p{M}/gu, "");
  return base.toLowerCase();
}

/** Spans from per-token texts that concatenate exactly to the original text. */
function runningSpans(texts: readonly string[]): Span[] {
  const spans: Span[] = [];
  let at = 0;
  for (const piece of texts) {
    spans.push([at, at + piece.length]);
    at += piece.length;
  }
  return spans;
}

interface Unit {
  readonly char: string;
  /** Index of the original code point (text side) or token (token side). */
  readonly owner: number;
}

function textUnits(text: string): { units: Unit[]; offsets: number[] } {
  const units: Unit[] = [];
  const offsets: number[] = [];
  let offset = 0;
  for (const char of text) {
    const index = offsets.length;
    offsets.push(offset);
    offset += char.length;
    for (const folded of fold(char)) units.push({ char: folded, owner: index });
  }
  return { units, offsets };
}

/**
 * Aligns tokens to the text. `texts[k]` is what token k stands for; `wildcard[k]` marks tokens
 * whose text is unknown (the tokenizer's unknown token).
 */
export function alignSpans(
  text: string,
  texts: readonly string[],
  wildcard: readonly boolean[] = [],
): Span[] {
  if (texts.length === 0) return [];
  if (!wildcard.some(Boolean) && texts.join("") === text) return runningSpans(texts);

  const { units, offsets } = textUnits(text);
  const owners = new Int32Array(offsets.length).fill(-1);
  const tokenUnits: (Unit | { wildcard: number })[] = [];
  texts.forEach((piece, k) => {
    if (wildcard[k]) tokenUnits.push({ wildcard: k });
    else for (const folded of fold(piece)) tokenUnits.push({ char: folded, owner: k });
  });

  let i = 0;
  let j = 0;
  const claim = (unit: Unit, token: number) => {
    if (owners[unit.owner] === -1) owners[unit.owner] = token;
  };
  while (i < units.length && j < tokenUnits.length) {
    const t = tokenUnits[j] as Unit | { wildcard: number };
    const u = units[i] as Unit;
    if ("wildcard" in t) {
      // Skip leading whitespace, then take text up to whitespace or the next token's first char.
      while (i < units.length && SKIPPABLE.test((units[i] as Unit).char)) i++;
      const next = tokenUnits[j + 1];
      const nextChar = next && "char" in next ? next.char : null;
      // Back-to-back wildcards (BERT splits "日本語" into one [UNK] per character): one code point
      // each, or the first would swallow the others' text and the rest would fall out of step.
      const single = next !== undefined && "wildcard" in next;
      let took = false;
      while (i < units.length) {
        const c = (units[i] as Unit).char;
        if (took && (SKIPPABLE.test(c) || c === nextChar)) break;
        if (took && single && (units[i] as Unit).owner !== (units[i - 1] as Unit).owner) break;
        claim(units[i] as Unit, t.wildcard);
        took = true;
        i++;
      }
      j++;
    } else if (t.char === u.char) {
      claim(u, t.owner);
      i++;
      j++;
    } else if (SKIPPABLE.test(t.char)) {
      j++;
    } else if (SKIPPABLE.test(u.char)) {
      i++;
    } else {
      let found = -1;
      for (let ahead = i + 1; ahead < Math.min(units.length, i + LOOKAHEAD); ahead++) {
        if ((units[ahead] as Unit).char === t.char) {
          found = ahead;
          break;
        }
      }
      if (found >= 0) i = found;
      else j++;
    }
  }

  // Unclaimed code points join the next claimed one's token (the last token at the end).
  let next = texts.length - 1;
  for (let c = owners.length - 1; c >= 0; c--) {
    const owner = owners[c] as number;
    if (owner === -1) owners[c] = next;
    else next = owner;
  }
  const spans: Span[] = [];
  let c = 0;
  for (let k = 0; k < texts.length; k++) {
    while (c < owners.length && (owners[c] as number) < k) c++;
    const start = c < offsets.length ? (offsets[c] as number) : text.length;
    if (k > 0) {
      const previous = spans[k - 1] as Span;
      spans[k - 1] = [previous[0], start];
    }
    spans.push([start, text.length]);
  }
  return spans;
}
