/**
 * Passkey rows in other words than the benchmark's one sentence ("The pass key is N. Remember it.
 * N is the pass key."): a fact stated once, in one of several phrasings, about one of several
 * secrets, asked about in matching words. Training only: the reader trained on the classic
 * sentence alone found the key's first digits in a reworded fact (the demo's) but did not copy
 * the rest. The words here deliberately avoid the demo's (examples/long-document.json), so the
 * demo stays a held-out test of the rewording.
 */
import { haystackSample } from "../bench/tasks/haystack-task.js";
import type { BaseOptions } from "../bench/tasks/options.js";
import { PASSKEY_INSTRUCTION } from "../bench/tasks/passkey.js";
import { Rng } from "../bench/tasks/rng.js";
import type { TaskSample } from "../bench/tasks/types.js";

const SECRETS = [
  "pass key",
  "passkey",
  "secret code",
  "access code",
  "secret number",
  "combination",
  "PIN",
  "password",
];
const OWNERS = ["vault", "mill", "farm", "company", "old chest", "school", "library", "garage"];
const HOLDERS = ["The clerk", "The teacher", "My aunt", "The gardener", "The mayor", "The doctor"];
const PLACES = ["her notebook", "a letter", "his diary", "the guest book", "a postcard"];

interface Phrasing {
  readonly sentence: string;
  readonly question: string;
  readonly answerPrefix: string;
}

function phrasing(rng: Rng, key: string): Phrasing {
  const secret = rng.pick(SECRETS);
  const owner = rng.pick(OWNERS);
  switch (rng.int(0, 3)) {
    case 0:
      return {
        sentence: `The ${secret} is ${key}.`,
        question: `What is the ${secret}?`,
        answerPrefix: `The ${secret} is`,
      };
    case 1: {
      const place = rng.pick(PLACES);
      return {
        sentence: `${rng.pick(HOLDERS)} wrote the ${owner}'s ${secret} in ${place}: the ${secret} is ${key}.`,
        question: `What is the ${owner}'s ${secret} written in ${place}?`,
        answerPrefix: `The ${owner}'s ${secret} is`,
      };
    }
    case 2:
      return {
        sentence: `Remember this: the ${secret} of the ${owner} is ${key}.`,
        question: `What is the ${secret} of the ${owner}?`,
        answerPrefix: `The ${secret} of the ${owner} is`,
      };
    default:
      return {
        sentence: `${rng.pick(HOLDERS)} said that the ${secret} for the ${owner} was ${key}.`,
        question: `What was the ${secret} for the ${owner}?`,
        answerPrefix: `The ${secret} for the ${owner} was`,
      };
  }
}

/**
 * A passkey sample whose fact is one reworded sentence at `depth`; half the samples carry the
 * classic instruction, half none (as a user's own question comes). Task name "passkey".
 */
export function rewordedPasskey(options: BaseOptions & { readonly depth: number }): TaskSample {
  const rng = new Rng(options.seed);
  const key = rng.digits(5);
  const words = phrasing(rng, key);
  return haystackSample(options, rng, {
    task: "passkey",
    instruction: rng.next() < 0.5 ? PASSKEY_INSTRUCTION : "",
    question: words.question,
    answerPrefix: words.answerPrefix,
    answers: [key],
    needles: [{ sentence: words.sentence, depth: options.depth }],
    depth: options.depth,
    idSuffix: `reworded-d${options.depth}`,
  });
}
