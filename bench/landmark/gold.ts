import { type Block, splitIntoBlocks } from "../../src/compressors/landmark/blocking.js";
import type { Tokenizer } from "../../src/model/types.js";
import type { TaskSample } from "../tasks/index.js";

/** Where an answer occurs in a sample: a context and a [start, end) range of its text. */
export interface AnswerLocation {
  readonly context: number;
  readonly start: number;
  readonly end: number;
}

/**
 * Every occurrence of a reference answer inside a needle that states it (the passkey needle
 * states its key twice; a multi-value sample has one needle per answer). Occurrences elsewhere in
 * the haystack (a number that happens to appear in the corpus text) do not count.
 */
export function answerLocations(sample: TaskSample): AnswerLocation[] {
  const locations: AnswerLocation[] = [];
  for (const answer of sample.answers) {
    const needles = sample.meta.needles.filter((needle) => needle.includes(answer));
    sample.contexts.forEach((text, context) => {
      for (const needle of needles) {
        for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) {
          for (
            let inner = needle.indexOf(answer);
            inner !== -1;
            inner = needle.indexOf(answer, inner + 1)
          ) {
            locations.push({ context, start: at + inner, end: at + inner + answer.length });
          }
        }
      }
    });
  }
  if (locations.length === 0) throw new Error(`sample ${sample.id}: no needle states its answer`);
  return locations;
}

/** A block of one of the sample's contexts. */
export interface ContextBlock {
  readonly context: number;
  readonly block: Block;
}

/** Indexes (into `blocks`) of the blocks that overlap any of the locations. */
export function blocksOverlapping(
  blocks: readonly ContextBlock[],
  locations: readonly AnswerLocation[],
): number[] {
  return blocks.flatMap(({ context, block }, index) =>
    locations.some(
      (location) =>
        location.context === context && location.start < block.end && location.end > block.start,
    )
      ? [index]
      : [],
  );
}

/** A sample's blocks, context after context, with their token ids. */
export interface BlockedSample {
  readonly blocks: ContextBlock[];
  readonly ids: number[][];
}

/** Splits every context of a sample into blocks, as the landmark index does. */
export function blockSample(
  sample: TaskSample,
  tokenizer: Tokenizer,
  blockTokens: number,
): BlockedSample {
  const blocks: ContextBlock[] = [];
  const ids: number[][] = [];
  sample.contexts.forEach((text, context) => {
    const tokens = tokenizer.encodeWithSpans(text);
    for (const block of splitIntoBlocks(text, tokens, blockTokens)) {
      blocks.push({ context, block });
      ids.push(tokens.ids.slice(block.firstToken, block.firstToken + block.tokenCount));
    }
  });
  return { blocks, ids };
}
