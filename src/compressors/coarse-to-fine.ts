import type { LogProbScorer, Span, Tokenizer } from "../model/types.js";
import { assemblePrompt, PART_SEPARATOR } from "./assemble.js";
import { applyContextBudget, selectContexts } from "./budget-controller.js";
import { rankDeltas } from "./dynamic-ratio.js";
import { runIterativeCompression } from "./iterative-compression.js";
import type { LlmlinguaFamilyOptions } from "./options.js";
import {
  hasVerbatimSegment,
  type PreparedContext,
  planUnitsOf,
  prepareContext,
} from "./prepared-context.js";
import { ProgressReporter } from "./progress.js";
import type { Ranking } from "./rankers/ranking.js";
import { reorderContexts } from "./reorder.js";
import { StageTimer } from "./stage-timer.js";
import { buildStats, targetCounts, tokenCounts } from "./stats.js";
import { type PlanUnit, TokenLevelPlan } from "./token-level-plan.js";
import { mergeSpans, textOfSpans } from "./token-units.js";
import type { CompressEnv, CompressedContext, CompressInput, CompressionResult } from "./types.js";

/**
 * LLMLingua's coarse-to-fine pipeline, shared by LLMLingua and LongLLMLingua: the budget
 * controller keeps the best-ranked contexts, which are reordered, then compressed token by token
 * (iteratively, each segment conditioned on the compressed prefix) down to the target, then
 * corrected against a re-count of the assembled prompt. The two methods differ only in how
 * contexts are ranked and tokens scored (`CoarseToFineStrategy`).
 *
 * The target is rate × the original prompt's tokens (or targetTokens), in the scorer's tokens,
 * for the whole prompt: the verbatim instruction and question spend part of it. (Deviation: the
 * reference's target_token budgets the contexts alone.) Empty contexts are skipped and left out
 * of the prompt (the reference sends them through the model).
 */

export interface RankRequest {
  readonly scorer: LogProbScorer;
  /** Non-empty contexts; rankings index this list. */
  readonly contexts: readonly PreparedContext[];
  readonly question: string | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress: (fraction: number) => void;
}

export interface CoarseToFineStrategy {
  rank(request: RankRequest): Promise<Ranking>;
  /** Question tokens to contrast token scores with, or null for plain NLL. */
  contrastWith(tokenizer: Tokenizer, question: string | undefined): readonly number[] | null;
}

/** Re-count and correct at most this many times; each round re-tokenizes the prompt. */
const MAX_CORRECTIONS = 4;

function tolerance(target: number): number {
  return Math.max(1, Math.round(target * 0.01));
}

interface Selection {
  /** Kept contexts in prompt order. */
  readonly contexts: readonly PreparedContext[];
  /** Dynamic-ratio delta by input index. */
  readonly deltas: ReadonlyMap<number, number>;
}

async function selectContextsForPrompt(
  candidates: readonly PreparedContext[],
  contextTarget: number,
  options: LlmlinguaFamilyOptions,
  rank: () => Promise<Ranking>,
): Promise<Selection> {
  if (!options.useContextLevelFilter || candidates.length <= 1) {
    return { contexts: candidates, deltas: new Map() };
  }
  const ranking = await rank();
  const forcedIds = new Set(options.forceContextIds);
  const forced = new Set(
    candidates.flatMap((context, position) =>
      forcedIds.has(context.index) || hasVerbatimSegment(context) ? [position] : [],
    ),
  );
  const keptPositions = selectContexts({
    ranking: ranking.order,
    lengths: candidates.map((context) => context.tokens.ids.length),
    budget: applyContextBudget(contextTarget, options.contextBudget),
    forced,
  });
  const deltas = rankDeltas(keptPositions.length, options.dynamicRatio);
  const byRank = keptPositions.map((position) => candidates[position] as PreparedContext);
  const byIndex = new Map(byRank.map((context) => [context.index, context]));
  return {
    contexts: reorderContexts(
      byRank.map((context) => context.index),
      options.reorder,
    ).map((index) => byIndex.get(index) as PreparedContext),
    deltas: new Map(byRank.map((context, rank) => [context.index, deltas[rank] ?? 0])),
  };
}

/** Kept spans per context, and the token count of the prompt they make. */
interface Measured {
  readonly spans: Span[][];
  readonly tokens: number;
}

/** Which context and unit each plan unit came from (separators: none). */
interface UnitOrigin {
  readonly context: number;
  readonly unit: number;
}

function buildPlanUnits(
  contexts: readonly PreparedContext[],
  deltas: ReadonlyMap<number, number>,
  separatorIds: readonly number[],
  forceStrings: readonly string[],
): { units: PlanUnit[]; origins: (UnitOrigin | null)[] } {
  const units: PlanUnit[] = [];
  const origins: (UnitOrigin | null)[] = [];
  let firstGroup = 0;
  contexts.forEach((context, position) => {
    if (position > 0) {
      units.push({ ids: separatorIds, group: -1, forced: true, explicitRate: null, delta: 0 });
      origins.push(null);
    }
    const contextUnits = planUnitsOf(context, {
      forceStrings,
      delta: deltas.get(context.index) ?? 0,
      firstGroup,
    });
    contextUnits.forEach((unit, index) => {
      units.push(unit);
      origins.push({ context: position, unit: index });
    });
    firstGroup += Math.max(1, context.parsed.segments.length);
  });
  return { units, origins };
}

