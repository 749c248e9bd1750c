import { canonicalJson } from "../../queues/hash.js";
import type { CompressOptionsInput } from "../../src/compressors/index.js";
import type { CompressionResult } from "../../src/compressors/types.js";
import { type Budget, cellBudget } from "./budget.js";
import { describeError, isModelUnavailableError } from "./failures.js";
import { answerRetention } from "./metrics.js";
import type { CellDeps, PreparedSample } from "./prepared-sample.js";
import { type BenchRecord, type RecordMetrics, recordKey } from "./record.js";
import { baseRecord, compressorCounts, generationStats, notApplicable } from "./record-builders.js";
import { benchPrompt } from "./samples.js";
import { answerFromVectors } from "./vector-cell.js";

/** The uncompressed prompt: a row of every table, and the reference of the goals. */
export const NONE = "none";

/**
 * Options the benchmark sets on top of a method's defaults. Block retrieval defaults to a fixed
 * top-8 (rate 1), which would ignore the requested rate; here the token budget decides.
 */
export const METHOD_OPTIONS: Readonly<Record<string, Record<string, unknown>>> = {
  landmark: { topK: null },
  "bm25-blocks": { topK: null },
};

/**
 * Methods whose `rate` is not a share of the whole prompt (gist: summary vectors per context
 * token, the question not counted): they get the cell's budget as `targetTokens`, which they
 * read as the whole reader input, like every other method's rate.
 */
const TOKEN_BUDGET_METHODS = new Set(["gist"]);

/** Keys of a text compression result; anything else is something a text reader cannot read. */
const TEXT_RESULT_KEYS = new Set(["kind", "method", "prompt", "contexts", "stats", "options"]);

/** Runs one sample × method × rate and returns its record; never throws for the cell's own failures. */
export async function runCell(
  prepared: PreparedSample,
  method: string,
  rate: number,
  deps: CellDeps,
): Promise<BenchRecord> {
  const { sample } = prepared;
  try {
    return method === NONE
      ? await runUncompressed(prepared, deps)
      : await runCompressed(prepared, method, rate, deps);
  } catch (error) {
    if (isModelUnavailableError(error)) {
      return notApplicable(sample, method, rate, describeError(error), true);
    }
    return {
      ...baseRecord(sample, method, rate),
      status: "error",
      reason: describeError(error),
      finishedAt: new Date().toISOString(),
    };
  }
}

async function runUncompressed(prepared: PreparedSample, deps: CellDeps): Promise<BenchRecord> {
  const { sample, readerTokens } = prepared;
  const budget = deps.reader.promptBudget;
  if (budget !== null && readerTokens > budget) {
    return notApplicable(
      sample,
      NONE,
      1,
      `the uncompressed prompt has ${readerTokens} reader tokens; the reader's ${deps.reader.window}-token window takes ${budget} with room for the answer`,
      false,
    );
  }
  const generation = await deps.reader.answer(benchPrompt(sample, sample.contexts));
  const counts = (tokenizer: string, tokens: number) => ({
    tokenizer,
    original: tokens,
    compressed: tokens,
  });
  return {
    ...baseRecord(sample, NONE, 1),
    status: "ok",
    contexts: null,
    prediction: generation.text,
    metrics: {
      score: sample.score(generation.text),
      retention: answerRetention(sample.contexts, sample.answers),
      reader: counts(deps.reader.tokenizer, readerTokens),
      cl100k: counts("cl100k_base", prepared.cl100kTokens),
      compressor: counts("(none)", prepared.compressorTokens),
    },
    timings: { compressMs: 0, compressWallMs: 0, stages: {}, decodeMs: generation.latencyMs },
    generation: generationStats(deps.reader.modelId, generation),
    finishedAt: new Date().toISOString(),
  };
}

interface Attempt {
  readonly result: CompressionResult;
  readonly compressWallMs: number;
  /** The reader's view of a text result; null for results that are not text. */
  readonly text: { contexts: string[]; prompt: string; readerTokens: number } | null;
}

async function compressOnce(
  prepared: PreparedSample,
  options: Record<string, unknown>,
  deps: CellDeps,
): Promise<Attempt> {
  const started = performance.now();
  const result = await deps.backend.compress(prepared.input, options as CompressOptionsInput);
  const compressWallMs = performance.now() - started;
  const isText =
    result.kind === "text" && Object.keys(result).every((key) => TEXT_RESULT_KEYS.has(key));
  if (!isText) return { result, compressWallMs, text: null };
  const contexts = result.contexts.map((context) => context.text).filter((t) => t.trim() !== "");
  const prompt = benchPrompt(prepared.sample, contexts);
  return {
    result,
    compressWallMs,
    text: { contexts, prompt, readerTokens: deps.reader.countTokens(prompt) },
  };
}

