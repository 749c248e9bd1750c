import { at } from "../../errors/at.js";
import type { Span } from "../../model/types.js";
import { mergeSpans } from "../token-units.js";
import { chunkThreshold, isKept, percentile } from "./threshold.js";
import type { Word } from "./words.js";

/** What the thresholds need to know about one word of a context. */
export interface ScoredWord {
  /** The classifier's word probability, before any forcing. */
  readonly probability: number;
  /** Tokens of the word's text in the target tokenizer (its weight in the percentile). */
  readonly weight: number;
  /** Forced words count as probability 1.0 (a force token, a digit, a verbatim segment). */
  readonly forced: boolean;
  /** Index of the chunk the word starts in: thresholds are per chunk. */
  readonly chunk: number;
  /** The word's segment rate when it has its own (`<llmlingua, rate=…>`), else null. */
  readonly segmentRate: number | null;
}

/**
 * Keep flags per word: one threshold per chunk (the reference's), and per segment rate inside a
 * chunk when a structured context gives its segments their own rates.
 */
export function selectWords(words: readonly ScoredWord[], rate: number): boolean[] {
  const groups = new Map<string, number[]>();
  words.forEach((word, i) => {
    const key = `${word.chunk}:${word.segmentRate ?? rate}`;
    const group = groups.get(key);
    if (group) group.push(i);
    else groups.set(key, [i]);
  });
  const kept = new Array<boolean>(words.length).fill(false);
  for (const indices of groups.values()) {
    const first = words[indices[0] ?? 0];
    const probabilities = indices.map((i) => effectiveProbability(words[i]));
    const threshold = chunkThreshold(
      probabilities,
      indices.map((i) => words[i]?.weight ?? 0),
      first?.segmentRate ?? rate,
    );
    indices.forEach((i, k) => {
      kept[i] = isKept(at(probabilities, k), threshold);
    });
  }
  return kept;
}

function effectiveProbability(word: ScoredWord | undefined): number {
  return word === undefined ? 0 : word.forced ? 1 : word.probability;
}

/** Something in a context's text that a force token may be: a word or a whitespace occurrence. */
export interface ForcedItem {
  readonly start: number;
  /** The force token it equals, or null for an ordinary word. */
  readonly forceToken: string | null;
  readonly kept: boolean;
}

/**
 * drop_consecutive: a kept force token that repeats the previous kept force token with no other
 * kept word in between is dropped ("\n\n\n" of removed lines collapses to one). Items are in text
 * order; returns their new kept flags.
 */
export function dropConsecutiveForced(items: readonly ForcedItem[]): boolean[] {
  let previous: string | null = null;
  let keptBetween = false;
  return items.map((item) => {
    if (!item.kept) return false;
    if (item.forceToken === null) {
      keptBetween = true;
      return true;
    }
    if (item.forceToken === previous && !keptBetween) return false;
    previous = item.forceToken;
    keptBetween = false;
    return true;
  });
}

/**
 * The context-level filter: contexts scoring at least the percentile int(100·(1−rate)) of all
 * scores are kept (the reference's rule), and forced ones whatever their score.
 */
export function selectContexts(
  scores: readonly number[],
  rate: number,
  forced: ReadonlySet<number>,
): boolean[] {
  const threshold = percentile(scores, Math.floor(100 * (1 - rate)));
  return scores.map((score, i) => score >= threshold || forced.has(i));
}

/**
 * What separates a kept word from the previous kept one, as original text between them: the
 * whole gap when nothing was dropped in it (the layout survives); else one whitespace character
 * of it (a newline if it has one), so dropped text leaves no runs of blanks behind; and when the
 * gap has no whitespace at all ("e-mail", "3.5" with "-" or "." dropped) the gap itself, since
 * gluing the two words together would make another word (and other tokens).
 */
function separator(text: string, from: number, to: number, whole: boolean): Span | null {
  if (from >= to) return null;
  if (whole) return [from, to];
  const gap = text.slice(from, to);
  const newline = gap.lastIndexOf("\n");
  let at = newline;
  for (let k = gap.length - 1; at < 0 && k >= 0; k--) if (/\s/.test(gap[k] ?? "")) at = k;
  return at < 0 ? [from, to] : [from + at, from + at + 1];
}

/**
 * The original text kept for a context: each kept word with its separator from the previous
 * kept word (none before the first), plus kept force-token occurrences in whitespace ("\n"),
 * merged into ordered spans.
 */
export function keptSpans(
  text: string,
  words: readonly Word[],
  kept: readonly boolean[],
  extra: readonly Span[],
): Span[] {
  const spans: Span[] = [...extra];
  const forced = [...extra].sort((a, b) => a[0] - b[0]);
  let nextForced = 0;
  let previous = -1;
  words.forEach((word, w) => {
    if (!kept[w] || word.start === word.end) return;
    const before = words[previous];
    if (before !== undefined) {
      const skipped = words.slice(previous + 1, w).some((between) => between.start < between.end);
      // A kept force token in the gap ("\n") already separates the words.
      while ((forced[nextForced]?.[0] ?? Number.POSITIVE_INFINITY) < before.end) nextForced++;
      const next = forced[nextForced];
      const forcedGap = next !== undefined && next[0] >= before.end && next[1] <= word.start;
      const gap = forcedGap && skipped ? null : separator(text, before.end, word.start, !skipped);
      if (gap) spans.push(gap);
    }
    spans.push([word.start, word.end]);
    previous = w;
  });
  return mergeSpans(spans.sort((a, b) => a[0] - b[0]));
}
