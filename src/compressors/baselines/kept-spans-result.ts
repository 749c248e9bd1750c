import type { Span, Tokenizer } from "../../model/types.js";
import { assemblePrompt, PART_SEPARATOR } from "../assemble.js";
import type { TargetTokenizerName } from "../options.js";
import { parseContext } from "../prepared-context.js";
import type { StageTimer } from "../stage-timer.js";
import { buildStats, targetCounts, tokenCounts } from "../stats.js";
import { mergeSpans, textOfSpans } from "../token-units.js";
import type { CompressedContext, CompressInput, CompressionResult } from "../types.js";
import { joinedTokenCount } from "./joined-count.js";

/**
 * What the baselines and the retrieval methods share: the original prompt, its token budget, and
 * a result built from kept spans of the contexts. Contexts are read as plain text (structured
 * tags are removed; these methods do not honour per-segment rates).
 */
export interface PromptBudget {
  /** Contexts with their tags removed, by input index. */
  readonly texts: readonly string[];
  readonly originalPrompt: string;
  readonly originalTokens: number;
  /** Target for the whole prompt: targetTokens, or rate × the original prompt's tokens. */
  readonly target: number;
  /**
   * Tokens the contexts may keep: the target less the verbatim instruction and question and the
   * separators around them (a context-level estimate; the result is re-counted).
   */
  readonly contextTokens: number;
  /** Tokens of one context (counted once: a context may give several retrieved passages). */
  tokensOf(index: number): number;
}

/** The contexts' plain text (structured tags removed), by input index. */
export function plainTexts(input: CompressInput): string[] {
  return input.contexts.map((context, index) => parseContext(context, index, true).text);
}

/**
 * The original prompt and its budget. `knownTokens[i]`, when given, is context i's token count
 * (a retrieval method knows it from the blocks): the prompt's count then needs no tokenization
 * of the contexts (joined-count.ts).
 */
export function promptBudget(
  input: CompressInput,
  options: { readonly rate: number; readonly targetTokens?: number | undefined },
  tokenizer: Tokenizer,
  knownTokens: readonly (number | undefined)[] = [],
): PromptBudget {
  const count = (text: string) => (text.length === 0 ? 0 : tokenizer.encode(text).length);
  const texts = plainTexts(input);
  const counted = new Map<number, number>();
  const tokensOf = (index: number) => {
    let tokens = counted.get(index) ?? knownTokens[index];
    if (tokens === undefined) tokens = count(texts[index] ?? "");
    counted.set(index, tokens);
    return tokens;
  };
  // The pieces of `assemblePrompt`, each with its context index (null: instruction, question).
  const pieces = [
    ...(input.instruction ? [{ text: input.instruction, context: null }] : []),
    ...texts.flatMap((text, context) => (text.trim() === "" ? [] : [{ text, context }])),
    ...(input.question ? [{ text: input.question, context: null }] : []),
  ];
  const originalTokens = joinedTokenCount(
    pieces.map((piece) => piece.text),
    PART_SEPARATOR,
    count,
    (position) => {
      const context = pieces[position]?.context;
      return context === null || context === undefined ? undefined : tokensOf(context);
    },
  );
  const target = options.targetTokens ?? Math.round(options.rate * originalTokens);
  const separator = count(PART_SEPARATOR);
  const fixed =
    count(input.instruction ?? "") +
    count(input.question ?? "") +
    separator * ((input.instruction ? 1 : 0) + (input.question ? 1 : 0));
  return {
    texts,
    originalPrompt: assemblePrompt({ ...input, contexts: texts }),
    originalTokens,
    target,
    contextTokens: Math.max(0, target - fixed),
    tokensOf,
  };
}

/** Kept spans of one context; a context may appear several times (retrieved blocks in rank order). */
export interface KeptPart {
  readonly index: number;
  readonly spans: readonly Span[];
}

export interface KeptSpansResult {
  readonly method: string;
  readonly input: CompressInput;
  readonly budget: PromptBudget;
  /** In prompt order; parts that keep no text are left out. */
  readonly parts: readonly KeptPart[];
  readonly tokenizer: Tokenizer;
  readonly timer: StageTimer;
  /** The parsed options, echoed in the result. */
  readonly options: Readonly<Record<string, unknown>> & {
    readonly targetTokenizer?: TargetTokenizerName | undefined;
  };
  readonly models: Record<string, string>;
}

/** Leading and trailing whitespace of a part is dropped: the prompt joins parts with blank lines. */
function trimSpans(text: string, spans: readonly Span[]): Span[] {
  const merged = mergeSpans(spans);
  const first = merged[0];
  if (first !== undefined) {
    const lead = /^\s*/.exec(text.slice(first[0], first[1]))?.[0].length ?? 0;
    merged[0] = [first[0] + lead, first[1]];
  }
  const last = merged.at(-1);
  if (last !== undefined) {
    const trail = /\s*$/.exec(text.slice(last[0], last[1]))?.[0].length ?? 0;
    merged[merged.length - 1] = [last[0], last[1] - trail];
  }
  return merged.filter(([start, end]) => end > start);
}

/** The text each part keeps, as it goes into the prompt (empty parts left out). */
export function keptTexts(budget: PromptBudget, parts: readonly KeptPart[]): string[] {
  return parts
    .map((part) => {
      const source = budget.texts[part.index] ?? "";
      return textOfSpans(source, trimSpans(source, part.spans));
    })
    .filter((text) => text !== "");
}

/** The compression result of kept spans: prompt, contexts and stats re-counted on the text. */
export async function keptSpansResult(request: KeptSpansResult): Promise<CompressionResult> {
  const { input, budget, tokenizer, timer } = request;
  const count = (text: string) => (text.length === 0 ? 0 : tokenizer.encode(text).length);
  return timer.time("assemble", async () => {
    const contexts: CompressedContext[] = request.parts.flatMap((part) => {
      const source = budget.texts[part.index] ?? "";
      const keptSpans = trimSpans(source, part.spans);
      const text = textOfSpans(source, keptSpans);
      if (text === "") return [];
      return [
        {
          index: part.index,
          text,
          keptSpans,
          originalTokens: budget.tokensOf(part.index),
          compressedTokens: count(text),
        },
      ];
    });
    const prompt = assemblePrompt({ ...input, contexts: contexts.map((context) => context.text) });
    const target = await targetCounts(
      request.options.targetTokenizer,
      budget.originalPrompt,
      prompt,
    );
    return {
      kind: "text",
      method: request.method,
      prompt,
      contexts,
      stats: buildStats({
        counts: tokenCounts(tokenizer.name, budget.originalTokens, count(prompt)),
        target,
        timer,
        models: request.models,
      }),
      options: { ...request.options },
    };
  });
}
