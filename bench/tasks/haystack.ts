import { type CorpusSplit, loadParagraphs } from "../corpus/index.js";
import type { Rng } from "./rng.js";
import type { HaystackSource, TokenCounter } from "./types.js";

/** Paragraphs of a corpus split: "train" for training data, "heldout" for evaluation. */
export function corpusHaystack(split: CorpusSplit): HaystackSource {
  return { name: `corpus-${split}`, paragraphs: loadParagraphs(split) };
}

/** The landmark-attention passkey filler: one repeated, information-free paragraph. */
export const FILLER_HAYSTACK: HaystackSource = {
  name: "filler",
  paragraphs: [
    "The grass is green. The sky is blue. The sun is yellow. Here we go. There and back again.",
  ],
};

const countCache = new WeakMap<TokenCounter, Map<string, number>>();

/** Token count of a paragraph, memoised per counter: haystacks reuse paragraphs many times. */
function cachedCount(count: TokenCounter, text: string): number {
  let cache = countCache.get(count);
  if (!cache) {
    cache = new Map();
    countCache.set(count, cache);
  }
  let n = cache.get(text);
  if (n === undefined) {
    n = count(text);
    cache.set(text, n);
  }
  return n;
}

/**
 * Consecutive paragraphs of the source from a random start (wrapping around), at least
 * `minTokens` of them by the counter: coherent running text, different for each seed.
 */
export function drawText(
  source: HaystackSource,
  rng: Rng,
  minTokens: number,
  count: TokenCounter,
): string {
  const { paragraphs } = source;
  if (paragraphs.length === 0) throw new RangeError(`haystack ${source.name} has no paragraphs`);
  const out: string[] = [];
  let tokens = 0;
  for (
    let i = rng.int(0, paragraphs.length - 1);
    tokens < minTokens;
    i = (i + 1) % paragraphs.length
  ) {
    const paragraph = paragraphs[i] as string;
    out.push(paragraph);
    tokens += cachedCount(count, paragraph) + 1;
  }
  return out.join("\n\n");
}

/** Text split into words with their trailing whitespace, so any prefix joins back exactly. */
export function wordPieces(text: string): string[] {
  return text.match(/\S+\s*/g) ?? [];
}

/** The first `words` pieces, without trailing whitespace. */
export function firstWords(pieces: readonly string[], words: number): string {
  return pieces.slice(0, words).join("").trimEnd();
}

/**
 * The largest `n` in [0, max] with count(build(n)) <= target, assuming the count grows with n:
 * interpolation search (the count is close to linear in words), then bisection. Stops as soon as
 * the fit is within `slack` tokens below the target.
 */
export function fitLength(
  build: (n: number) => string,
  max: number,
  target: number,
  count: TokenCounter,
  slack = Math.max(2, Math.floor(target / 500)),
): { n: number; text: string; tokens: number } {
  const measure = (n: number) => {
    const text = build(n);
    return { n, text, tokens: count(text) };
  };
  let lo = measure(0);
  if (lo.tokens > target) {
    throw new RangeError(
      `target of ${target} tokens is below the fixed part of the prompt (${lo.tokens} tokens)`,
    );
  }
  let hi = measure(max);
  if (hi.tokens <= target) return hi;
  while (hi.n - lo.n > 1 && target - lo.tokens > slack) {
    const span = hi.tokens - lo.tokens;
    let n = lo.n + Math.round(((target - lo.tokens) / Math.max(1, span)) * (hi.n - lo.n));
    if (n <= lo.n || n >= hi.n) n = Math.floor((lo.n + hi.n) / 2);
    const probe = measure(n);
    if (probe.tokens <= target) lo = probe;
    else hi = probe;
  }
  return lo;
}

/** Offsets where a sentence may be inserted: the start, after each sentence end, and the end. */
export function sentenceBoundaries(text: string): number[] {
  const out = [0];
  for (const match of text.matchAll(/[.!?]["')\]]?\s+/g))
    out.push((match.index ?? 0) + match[0].length);
  out.push(text.length);
  return out;
}

/**
 * Inserts sentences at relative depths (0 = start, 1 = end), each at the sentence boundary
 * nearest its depth; sentences landing on the same boundary keep their given order.
 */
export function insertAtDepths(
  text: string,
  inserts: readonly { sentence: string; depth: number }[],
): string {
  const boundaries = sentenceBoundaries(text);
  const placed = inserts.map(({ sentence, depth }, order) => {
    const goal = depth * text.length;
    let best = boundaries[0] as number;
    for (const b of boundaries) if (Math.abs(b - goal) < Math.abs(best - goal)) best = b;
    return { sentence, at: best, order };
  });
  placed.sort((a, b) => a.at - b.at || a.order - b.order);
  let out = "";
  let cursor = 0;
  for (const { sentence, at } of placed) {
    const before = text.slice(cursor, at);
    out += before;
    if (out !== "" && !/\s$/.test(out)) out += " ";
    out += `${sentence} `;
    cursor = at;
  }
  return (out + text.slice(cursor)).trim();
}
