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
 * Drops the phrases with the least self-information, lowest first, until the context keeps at
 * most `keepTokens` tokens: one pass, no re-scoring (the paper's method has no iteration).
 */
export function dropLeastInformative(
  phrases: readonly ScoredPhrase[],
  unitCount: number,
  keepTokens: number,
): boolean[] {
  const flags = new Array<boolean>(unitCount).fill(true);
  let kept = phrases.reduce((sum, phrase) => sum + phrase.tokens, 0);
  const order = phrases
    .map((phrase, index) => ({ phrase, index }))
    .sort((a, b) => a.phrase.selfInformation - b.phrase.selfInformation || a.index - b.index);
  for (const { phrase } of order) {
    if (kept <= keepTokens || phrase.selfInformation === Number.POSITIVE_INFINITY) break;
    for (const unit of phrase.units) flags[unit] = false;
    kept -= phrase.tokens;
  }
  return flags;
}

/**
 * Selective-Context (Li et al., 2023): self-information from the scorer, pruned at the phrase
 * level. Each context keeps the same share of its tokens (the contexts' budget over their
 * total), as the reference compresses contexts one by one. Deviations: phrases come from a
 * rule-based chunker instead of spaCy's noun chunks, and units are dropped until the token rate
 * is met, where the reference drops those under a percentile of the unit count (so its achieved
 * token rate drifts from the one asked for).
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
          const total = contexts.reduce((sum, context) => sum + context.tokens.ids.length, 0);
          return (budget) => {
            const share = total === 0 ? 1 : Math.min(1, budget / total);
            return contexts.map((context, position) =>
              dropLeastInformative(
                phrases[position] ?? [],
                context.units.length,
                Math.round(share * context.tokens.ids.length),
              ),
            );
          };
        },
        models: (scorer) => ({ scorer: scorer.modelId }),
      },
      input,
      options,
      env,
    ),
} as const satisfies Compressor<SelectiveContextOptions>;
