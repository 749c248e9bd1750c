import { CompressionInputError } from "../../errors/index.js";
import type { Tokenizer } from "../../model/types.js";
import {
  keptSpansResult,
  type PromptBudget,
  plainTexts,
  promptBudget,
} from "../baselines/kept-spans-result.js";
import type { ReorderMethod } from "../options.js";
import { ProgressReporter } from "../progress.js";
import { StageTimer } from "../stage-timer.js";
import type { CompressEnv, CompressInput, CompressionResult } from "../types.js";
import type { Block } from "./blocking.js";
import { orderPassages, passagesOf, type ScoredBlock, selectBlocks } from "./selection.js";

/**
 * The pipeline of block retrieval, shared by landmark vectors and BM25: cut each context into
 * blocks (or read its stored index), score every block against the question, take the top blocks
 * under the token budget (with neighbours, if asked), order the passages, assemble the prompt.
 * Block tokens and the prompt's counts are in the tokenizer of the method's model.
 */
export interface BlockRetrievalOptions {
  readonly rate: number;
  readonly targetTokens?: number | undefined;
  readonly blockTokens: number;
  readonly topK: number | null;
  readonly neighbours: boolean;
  readonly reorder: ReorderMethod;
}

export interface BlockScoreRequest {
  /** Contexts' plain text, by input index. */
  readonly texts: readonly string[];
  readonly question: string;
  readonly blockTokens: number;
  readonly timer: StageTimer;
  readonly signal?: AbortSignal | undefined;
  /** 0..1 of the scoring work (indexing included). */
  readonly onProgress: (fraction: number) => void;
}

/** Blocks of one context with a relevance score each (higher is better). */
export interface ScoredContext {
  readonly blocks: readonly Block[];
  readonly scores: ArrayLike<number>;
}

export interface BlockScorer {
  readonly tokenizer: Tokenizer;
  /** Model ids for the stats, by role. */
  readonly models: Record<string, string>;
  /** One entry per context, in input order. */
  score(request: BlockScoreRequest): Promise<ScoredContext[]>;
}

/** Retrieval ranks blocks against the question: without one there is nothing to rank by. */
export function requireQuestion(method: string, input: CompressInput): void {
  if (!input.question?.trim()) {
    throw CompressionInputError.of(
      ["input", "question"],
      `${method} retrieves the blocks relevant to the question: a non-empty question is required`,
    );
  }
}

/** Chosen passages of the contexts, in prompt order, as [start, end) ranges of each context. */
export interface RetrievedPassage {
  readonly context: number;
  readonly start: number;
  readonly end: number;
}

export function retrievePassages(
  scored: readonly ScoredContext[],
  options: BlockRetrievalOptions,
  budget: number,
): RetrievedPassage[] {
  const blocks: (ScoredBlock & { readonly block: Block })[] = scored.flatMap((context, index) =>
    context.blocks.map((block, position) => ({
      context: index,
      id: block.id,
      tokens: block.tokenCount,
      score: context.scores[position] ?? Number.NaN,
      block,
    })),
  );
  const chosen = selectBlocks(blocks, {
    topK: options.topK,
    budget,
    neighbours: options.neighbours,
  });
  return orderPassages(blocks, passagesOf(blocks, chosen), options.reorder).map((passage) => {
    const first = blocks[passage.blocks[0] ?? 0];
    const last = blocks[passage.blocks.at(-1) ?? 0];
    return {
      context: passage.context,
      start: first?.block.start ?? 0,
      end: last?.block.end ?? 0,
    };
  });
}

export interface RetrieveRequest {
  readonly scorer: BlockScorer;
  readonly input: CompressInput;
  readonly options: BlockRetrievalOptions;
  /** The tokenizer of the prompt's counts and budget. */
  readonly tokenizer: Tokenizer;
  /** Tokens the retrieved blocks may hold together, given the prompt's budget. */
  passageTokens(budget: PromptBudget): number;
  readonly timer: StageTimer;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress: (fraction: number) => void;
}

const PROBE = "Zürich, 1851: “Call me Ishmael.” 日本語 😀 x=3.5%\n\tend";

/** Whether two tokenizers split text alike (two model folders often ship one tokenizer). */
function sameTokenization(a: Tokenizer, b: Tokenizer): boolean {
  if (a === b) return true;
  const x = a.encode(PROBE);
  const y = b.encode(PROBE);
  return a.vocabSize === b.vocabSize && x.length === y.length && x.every((id, i) => id === y[i]);
}

/**
 * Scores the blocks of every context against the question, then chooses and orders passages
 * under the prompt's budget. The blocks tile their contexts, so when they are cut in the prompt's
 * tokenizer their counts give the original prompt's without tokenizing the documents again.
 */
export async function retrieve(
  request: RetrieveRequest,
): Promise<{ budget: PromptBudget; passages: RetrievedPassage[] }> {
  const { input, options, timer, tokenizer } = request;
  const scored = await request.scorer.score({
    texts: plainTexts(input),
    question: input.question ?? "",
    blockTokens: options.blockTokens,
    timer,
    signal: request.signal,
    onProgress: request.onProgress,
  });
  const known = sameTokenization(tokenizer, request.scorer.tokenizer)
    ? scored.map((context) => context.blocks.reduce((sum, block) => sum + block.tokenCount, 0))
    : [];
  const budget = await timer.time("count", () => promptBudget(input, options, tokenizer, known));
  const passages = await timer.time("select", () =>
    retrievePassages(scored, options, request.passageTokens(budget)),
  );
  return { budget, passages };
}

export async function compressByBlockRetrieval(
  method: string,
  input: CompressInput,
  options: BlockRetrievalOptions & Readonly<Record<string, unknown>>,
  env: CompressEnv,
  scorer: BlockScorer,
): Promise<CompressionResult> {
  requireQuestion(method, input);
  env.signal?.throwIfAborted();
  const timer = new StageTimer();
  const progress = new ProgressReporter(env.onProgress, { score: 10, assemble: 1 });
  const { budget, passages } = await retrieve({
    scorer,
    input,
    options,
    tokenizer: scorer.tokenizer,
    passageTokens: (prompt) => prompt.contextTokens,
    timer,
    signal: env.signal,
    onProgress: (fraction) => progress.report("score", fraction),
  });
  const result = await keptSpansResult({
    method,
    input,
    budget,
    parts: passages.map((passage) => ({
      index: passage.context,
      spans: [[passage.start, passage.end]],
    })),
    tokenizer: scorer.tokenizer,
    timer,
    options,
    models: scorer.models,
  });
  progress.report("assemble", 1);
  return result;
}
