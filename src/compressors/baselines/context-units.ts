import type { LogProbScorer, TokenizedText, Tokenizer } from "../../model/types.js";
import { assemblePrompt } from "../assemble.js";
import type { TargetTokenizerName } from "../options.js";
import { StageTimer } from "../stage-timer.js";
import { groupTokenUnits, type TokenUnit } from "../token-units.js";
import type { CompressEnv, CompressInput, CompressionResult } from "../types.js";
import { type KeptPart, keptSpansResult, keptTexts, promptBudget } from "./kept-spans-result.js";

/** A context's tokens and units (see token-units.ts): what token-level baselines keep or drop. */
export interface ContextUnits {
  readonly index: number;
  readonly text: string;
  readonly tokens: TokenizedText;
  readonly units: readonly TokenUnit[];
}

export function contextUnits(texts: readonly string[], tokenizer: Tokenizer): ContextUnits[] {
  return texts.map((text, index) => {
    const tokens = tokenizer.encodeWithSpans(text);
    return { index, text, tokens, units: groupTokenUnits(tokens.spans) };
  });
}

/** One part per context, in input order, holding the spans of its kept units. */
export function partsFromFlags(
  contexts: readonly ContextUnits[],
  kept: readonly (readonly boolean[])[],
): KeptPart[] {
  return contexts.map((context, position) => ({
    index: context.index,
    spans: context.units.flatMap((unit, u) =>
      kept[position]?.[u] ? [[unit.start, unit.end] as const] : [],
    ),
  }));
}

export interface UnitSelection {
  readonly scorer: LogProbScorer;
  readonly signal?: AbortSignal | undefined;
}

/** Which units of each context survive, given the tokens the contexts may keep in all. */
export type UnitPicker = (budget: number) => boolean[][];

export interface UnitBaseline {
  readonly method: string;
  /** Does the expensive part once (scoring, if any) and returns the pure choice. */
  prepare(contexts: readonly ContextUnits[], selection: UnitSelection): Promise<UnitPicker>;
  /** Model ids for the stats, by role; the scorer's tokenizer is always used. */
  models(scorer: LogProbScorer): Record<string, string>;
}

/** Re-count and re-pick at most this many times (joins between kept units re-tokenize). */
const MAX_CORRECTIONS = 4;

/**
 * The token-level baselines' pipeline: count the prompt in the scorer's tokenizer, split the
 * contexts into units, let the baseline pick units within the contexts' budget, then re-count the
 * assembled prompt and correct the budget by the excess (separators and re-tokenized joins) until
 * it is within 1% of the target.
 */
export async function compressByUnits(
  baseline: UnitBaseline,
  input: CompressInput,
  options: Readonly<Record<string, unknown>> & {
    readonly rate: number;
    readonly targetTokens?: number | undefined;
    readonly targetTokenizer?: TargetTokenizerName | undefined;
  },
  env: CompressEnv,
): Promise<CompressionResult> {
  env.signal?.throwIfAborted();
  const timer = new StageTimer();
  const scorer = await env.models.scorer();
  const { tokenizer } = scorer;
  const budget = await timer.time("tokenize", () => promptBudget(input, options, tokenizer));
  const contexts = await timer.time("tokenize", () => contextUnits(budget.texts, tokenizer));
  const pick = await timer.time("score", () =>
    baseline.prepare(contexts, { scorer, signal: env.signal }),
  );
  const count = (text: string) => (text.length === 0 ? 0 : tokenizer.encode(text).length);
  const parts = await timer.time("select", () => {
    const tolerance = Math.max(1, Math.round(budget.target * 0.01));
    let allowed = budget.contextTokens;
    let chosen = partsFromFlags(contexts, pick(allowed));
    for (let round = 0; round < MAX_CORRECTIONS; round++) {
      const excess =
        count(assemblePrompt({ ...input, contexts: keptTexts(budget, chosen) })) - budget.target;
      if (Math.abs(excess) <= tolerance || (excess < 0 && allowed >= budget.contextTokens)) break;
      allowed = Math.max(0, allowed - excess);
      chosen = partsFromFlags(contexts, pick(allowed));
    }
    return chosen;
  });
  return keptSpansResult({
    method: baseline.method,
    input,
    budget,
    parts,
    tokenizer,
    timer,
    options,
    models: baseline.models(scorer),
  });
}
