import { z } from "zod";
import { sharedOptionsShape } from "../options.js";
import type { Compressor } from "../types.js";
import { type ContextUnits, compressByUnits } from "./context-units.js";

export const randomOptionsSchema = z.strictObject({
  method: z.literal("random"),
  ...sharedOptionsShape(0.5),
  /** Same seed, same input: same tokens dropped. */
  seed: z.number().int().nonnegative().default(0),
});
export type RandomOptions = z.output<typeof randomOptionsSchema>;

/** A well-mixed 32-bit hash of (seed, position): each unit's place in the random order. */
function priority(seed: number, position: number): number {
  let x = Math.imul(seed ^ 0x5bd1e995, 0x27d4eb2d) ^ Math.imul(position + 1, 0x165667b1);
  x = Math.imul(x ^ (x >>> 15), 0x85ebca77);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae3d);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * Keeps units in a seeded random order while they fit the budget: every unit is equally likely to
 * survive, and the kept share of tokens is the rate (up to one unit), whatever the text.
 */
export function randomFlags(
  contexts: readonly ContextUnits[],
  budget: number,
  seed: number,
): boolean[][] {
  const flags = contexts.map((context) => context.units.map(() => false));
  const order = contexts
    .flatMap((context, c) => context.units.map((unit, u) => ({ c, u, tokens: unit.tokenCount })))
    .map((entry, position) => ({ ...entry, priority: priority(seed, position) }))
    .sort((a, b) => a.priority - b.priority);
  let used = 0;
  for (const { c, u, tokens } of order) {
    if (used + tokens > budget) continue;
    used += tokens;
    (flags[c] as boolean[])[u] = true;
  }
  return flags;
}

/** Random token dropping: the floor any informed method must beat. */
export const randomCompressor = {
  method: "random",
  requiredModel: "scorer",
  optionsSchema: randomOptionsSchema,
  compress: (input, options, env) =>
    compressByUnits(
      {
        method: "random",
        prepare: async (contexts) => (budget) => randomFlags(contexts, budget, options.seed),
        models: (scorer) => ({ tokenizer: scorer.modelId }),
      },
      input,
      options,
      env,
    ),
} as const satisfies Compressor<RandomOptions>;
