import { z } from "zod";
import { sharedOptionsShape } from "../options.js";
import type { Compressor } from "../types.js";
import { type ContextUnits, compressByUnits } from "./context-units.js";

export const TRUNCATE_STRATEGIES = ["head", "tail", "middle-out"] as const;

export const truncateOptionsSchema = z.strictObject({
  method: z.literal("truncate"),
  ...sharedOptionsShape(0.5),
  /**
   * Which tokens survive, over the contexts read in order as one text: "head" keeps the start,
   * "tail" the end, "middle-out" both ends (half the budget each), dropping the middle.
   */
  strategy: z.enum(TRUNCATE_STRATEGIES).default("head"),
});
export type TruncateOptions = z.output<typeof truncateOptionsSchema>;

/**
 * Which units each context keeps: units are taken from the chosen end(s) while they fit the
 * budget, never splitting a character.
 */
export function truncationFlags(
  contexts: readonly ContextUnits[],
  budget: number,
  strategy: TruncateOptions["strategy"],
): boolean[][] {
  const flags = contexts.map((context) => context.units.map(() => false));
  const order = contexts.flatMap((context, c) => context.units.map((unit, u) => ({ c, u, unit })));
  let used = 0;
  const take = (from: number, to: number, step: number, limit: number): number => {
    let at = from;
    for (; at !== to; at += step) {
      const entry = order[at];
      if (entry === undefined || used + entry.unit.tokenCount > limit) break;
      used += entry.unit.tokenCount;
      (flags[entry.c] as boolean[])[entry.u] = true;
    }
    return at;
  };
  switch (strategy) {
    case "head":
      take(0, order.length, 1, budget);
      break;
    case "tail":
      take(order.length - 1, -1, -1, budget);
      break;
    case "middle-out": {
      const headEnd = take(0, order.length, 1, Math.ceil(budget / 2));
      take(order.length - 1, headEnd - 1, -1, budget);
      break;
    }
  }
  return flags;
}

/** Truncation: the cheapest baseline; it uses the scorer's tokenizer and never runs the model. */
export const truncateCompressor = {
  method: "truncate",
  requiredModel: "scorer",
  optionsSchema: truncateOptionsSchema,
  compress: (input, options, env) =>
    compressByUnits(
      {
        method: "truncate",
        prepare: async (contexts) => (budget) =>
          truncationFlags(contexts, budget, options.strategy),
        models: (scorer) => ({ tokenizer: scorer.modelId }),
      },
      input,
      options,
      env,
    ),
} as const satisfies Compressor<TruncateOptions>;
