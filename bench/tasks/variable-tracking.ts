import { z } from "zod";
import { haystackSample } from "./haystack-task.js";
import { baseOptionsSchema } from "./options.js";
import { Rng } from "./rng.js";
import type { TaskSample } from "./types.js";
import { distinct, variableName } from "./vocabulary.js";

export const variableTrackingOptionsSchema = baseOptionsSchema.extend({
  /** Assignments after the first in each chain (RULER: 4 hops, so 5 variables). */
  hops: z.number().int().min(1).max(16).default(4),
  /** Chains; the first is queried, the others (other values) distract. */
  chains: z.number().int().min(1).max(8).default(1),
});
export type VariableTrackingOptions = z.input<typeof variableTrackingOptionsSchema>;

/**
 * Variable tracking (RULER vt): "VAR ABCDE = 12345." then "VAR FGHIJ = VAR ABCDE." per hop, the
 * statements of a chain in order at sorted random depths. The answers are all variables that end
 * up holding the queried chain's value.
 */
export function variableTracking(input: VariableTrackingOptions): TaskSample {
  const options = variableTrackingOptionsSchema.parse(input);
  const rng = new Rng(options.seed);
  const length = options.hops + 1;
  const names = distinct(options.chains * length, () => variableName(rng));
  const values = distinct(options.chains, () => rng.digits(5));
  const needles = values.flatMap((value, c) => {
    const chain = names.slice(c * length, (c + 1) * length);
    const depths = chain.map(() => rng.next()).sort((a, b) => a - b);
    return chain.map((name, i) => ({
      sentence: i === 0 ? `VAR ${name} = ${value}.` : `VAR ${name} = VAR ${chain[i - 1]}.`,
      depth: depths[i] as number,
    }));
  });
  const value = values[0] as string;
  return haystackSample(options, rng, {
    task: "variable-tracking",
    instruction:
      "Memorize and track the chain(s) of variable assignment hidden in the following text.",
    question: `Find all variables that are assigned the value ${value} in the text above.`,
    answerPrefix: `According to the chain(s) of variables assigned in the text above, ${length} variables are assigned the value ${value}, they are:`,
    answers: names.slice(0, length),
    needles,
    idSuffix: `h${options.hops}-c${options.chains}`,
  });
}
