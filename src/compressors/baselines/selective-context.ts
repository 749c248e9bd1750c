import { z } from "zod";
import { sharedOptionsShape } from "../options.js";
import type { Compressor } from "../types.js";
import { type ContextUnits, compressByUnits } from "./context-units.js";
import { phraseSpans } from "./phrases.js";

export const selectiveContextOptionsSchema = z.strictObject({
  method: z.literal("selective-context"),
  ...sharedOptionsShape(0.5),
});
export type SelectiveContextOptions = z.output<typeof selectiveContextOptionsSchema>;

/** A phrase's token units and self-information. */
interface ScoredPhrase {
  readonly units: readonly number[];
  readonly tokens: number;
  readonly selfInformation: number;
}

/**
 * The context's phrases (phrases.ts) as groups of its token units (a unit belongs to the phrase
 * its first character is in), each scored by the sum of its tokens' self-information −ln p.
 * A token without a score (the first, with nothing before it) makes its phrase unmissable.
 */
export function scorePhrases(context: ContextUnits, logprobs: ArrayLike<number>): ScoredPhrase[] {
  const phrases = phraseSpans(context.text);
  const scored: { units: number[]; tokens: number; selfInformation: number }[] = phrases.map(
    () => ({ units: [], tokens: 0, selfInformation: 0 }),
  );
  let phrase = 0;
  context.units.forEach((unit, u) => {
    while (phrase < phrases.length - 1 && (phrases[phrase]?.[1] ?? 0) <= unit.start) phrase++;
    const target = scored[phrase];
    if (target === undefined) return;
    target.units.push(u);
    target.tokens += unit.tokenCount;
    for (let t = unit.firstToken; t < unit.firstToken + unit.tokenCount; t++) {
      const logprob = logprobs[t] ?? Number.NaN;
      target.selfInformation += Number.isNaN(logprob) ? Number.POSITIVE_INFINITY : -logprob;
    }
  });
  return scored.filter((entry) => entry.units.length > 0);
}

/**
 * Drops the phrases with the least self-information across all contexts, lowest first, until
 * the contexts keep at most `keepTokens` tokens together: one pass, no re-scoring (the paper's
 * method has no iteration). Returns one keep flag per unit of each context.
 */
export function dropLeastInformative(
  phrasesByContext: readonly (readonly ScoredPhrase[])[],
  unitCounts: readonly number[],
  keepTokens: number,
): boolean[][] {
  const flags = unitCounts.map((count) => new Array<boolean>(count).fill(true));
  const all = phrasesByContext.flatMap((phrases, context) =>
    phrases.map((phrase, index) => ({ phrase, context, index })),
  );
  let kept = all.reduce((sum, { phrase }) => sum + phrase.tokens, 0);
  // Ties: earlier contexts and earlier phrases go first, so the order is deterministic.
  all.sort(
    (a, b) =>
      a.phrase.selfInformation - b.phrase.selfInformation ||
      a.context - b.context ||
      a.index - b.index,
  );
  for (const { phrase, context } of all) {
    if (kept <= keepTokens || phrase.selfInformation === Number.POSITIVE_INFINITY) break;
    for (const unit of phrase.units) (flags[context] as boolean[])[unit] = false;
    kept -= phrase.tokens;
  }
  return flags;
}

/**
 * Selective-Context (Li et al., 2023): self-information from the scorer, pruned at the phrase
 * level. Deviations: phrases come from a rule-based chunker instead of spaCy's noun chunks;
 * units are dropped until the token rate is met, where the reference drops those under a
 * percentile of the unit count (so its achieved token rate drifts from the one asked for); and
 * the phrases of all contexts compete for one budget (one scorer, one scale), where the reference
 * compresses each context on its own at the same rate. Per-context budgets round every context
 * down to whole phrases: over hundreds of short contexts at a rate near 1% that kept 334 of
 * 1,892 target tokens (128K-token prompts of the full benchmark suite).
 */
export const selectiveContextCompressor = {
  method: "selective-context",
  requiredModel: "scorer",
  optionsSchema: selectiveContextOptionsSchema,
  compress: (input, options, env) =>
    compressByUnits(
      {
        method: "selective-context",
        prepare: async (contexts, { scorer, signal }) => {
          const phrases: ScoredPhrase[][] = [];
          for (const context of contexts) {
            signal?.throwIfAborted();
            const logprobs =
              context.tokens.ids.length === 0
                ? new Float32Array(0)
                : await scorer.logprobs({ tokens: context.tokens.ids });
            phrases.push(scorePhrases(context, logprobs));
          }
          const unitCounts = contexts.map((context) => context.units.length);
          return (budget) => dropLeastInformative(phrases, unitCounts, budget);
        },
        models: (scorer) => ({ scorer: scorer.modelId }),
      },
      input,
      options,
      env,
    ),
} as const satisfies Compressor<SelectiveContextOptions>;