async function runCompressed(
  prepared: PreparedSample,
  method: string,
  rate: number,
  deps: CellDeps,
): Promise<BenchRecord> {
  const budget = cellBudget({
    rate,
    compressorTokens: prepared.compressorTokens,
    compressorReaderTokens: prepared.compressorReaderTokens,
    readerOverheadTokens: prepared.readerTokens - prepared.compressorReaderTokens,
    readerBudget: deps.reader.promptBudget,
    margin: deps.budgetMargin,
  });
  const asked = TOKEN_BUDGET_METHODS.has(method)
    ? { targetTokens: budget.targetTokens }
    : budget.options;
  // Rates whose budget the reader's window caps ask the method for the same thing: the methods
  // are deterministic and the reader greedy, so the first such cell's record stands for the rest.
  const askedKey = `${method} ${canonicalJson(asked)}`;
  const pending = prepared.compressions.get(askedKey);
  if (pending !== undefined) {
    const earlier = await pending.catch(() => undefined);
    if (earlier !== undefined && earlier.status !== "error") return reuseRecord(earlier, rate);
  }
  // Registered before any await, so that a cell running beside this one (queue mode) waits for
  // this compression instead of starting its own.
  const record = compressAndAnswer(prepared, method, rate, { budget, asked }, deps);
  prepared.compressions.set(askedKey, record);
  return record;
}

/** `source`'s compression and answer, filed under another rate that asked for the same budget. */
function reuseRecord(source: BenchRecord, rate: number): BenchRecord {
  return {
    ...source,
    key: recordKey(source.sampleId, source.method, rate),
    rate,
    reusedFrom: source.rate,
    finishedAt: new Date().toISOString(),
  };
}

async function compressAndAnswer(
  prepared: PreparedSample,
  method: string,
  rate: number,
  { budget, asked }: { budget: Budget; asked: Record<string, unknown> },
  deps: CellDeps,
): Promise<BenchRecord> {
  const { sample } = prepared;
  let attempt = await compressOnce(prepared, { method, ...METHOD_OPTIONS[method], ...asked }, deps);
  let targetTokens = budget.targetTokens;
  let attempts = 1;
  const readerBudget = deps.reader.promptBudget;
  if (attempt.text && readerBudget !== null && attempt.text.readerTokens > readerBudget) {
    // The method counts its target in its own tokenizer (LLMLingua-2: WordPiece), so its output
    // can overflow the reader even at the right target: ask once more, scaled by the overshoot.
    targetTokens = Math.max(
      1,
      Math.floor(
        targetTokens * (readerBudget / attempt.text.readerTokens) * (1 - deps.budgetMargin),
      ),
    );
    attempts = 2;
    attempt = await compressOnce(
      prepared,
      { method, ...METHOD_OPTIONS[method], targetTokens },
      deps,
    );
  }
  const { result, compressWallMs } = attempt;
  const runBudget = { targetTokens, cappedByWindow: budget.cappedByWindow, attempts };
  if (result.kind === "vectors") {
    return answerFromVectors(prepared, method, rate, deps, result, {
      budget: runBudget,
      compressWallMs,
    });
  }
  if (attempt.text === null) {
    const foreign = Object.keys(result).filter((key) => !TEXT_RESULT_KEYS.has(key));
    return notApplicable(
      sample,
      method,
      rate,
      `its result is not text (${foreign.join(", ")}); the reader ${deps.reader.modelId} reads text`,
      false,
    );
  }
  const { contexts, prompt, readerTokens } = attempt.text;
  const fits = readerBudget === null || readerTokens <= readerBudget;
  const generation = fits ? await deps.reader.answer(prompt) : null;
  const metrics: RecordMetrics = {
    score: generation ? sample.score(generation.text) : 0,
    retention: answerRetention(contexts, sample.answers),
    reader: {
      tokenizer: deps.reader.tokenizer,
      original: prepared.readerTokens,
      compressed: readerTokens,
    },
    cl100k: {
      tokenizer: "cl100k_base",
      original: prepared.cl100kTokens,
      compressed: deps.cl100kTokens(prompt),
    },
    compressor: compressorCounts(result),
  };
  return {
    ...baseRecord(sample, method, rate),
    status: fits ? "ok" : "over-window",
    ...(fits
      ? {}
      : {
          reason: `the compressed prompt has ${readerTokens} reader tokens, over the reader's budget of ${deps.reader.promptBudget}`,
        }),
    budget: runBudget,
    contexts,
    ...(generation ? { prediction: generation.text } : {}),
    metrics,
    timings: {
      compressMs: result.stats.totalMs,
      compressWallMs,
      stages: result.stats.timingsMs,
      decodeMs: generation ? generation.latencyMs : null,
    },
    ...(generation ? { generation: generationStats(deps.reader.modelId, generation) } : {}),
    models: result.stats.models,
    finishedAt: new Date().toISOString(),
  };
}