function keptSpansPerContext(
  contexts: readonly PreparedContext[],
  origins: readonly (UnitOrigin | null)[],
  kept: readonly boolean[],
): Span[][] {
  const spans: Span[][] = contexts.map(() => []);
  origins.forEach((origin, index) => {
    if (origin === null || !kept[index]) return;
    const unit = contexts[origin.context]?.units[origin.unit];
    if (unit !== undefined) spans[origin.context]?.push([unit.start, unit.end]);
  });
  return spans.map((list) => mergeSpans(list));
}

/**
 * The final correction: re-counts the assembled prompt and drops (or restores) tokens until it
 * is within tolerance of the target, at most MAX_CORRECTIONS rounds.
 */
function correctToTarget(
  plan: TokenLevelPlan,
  target: number,
  measure: (kept: readonly boolean[]) => Measured,
): Measured {
  for (let round = 0; ; round++) {
    const measured = measure(plan.kept);
    const excess = measured.tokens - target;
    if (round === MAX_CORRECTIONS || Math.abs(excess) <= tolerance(target)) return measured;
    const before = plan.keptTokens;
    plan.rebalance(excess);
    if (plan.keptTokens === before) return measured;
  }
}

export async function compressCoarseToFine(
  method: string,
  input: CompressInput,
  options: LlmlinguaFamilyOptions,
  env: CompressEnv,
  strategy: CoarseToFineStrategy,
): Promise<CompressionResult> {
  const timer = new StageTimer();
  const progress = new ProgressReporter(env.onProgress, {
    tokenize: 1,
    coarse: 3,
    fine: 12,
    assemble: 1,
  });
  const { instruction, question } = input;
  const { signal } = env;
  signal?.throwIfAborted();
  const scorer = await env.models.scorer();
  const tokenizer = scorer.tokenizer;
  const count = (text: string) => (text.length === 0 ? 0 : tokenizer.encode(text).length);
  const promptOf = (contexts: readonly string[]) =>
    assemblePrompt({ instruction, contexts, question });

  const prepared = await timer.time("tokenize", () =>
    input.contexts.map((source, index) =>
      prepareContext(source, index, tokenizer, options.structuredTags),
    ),
  );
  const originalPrompt = promptOf(prepared.map((context) => context.parsed.text));
  const originalTokens = await timer.time("tokenize", () => count(originalPrompt));
  const fixedTokens = count(instruction ?? "") + count(question ?? "");
  const target = options.targetTokens ?? Math.round(options.rate * originalTokens);
  progress.report("tokenize", 1);

  const candidates = prepared.filter((context) => context.tokens.ids.length > 0);
  const selection = await timer.time("coarse", () =>
    selectContextsForPrompt(candidates, target - fixedTokens, options, () =>
      strategy.rank({
        scorer,
        contexts: candidates,
        question,
        signal,
        onProgress: (fraction) => progress.report("coarse", fraction),
      }),
    ),
  );
  progress.report("coarse", 1);

  const kept = selection.contexts;
  const textsOf = (spans: readonly Span[][]) =>
    kept.map((context, position) => textOfSpans(context.parsed.text, spans[position] ?? []));
  const measure = (spans: Span[][]): Measured => ({
    spans,
    tokens: count(promptOf(textsOf(spans))),
  });
  let compressed: Measured | null = null;
  if (options.useTokenLevelFilter) {
    const separatorIds = tokenizer.encode(PART_SEPARATOR);
    const outerSeparators = (instruction ? 1 : 0) + (question ? 1 : 0);
    // keepSplit keeps every newline (deviation: the reference keeps only "\n" tokens next to
    // another one, and drops repeated ones).
    const { units, origins } = buildPlanUnits(kept, selection.deltas, separatorIds, [
      ...options.forceTokens,
      ...(options.keepSplit ? ["\n"] : []),
    ]);
    const plan = new TokenLevelPlan(
      units,
      target - fixedTokens - outerSeparators * separatorIds.length,
      options.iterativeSize,
    );
    await timer.time("fine", () =>
      runIterativeCompression(plan, scorer, {
        contrastWith: strategy.contrastWith(tokenizer, question),
        signal,
        onProgress: (fraction) => progress.report("fine", fraction),
      }),
    );
    compressed = await timer.time("correct", () =>
      correctToTarget(plan, target, (flags) => measure(keptSpansPerContext(kept, origins, flags))),
    );
  }
  progress.report("fine", 1);

  const assembled = await timer.time("assemble", async () => {
    const { spans: keptSpans, tokens } =
      compressed ?? measure(kept.map((context) => [[0, context.parsed.text.length]]));
    const texts = textsOf(keptSpans);
    const prompt = promptOf(texts);
    const contexts: CompressedContext[] = kept.flatMap((context, position) => {
      const text = texts[position] ?? "";
      if (text.trim() === "") return [];
      return [
        {
          index: context.index,
          text,
          keptSpans: keptSpans[position] ?? [],
          originalTokens: context.tokens.ids.length,
          compressedTokens: count(text),
        },
      ];
    });
    return {
      prompt,
      contexts,
      counts: tokenCounts(tokenizer.name, originalTokens, tokens),
      target: await targetCounts(options.targetTokenizer, originalPrompt, prompt),
    };
  });
  progress.report("assemble", 1);

  return {
    kind: "text",
    method,
    prompt: assembled.prompt,
    contexts: assembled.contexts,
    stats: buildStats({
      counts: assembled.counts,
      target: assembled.target,
      timer,
      models: { scorer: scorer.modelId },
    }),
    options: { ...options },
  };
}
