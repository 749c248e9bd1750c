import { z } from "zod";
import { haystackSample } from "./haystack-task.js";
import { MAGIC_INSTRUCTION, magicKey, magicNeedle, magicValue } from "./magic-numbers.js";
import { baseOptionsSchema } from "./options.js";
import { Rng } from "./rng.js";
import type { TaskSample } from "./types.js";
import { distinct } from "./vocabulary.js";

export const multiValueOptionsSchema = baseOptionsSchema.extend({
  /** Needles for the one key (RULER multivalue uses 4). */
  values: z.number().int().min(1).max(64).default(4),
});
export type MultiValueOptions = z.input<typeof multiValueOptionsSchema>;

/**
 * Multi-value retrieval (RULER niah_multivalue): one key, `values` needles with different numbers
 * at random depths. Every number is an answer; the reference order is the order in the text.
 */
export function multiValue(input: MultiValueOptions): TaskSample {
  const options = multiValueOptionsSchema.parse(input);
  const rng = new Rng(options.seed);
  const key = magicKey(rng);
  const values = distinct(options.values, () => magicValue(rng));
  const depths = values.map(() => rng.next());
  const inTextOrder = values
    .map((v, i) => ({ v, d: depths[i] as number }))
    .sort((a, b) => a.d - b.d);
  return haystackSample(options, rng, {
    task: "multi-value",
    instruction: MAGIC_INSTRUCTION,
    question: `What are all the special magic numbers for ${key} mentioned in the provided text?`,
    answerPrefix: `The special magic numbers for ${key} mentioned in the provided text are`,
    answers: inTextOrder.map(({ v }) => v),
    needles: values.map((v, i) => ({ sentence: magicNeedle(key, v), depth: depths[i] as number })),
    idSuffix: `v${options.values}`,
  });
}
