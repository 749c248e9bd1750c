import { CompressionInputError } from "../../errors/index.js";
import { ModelConfigError } from "../../errors/model-config-error.js";
import type { Span, TokenClassifier } from "../../model/types.js";
import { assemblePrompt } from "../assemble.js";
import { parseContext } from "../prepared-context.js";
import { ProgressReporter } from "../progress.js";
import { StageTimer } from "../stage-timer.js";
import { buildStats, tokenCounts } from "../stats.js";
import type { ParsedContext } from "../structured-prompt.js";
import { type TokenCounter, targetTokenCounter } from "../target-tokenizer.js";
import { textOfSpans, unitsCoveringStrings } from "../token-units.js";
import type {
  CompressEnv,
  CompressedContext,
  CompressInput,
  CompressionResult,
  Compressor,
} from "../types.js";
import { type Chunk, chunkEndTest, chunkWords } from "./chunks.js";
import { type Llmlingua2Options, llmlingua2OptionsSchema } from "./options.js";
import {
  dropConsecutiveForced,
  type ForcedItem,
  keptSpans,
  type ScoredWord,
  selectContexts,
  selectWords,
} from "./selection.js";
import { groupWords, type Word, wordProbability } from "./words.js";

/**
 * LLMLingua-2 (Pan et al., 2024): one pass of a token-classification encoder gives every token a
 * probability of being kept; words take the mean (or first) of their tokens'; per chunk, words
 * above a percentile threshold survive. Chunks end at sentence ends below the encoder's window
 * and run in length-sorted batches.
 *
 * Deviations from the reference, each deliberate:
 * - Instruction and question are kept verbatim in the prompt and spend part of the budget, as
 *   in the other methods (the reference ignores them); the rate is of the whole prompt.
 * - The output is the original text of the kept words with its own whitespace (the reference
 *   re-joins token strings: spaces around punctuation, "[UNK]" for characters it cannot spell).
 * - After the context-level filter the token-level rate is re-derived from the overall budget, so
 *   the achieved rate tracks the request (the reference compounds both rates unless target_token
 *   is set).
 * - forceReserveDigit keeps every word of a whitespace-free run holding a digit ("3.5%" whole;
 *   the reference lifts only the digit pieces to 1.0, so "abc12" or the "." of "3.5" can still be
 *   dropped); force tokens match text, not token strings.
 * - Words weigh their target-tokenizer tokens without XLM-R's "▁" (the reference counts it).
 * - The rate is corrected against a re-count of the assembled prompt (`correctRate`, see below).
 * - `<llmlingua …>` segments are honoured (the reference reads them on the perplexity path only).
 * The percentile rule, per-chunk thresholds and word reassembly are the reference's.
 */

/** Sequences per classifier call: progress and abort checks happen between calls. */
const CHUNKS_PER_CALL = 32;
/** Re-thresholding rounds of the rate correction (each re-counts the compressed prompt). */
const CORRECTION_ROUNDS = 4;

function clampRate(rate: number): number {
  return Math.max(0, Math.min(1, rate));
}

interface ClassifiedContext {
  readonly index: number;
  readonly parsed: ParsedContext;
  readonly ids: readonly number[];
  readonly words: readonly Word[];
  readonly chunks: readonly Chunk[];
  /** Per word: the chunk it starts in. */
  readonly wordChunk: Int32Array;
  probabilities: Float32Array;
}

function prepare(
  classifier: TokenClassifier,
  source: string,
  index: number,
  options: Llmlingua2Options,
): ClassifiedContext {
  const parsed = parseContext(source, index, options.structuredTags);
  const { ids, spans } = classifier.tokenizer.encodeWithSpans(parsed.text);
  const words = groupWords(parsed.text, classifier.pieces(ids), spans, classifier.wordConvention);
  const chunks = chunkWords(
    words,
    classifier.maxContentTokens,
    chunkEndTest(parsed.text, words, options.chunkEndTokens),
  );
  const wordChunk = new Int32Array(words.length);
  let chunk = 0;
  words.forEach((word, w) => {
    while ((chunks[chunk]?.end ?? 0) <= word.firstToken) chunk++;
    wordChunk[w] = chunk;
  });
  return {
    index,
    parsed,
    ids,
    words,
    chunks,
    wordChunk,
    probabilities: new Float32Array(ids.length),
  };
}

