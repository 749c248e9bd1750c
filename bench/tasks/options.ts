import { z } from "zod";
import type { HaystackSource, TokenCounter } from "./types.js";

/** What every generator takes. Parsed with zod: a bad value throws a ZodError naming the field. */
export const baseOptionsSchema = z.object({
  /** Same seed, same sample (on every machine). */
  seed: z.number().int().nonnegative(),
  /** Upper bound on the tokens of `readerPrompt(sample)`; samples land just below it. */
  lengthTokens: z.number().int().min(64),
  countTokens: z.custom<TokenCounter>(
    (v) => typeof v === "function",
    "countTokens must be a function",
  ),
  haystack: z.custom<HaystackSource>(
    (v) => typeof v === "object" && v !== null && Array.isArray((v as HaystackSource).paragraphs),
    "haystack must be a HaystackSource",
  ),
});

export const depthSchema = z.number().min(0).max(1);

export type BaseOptions = z.infer<typeof baseOptionsSchema>;
