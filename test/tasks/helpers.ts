import type { HaystackSource, TokenCounter } from "../../bench/tasks/index.js";

/** A cheap, deterministic stand-in tokenizer for generator tests: one token per word or symbol. */
export const countWords: TokenCounter = (text) => text.match(/\w+|[^\w\s]/g)?.length ?? 0;

/** Small numbered paragraphs, so tests can tell which text a haystack drew. */
export const TEST_HAYSTACK: HaystackSource = {
  name: "test",
  paragraphs: Array.from(
    { length: 50 },
    (_, i) =>
      `Paragraph ${i} begins here. It has a second sentence about item ${i}. A third one closes paragraph ${i}.`,
  ),
};