async function classify(
  classifier: TokenClassifier,
  contexts: readonly ClassifiedContext[],
  onProgress: (fraction: number) => void,
  signal: AbortSignal | undefined,
): Promise<void> {
  const jobs = contexts.flatMap((context) => context.chunks.map((chunk) => ({ context, chunk })));
  for (let from = 0; from < jobs.length; from += CHUNKS_PER_CALL) {
    signal?.throwIfAborted();
    const batch = jobs.slice(from, from + CHUNKS_PER_CALL);
    const probabilities = await classifier.keepProbabilities(
      batch.map(({ context, chunk }) => context.ids.slice(chunk.start, chunk.end)),
    );
    batch.forEach(({ context, chunk }, i) => {
      context.probabilities.set(probabilities[i] ?? [], chunk.start);
    });
    onProgress((from + batch.length) / jobs.length);
  }
}

/**
 * Whether the whitespace-free run holding a word ("3.5%" for the word "5") has a digit, for words
 * in text order (a run is scanned once). forceReserveDigit keeps a number's punctuation with its
 * digits ("3.5" must not become "35"; the reference lifts only the pieces holding digits).
 */
function digitRuns(text: string): (word: Word) => boolean {
  let run: [number, number, boolean] = [0, 0, false];
  return (word) => {
    if (word.start < run[0] || word.start >= run[1]) {
      let start = word.start;
      let end = word.end;
      while (start > 0 && !/\s/.test(text[start - 1] ?? " ")) start--;
      while (end < text.length && !/\s/.test(text[end] ?? " ")) end++;
      run = [start, end, /\p{Nd}/u.test(text.slice(start, end))];
    }
    return run[2];
  };
}

/** Per word: forced by a force token, a digit or a verbatim segment; its own segment rate. */
function scoreWords(
  context: ClassifiedContext,
  options: Llmlingua2Options,
  weightOf: (text: string) => number,
): ScoredWord[] {
  const { text, segments } = context.parsed;
  const byForceToken = unitsCoveringStrings(text, context.words, options.forceTokens);
  const inDigitRun = digitRuns(text);
  let segment = 0;
  return context.words.map((word, w) => {
    while (segment < segments.length - 1 && (segments[segment]?.end ?? 0) <= word.start) segment++;
    const core = text.slice(word.start, word.end);
    const verbatim = segments[segment]?.compress === false;
    return {
      probability: wordProbability(context.probabilities, word, options.tokenToWord),
      weight: weightOf(core),
      forced:
        verbatim || (byForceToken[w] ?? false) || (options.forceReserveDigit && inDigitRun(word)),
      chunk: context.wordChunk[w] ?? 0,
      segmentRate: segments[segment]?.rate ?? null,
    };
  });
}

/** Force-token occurrences lying in whitespace (no word covers "\n" in WordPiece). */
function whitespaceOccurrences(
  text: string,
  words: readonly Word[],
  forceTokens: readonly string[],
) {
  const occurrences: { span: Span; token: string }[] = [];
  for (const token of forceTokens) {
    if (token.trim() !== "") continue;
    for (let at = text.indexOf(token); at !== -1; at = text.indexOf(token, at + token.length)) {
      occurrences.push({ span: [at, at + token.length], token });
    }
  }
  occurrences.sort((a, b) => a.span[0] - b.span[0]);
  // One walk over both sorted lists: the first word ending after an occurrence's start is the
  // only one that can overlap it.
  let w = 0;
  return occurrences.filter(({ span: [start, end] }) => {
    while (w < words.length && (words[w]?.end ?? 0) <= start) w++;
    const word = words[w];
    return word === undefined || word.start === word.end || word.start >= end;
  });
}

