import { drawText, firstWords, fitLength, insertAtDepths, wordPieces } from "./haystack.js";
import type { BaseOptions } from "./options.js";
import { readerPrompt } from "./prompt.js";
import type { Rng } from "./rng.js";
import type { TaskName, TaskSample } from "./types.js";

export interface HaystackTaskParts {
  readonly task: TaskName;
  readonly instruction: string;
  readonly question: string;
  readonly answerPrefix: string;
  readonly answers: readonly string[];
  /** Sentences to hide and their relative depths in the haystack. */
  readonly needles: readonly { readonly sentence: string; readonly depth: number }[];
  /** The queried needle's depth, when one needle is the target. */
  readonly depth?: number;
  /** Distinguishes samples that differ only in placement (e.g. "d0.25"). */
  readonly idSuffix?: string;
}

/** One haystack filled to the requested length with the needles at their depths. */
export function haystackSample(
  options: BaseOptions,
  rng: Rng,
  parts: HaystackTaskParts,
): TaskSample {
  const { countTokens, lengthTokens, haystack } = options;
  // A margin over the length: joins and the needles make the count of the whole slightly uneven.
  const pieces = wordPieces(
    drawText(haystack, rng, Math.ceil(lengthTokens * 1.1) + 64, countTokens),
  );
  const contextOf = (words: number) => insertAtDepths(firstWords(pieces, words), parts.needles);
  const fit = fitLength(
    (words) => readerPrompt({ ...parts, contexts: [contextOf(words)] }),
    pieces.length,
    lengthTokens,
    countTokens,
  );
  const needles = [...parts.needles].sort((a, b) => a.depth - b.depth).map((n) => n.sentence);
  return {
    id: `${parts.task}-${lengthTokens}-s${options.seed}${parts.idSuffix ? `-${parts.idSuffix}` : ""}`,
    task: parts.task,
    instruction: parts.instruction,
    contexts: [contextOf(fit.n)],
    question: parts.question,
    answerPrefix: parts.answerPrefix,
    answers: parts.answers,
    meta: {
      lengthTokens: fit.tokens,
      requestedTokens: lengthTokens,
      seed: options.seed,
      haystack: haystack.name,
      ...(parts.depth !== undefined ? { depth: parts.depth } : {}),
      needles,
    },
  };
}
