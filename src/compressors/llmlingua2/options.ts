import { z } from "zod";
import { sharedOptionsShape, TARGET_TOKENIZERS } from "../options.js";

/**
 * LLMLingua-2's options, named and defaulted as the reference's compress_prompt_llmlingua2
 * (rate 0.5, mean word probabilities, chunks ending at "." or "\n", no context-level filter).
 */
export const llmlingua2OptionsSchema = z.strictObject({
  method: z.literal("llmlingua2"),
  ...sharedOptionsShape(0.5),
  /**
   * The target LLM's tokenizer: words weigh their count of its tokens in the thresholds (as the
   * reference weighs by GPT-4's), and the stats count in it. Default cl100k_base, as the reference.
   */
  targetTokenizer: z.enum(TARGET_TOKENIZERS).default("cl100k_base"),
  /** How a word's probability comes from its sub-word tokens'. */
  tokenToWord: z.enum(["mean", "first"]).default("mean"),
  /** Strings whose every occurrence survives (the words covering them are kept). */
  forceTokens: z.array(z.string().min(1)).max(100).default([]),
  /** Keep every word holding a digit. */
  forceReserveDigit: z.boolean().default(false),
  /** Drop a force token that repeats a kept one with no other kept word in between. */
  dropConsecutive: z.boolean().default(false),
  /** A chunk ends after a word ending in, or followed by whitespace holding, one of these. */
  chunkEndTokens: z.array(z.string().min(1)).min(1).default([".", "\n"]),
  /** Drop whole contexts by their mean word probability first (multi-context input). */
  useContextLevelFilter: z.boolean().default(false),
  /** Compress inside the kept contexts (off: the context filter alone decides). */
  useTokenLevelFilter: z.boolean().default(true),
  /** Share of contexts kept by the context filter (default (rate + 1) / 2, as the reference). */
  contextLevelRate: z.number().gt(0).lte(1).optional(),
  /** Contexts never dropped by the context-level filter. */
  forceContextIds: z.array(z.number().int().nonnegative()).default([]),
  /**
   * Re-threshold until the compressed prompt's re-count meets the budget (±1%, a few rounds);
   * off applies the reference's percentile once, which keeps a few percent less than asked.
   */
  correctRate: z.boolean().default(true),
  /** Read `<llmlingua …>` tags in contexts; turn off for text that mentions them literally. */
  structuredTags: z.boolean().default(true),
});

export type Llmlingua2Options = z.output<typeof llmlingua2OptionsSchema>;
