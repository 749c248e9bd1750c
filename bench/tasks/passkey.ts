import type { z } from "zod";
import { haystackSample } from "./haystack-task.js";
import { baseOptionsSchema, depthSchema } from "./options.js";
import { Rng } from "./rng.js";
import type { TaskSample } from "./types.js";

export const passkeyOptionsSchema = baseOptionsSchema.extend({ depth: depthSchema });
export type PasskeyOptions = z.input<typeof passkeyOptionsSchema>;

/** The reference task's instruction, verbatim. */
export const PASSKEY_INSTRUCTION =
  "There is an important info hidden inside a lot of irrelevant text. Find it and memorize them. I will quiz you about the important information there.";

/**
 * Passkey retrieval (landmark-attention's test): a 5-digit key hidden once in filler text at
 * `depth`; the answer is the key. Wording follows the reference task; the key has a fixed digit
 * count (the reference draws 1..50000) so that every sample asks for the same amount of copying.
 */
export function passkey(input: PasskeyOptions): TaskSample {
  const options = passkeyOptionsSchema.parse(input);
  const rng = new Rng(options.seed);
  const key = rng.digits(5);
  return haystackSample(options, rng, {
    task: "passkey",
    instruction: PASSKEY_INSTRUCTION,
    question: "What is the pass key?",
    answerPrefix: "The pass key is",
    answers: [key],
    needles: [
      {
        sentence: `The pass key is ${key}. Remember it. ${key} is the pass key.`,
        depth: options.depth,
      },
    ],
    depth: options.depth,
    idSuffix: `d${options.depth}`,
  });
}