function compressContext(
  context: ClassifiedContext,
  scored: readonly ScoredWord[],
  rate: number,
  options: Llmlingua2Options,
): Span[] {
  const { text } = context.parsed;
  let kept = selectWords(scored, rate);
  let extra = whitespaceOccurrences(text, context.words, options.forceTokens);
  if (options.dropConsecutive) {
    const forceTokens = new Set(options.forceTokens);
    const items: (ForcedItem & { word?: number; gap?: number })[] = [
      ...context.words.map((word, w) => {
        const core = text.slice(word.start, word.end);
        return {
          start: word.start,
          forceToken: forceTokens.has(core) ? core : null,
          kept: kept[w] ?? false,
          word: w,
        };
      }),
      ...extra.map(({ span, token }, g) => ({
        start: span[0],
        forceToken: token,
        kept: true,
        gap: g,
      })),
    ].sort((a, b) => a.start - b.start);
    const flags = dropConsecutiveForced(items);
    kept = [...kept];
    const keptGaps = new Set<number>();
    items.forEach((item, i) => {
      if (item.word !== undefined) kept[item.word] = flags[i] ?? false;
      else if (item.gap !== undefined && flags[i]) keptGaps.add(item.gap);
    });
    extra = extra.filter((_, g) => keptGaps.has(g));
  }
  return keptSpans(
    text,
    context.words,
    kept,
    extra.map(({ span }) => span),
  );
}

function meanProbability(scored: readonly ScoredWord[]): number {
  const words = scored.filter((word) => word.weight > 0);
  return words.reduce((sum, word) => sum + word.probability, 0) / Math.max(1, words.length);
}

async function tokenClassifierOf(env: CompressEnv): Promise<TokenClassifier> {
  if (!env.models.tokenClassifier) {
    throw new ModelConfigError(
      "llmlingua2 needs a token classifier, and this model provider has none",
    );
  }
  return env.models.tokenClassifier();
}

export function validateLlmlingua2Request(input: CompressInput, options: Llmlingua2Options): void {
  const outOfRange = options.forceContextIds.find((id) => id >= input.contexts.length);
  if (outOfRange !== undefined) {
    throw CompressionInputError.of(
      ["options", "forceContextIds"],
      `context ${outOfRange} does not exist (there are ${input.contexts.length})`,
    );
  }
}

