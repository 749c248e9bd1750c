import { z } from "zod";
import { CONTEXT_BUDGET_PATTERN } from "./budget-controller.js";
import { renderStructuredContext, type StructuredSegment } from "./structured-prompt.js";
import { findNonTextCharacter } from "./text-validation.js";
import type { InputLimits } from "./types.js";

export const DEFAULT_INPUT_LIMITS: InputLimits = {
  // About a million tokens of English: far more than a CPU scorer gets through in a job.
  maxDocumentChars: 4_000_000,
};

function textSchema(limits: InputLimits) {
  return z
    .string()
    .max(limits.maxDocumentChars, {
      message: `is longer than the limit of ${limits.maxDocumentChars} characters`,
    })
    .superRefine((text, ctx) => {
      const problem = findNonTextCharacter(text);
      if (problem !== null) ctx.addIssue({ code: "custom", message: problem });
    });
}

const TAG_MARKERS = ["<llmlingua", "</llmlingua>"];

const structuredSegmentSchema = z.strictObject({
  text: z.string().refine((text) => !TAG_MARKERS.some((marker) => text.includes(marker)), {
    message: "a segment's text must not contain <llmlingua> tags",
  }),
  rate: z.number().gt(0).lte(1).optional(),
  compress: z.boolean().optional(),
});

/**
 * The input every compressor accepts. A context is a string (which may hold `<llmlingua …>`
 * tags) or typed segments, turned into tagged text here so compressors only ever see strings.
 * Unknown fields are dropped, so callers may pass richer objects.
 */
export function compressInputSchema(limits: InputLimits = DEFAULT_INPUT_LIMITS) {
  const text = textSchema(limits);
  const structured = z
    .strictObject({ segments: z.array(structuredSegmentSchema).min(1) })
    .transform(({ segments }) => renderStructuredContext(segments))
    .pipe(text);
  // Chosen by type rather than with z.union, whose error would only say "Invalid input".
  const context = z.unknown().transform((value, ctx) => {
    const parsed = (typeof value === "string" ? text : structured).safeParse(value);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, code: "custom" });
    return z.NEVER;
  });
  return z
    .object({
      contexts: z.array(context).min(1, { message: "at least one context is required" }),
      instruction: text.optional(),
      question: text.optional(),
    })
    .superRefine((input, ctx) => {
      if (input.contexts.every((context) => context.trim() === "")) {
        ctx.addIssue({
          code: "custom",
          path: ["contexts"],
          message: "every context is empty: there is nothing to compress",
        });
      }
    });
}

/** What callers may pass: contexts as strings or typed segments. */
export interface CompressRequestInput {
  readonly contexts: readonly (string | { readonly segments: readonly StructuredSegment[] })[];
  readonly instruction?: string | undefined;
  readonly question?: string | undefined;
}

export const TARGET_TOKENIZERS = ["cl100k_base", "o200k_base"] as const;
export type TargetTokenizerName = (typeof TARGET_TOKENIZERS)[number];

/** Fields every method accepts; a method's schema spreads them in with its own default rate. */
export function sharedOptionsShape(defaultRate: number) {
  return {
    /** Fraction of the prompt's tokens to keep, in (0, 1]. */
    rate: z
      .number()
      .gt(0, { message: "rate is the fraction of tokens kept, in (0, 1]" })
      .lte(1, { message: "rate is the fraction of tokens kept, in (0, 1]" })
      .default(defaultRate),
    /** Token budget for the whole prompt (instruction and question included); overrides rate. */
    targetTokens: z.number().int().positive().optional(),
    /** Also count tokens in this tokenizer (gpt-tokenizer) for the stats. */
    targetTokenizer: z.enum(TARGET_TOKENIZERS).optional(),
  };
}

export const REORDER_METHODS = ["original", "sort", "two_stage"] as const;
export type ReorderMethod = (typeof REORDER_METHODS)[number];

interface FamilyDefaults {
  readonly rate: number;
  readonly reorder: ReorderMethod;
  readonly dynamicRatio: number;
}

/** Options LLMLingua and LongLLMLingua share (coarse-to-fine compression over a causal LM). */
function llmlinguaFamilyShape(defaults: FamilyDefaults) {
  return {
    ...sharedOptionsShape(defaults.rate),
    /** Tokens per segment of the iterative token-level compression. */
    iterativeSize: z.number().int().min(1).max(8192).default(200),
    /** Slack of the context-level budget: "+100" adds 100 tokens, "*2" doubles it. */
    contextBudget: z
      .string()
      .regex(CONTEXT_BUDGET_PATTERN, {
        message: 'a context budget is "+N", "-N", "*N" or "/N" (e.g. "+100" or "*2")',
      })
      .default("+100"),
    useContextLevelFilter: z.boolean().default(true),
    useTokenLevelFilter: z.boolean().default(true),
    /** Strings whose every occurrence survives (the tokens covering them are kept). */
    forceTokens: z.array(z.string().min(1)).default([]),
    /** Contexts never dropped by the context-level filter. */
    forceContextIds: z.array(z.number().int().nonnegative()).default([]),
    /** Keep every newline (the structure of the text). */
    keepSplit: z.boolean().default(false),
    /** δ: keep ratios run linearly from τ+δ for the best-ranked context to τ−δ for the worst. */
    dynamicRatio: z.number().min(0).max(1).default(defaults.dynamicRatio),
    reorder: z.enum(REORDER_METHODS).default(defaults.reorder),
    /** Read `<llmlingua …>` tags in contexts; turn off for text that mentions them literally. */
    structuredTags: z.boolean().default(true),
  };
}

export const llmlinguaOptionsSchema = z.strictObject({
  method: z.literal("llmlingua"),
  ...llmlinguaFamilyShape({ rate: 0.5, reorder: "original", dynamicRatio: 0 }),
});

export const LONG_RANK_METHODS = ["longllmlingua", "bm25", "gzip"] as const;

/** Defaults are the reference README's recommendation for LongLLMLingua. */
export const longLlmlinguaOptionsSchema = z.strictObject({
  method: z.literal("longllmlingua"),
  ...llmlinguaFamilyShape({ rate: 0.55, reorder: "sort", dynamicRatio: 0.3 }),
  /** Coarse (context-level) ranker. */
  rankMethod: z.enum(LONG_RANK_METHODS).default("longllmlingua"),
  /** Coarse ranking by the question's NLL after each context ("after", the paper's), the
   * context's NLL after the question ("before"), or the context's own perplexity ("none"). */
  conditionInQuestion: z.enum(["after", "before", "none"]).default("after"),
  /** Token-level scores contrast NLL without and with the question (conditional PMI). */
  conditionCompare: z.boolean().default(true),
});

export type LlmlinguaOptions = z.output<typeof llmlinguaOptionsSchema>;
export type LongLlmlinguaOptions = z.output<typeof longLlmlinguaOptionsSchema>;
export type LlmlinguaFamilyOptions = LlmlinguaOptions | LongLlmlinguaOptions;
