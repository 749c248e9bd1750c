import type { Rng } from "./rng.js";
import { ADJECTIVES, NOUNS } from "./vocabulary.js";

/** RULER's needle-in-a-haystack wording, shared by the multi-key and multi-value tasks. */
export const MAGIC_INSTRUCTION =
  "Some special magic numbers are hidden within the following text. Make sure to memorize it. I will quiz you about the numbers afterwards.";

export function magicKey(rng: Rng): string {
  return `${rng.pick(ADJECTIVES)}-${rng.pick(NOUNS)}`;
}

/** RULER's values are 7-digit numbers. */
export function magicValue(rng: Rng): string {
  return rng.digits(7);
}

export function magicNeedle(key: string, value: string): string {
  return `One of the special magic numbers for ${key} is: ${value}.`;
}