export async function compressLlmlingua2(
  input: CompressInput,
  options: Llmlingua2Options,
  env: CompressEnv,
): Promise<CompressionResult> {
  validateLlmlingua2Request(input, options);
  const timer = new StageTimer();
  const progress = new ProgressReporter(env.onProgress, { load: 1, tokenize: 1, classify: 8 });
  const classifier = await timer.time("load", () => tokenClassifierOf(env));
  progress.report("load", 1);
  const countTarget: TokenCounter = await targetTokenCounter(options.targetTokenizer);
  const cache = new Map<string, number>();
  const weightOf = (text: string) => {
    let count = cache.get(text);
    if (count === undefined) {
      count = text === "" ? 0 : countTarget(text);
      cache.set(text, count);
    }
    return count;
  };

  const contexts = await timer.time("tokenize", () =>
    input.contexts.flatMap((source, index) =>
      source.trim() === "" ? [] : [prepare(classifier, source, index, options)],
    ),
  );
  progress.report("tokenize", 1);
  await timer.time("classify", () =>
    classify(classifier, contexts, (f) => progress.report("classify", f), env.signal),
  );

  const originalPrompt = assemblePrompt({
    ...input,
    contexts: contexts.map((context) => context.parsed.text),
  });
  const { compressed, prompt, targetTokens, original } = await timer.time("select", () => {
    const scored = contexts.map((context) => scoreWords(context, options, weightOf));
    const contextTokens = scored.map((words) => words.reduce((sum, w) => sum + w.weight, 0));
    const original = countTarget(originalPrompt);
    const fixed = weightOf(input.instruction ?? "") + weightOf(input.question ?? "");
    const budget = Math.min(original, options.targetTokens ?? options.rate * original);
    let keep = contexts.map(() => true);
    if (options.useContextLevelFilter && contexts.length > 1) {
      const overall = original === 0 ? 1 : budget / original;
      const contextRate =
        options.contextLevelRate ?? (options.useTokenLevelFilter ? (overall + 1) / 2 : overall);
      const forced = new Set(
        contexts.flatMap((context, i) =>
          options.forceContextIds.includes(context.index) ||
          context.parsed.segments.some((s) => !s.compress)
            ? [i]
            : [],
        ),
      );
      keep = selectContexts(scored.map(meanProbability), Math.min(1, contextRate), forced);
    }
    const keptTokens = contextTokens.reduce((sum, n, i) => sum + (keep[i] ? n : 0), 0);
    const compressAt = (rate: number) => {
      const kept = contexts.flatMap((context, i) => {
        if (!keep[i]) return [];
        const spans = compressContext(context, scored[i] ?? [], rate, options);
        return [{ context, spans, text: textOfSpans(context.parsed.text, spans) }];
      });
      const text = assemblePrompt({ ...input, contexts: kept.map((c) => c.text) });
      return { compressed: kept, prompt: text, targetTokens: countTarget(text), original };
    };
    if (!options.useTokenLevelFilter) return compressAt(1);
    // τ as the reference computes it: the budget's share of the (kept) contexts' tokens, counted
    // in the text (word weights only apportion the count among contexts).
    const allTokens = contextTokens.reduce((a, b) => a + b, 0);
    const keptText = (Math.max(0, original - fixed) * keptTokens) / Math.max(1, allTokens);
    let rate = clampRate(keptText === 0 ? 1 : (budget - fixed) / keptText);
    let result = compressAt(rate);
    // Deviation: the reference applies its percentile once; words' token counts, dropped
    // whitespace and the percentile's +1 leave it a few percent under the request. Thresholds
    // are cheap to redo, so τ is corrected against a re-count (the percentile rule unchanged).
    for (let round = 0; options.correctRate && round < CORRECTION_ROUNDS; round++) {
      if (Math.abs(result.targetTokens - budget) <= Math.max(1, 0.01 * budget)) break;
      const contextsNow = Math.max(1, result.targetTokens - fixed);
      const next = clampRate((rate * Math.max(0, budget - fixed)) / contextsNow);
      if (next === rate) break;
      rate = next;
      result = compressAt(rate);
    }
    return result;
  });

  const tokenizer = classifier.tokenizer;
  const results: CompressedContext[] = compressed.map(({ context, spans, text }) => ({
    index: context.index,
    text,
    keptSpans: spans,
    originalTokens: context.ids.length,
    compressedTokens: tokenizer.encode(text).length,
  }));
  const counts = await timer.time("count", () => {
    // WordPiece never makes a token across whitespace, and parts are joined by blank lines: a
    // prompt's tokens are its parts' (no second pass over a long input).
    if (classifier.wordConvention !== "wordpiece") {
      return tokenCounts(
        tokenizer.name,
        tokenizer.encode(originalPrompt).length,
        tokenizer.encode(prompt).length,
      );
    }
    const fixed =
      tokenizer.encode(input.instruction ?? "").length +
      tokenizer.encode(input.question ?? "").length;
    const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
    return tokenCounts(
      tokenizer.name,
      fixed + sum(contexts.map((context) => context.ids.length)),
      fixed + sum(results.map((context) => context.compressedTokens)),
    );
  });
  const target = tokenCounts(options.targetTokenizer, original, targetTokens);
  return {
    kind: "text",
    method: "llmlingua2",
    prompt,
    contexts: results,
    stats: buildStats({ counts, target, timer, models: { classifier: classifier.modelId } }),
    options: { ...options },
  };
}

export const llmlingua2Compressor = {
  method: "llmlingua2",
  requiredModel: "tokenClassifier",
  optionsSchema: llmlingua2OptionsSchema,
  validate: validateLlmlingua2Request,
  compress: compressLlmlingua2,
} as const satisfies Compressor<Llmlingua2Options>;
