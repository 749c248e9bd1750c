import { z } from "zod";
import { haystackSample } from "./haystack-task.js";
import { MAGIC_INSTRUCTION, magicKey, magicNeedle, magicValue } from "./magic-numbers.js";
import { baseOptionsSchema, depthSchema } from "./options.js";
import { Rng } from "./rng.js";
import type { TaskSample } from "./types.js";
import { distinct } from "./vocabulary.js";

export const multiKeyOptionsSchema = baseOptionsSchema.extend({
  depth: depthSchema,
  /** Needles in all, one of them queried (RULER multikey_1 uses 4). */
  keys: z.number().int().min(1).max(64).default(4),
});
export type MultiKeyOptions = z.input<typeof multiKeyOptionsSchema>;

/**
 * Multi-key retrieval (RULER niah_multikey_1): `keys` needles "One of the special magic numbers
 * for <key> is: <7 digits>." with distinct keys; the queried one sits at `depth`, the distractors
 * at random depths. The answer is the queried key's number.
 */
export function multiKey(input: MultiKeyOptions): TaskSample {
  const options = multiKeyOptionsSchema.parse(input);
  const rng = new Rng(options.seed);
  const keys = distinct(options.keys, () => magicKey(rng));
  const values = distinct(options.keys, () => magicValue(rng));
  const [key, value] = [keys[0] as string, values[0] as string];
  return haystackSample(options, rng, {
    task: "multi-key",
    instruction: MAGIC_INSTRUCTION,
    question: `What is the special magic number for ${key} mentioned in the provided text?`,
    answerPrefix: `The special magic number for ${key} mentioned in the provided text is`,
    answers: [value],
    needles: keys.map((k, i) => ({
      sentence: magicNeedle(k, values[i] as string),
      depth: i === 0 ? options.depth : rng.next(),
    })),
    depth: options.depth,
    idSuffix: `k${options.keys}-d${options.depth}`,
  });
}
