import { z } from "zod";
import { blockTokensSchema, DEFAULT_BLOCK_TOKENS } from "../../../queues/block-tokens.js";
import { REORDER_METHODS, sharedOptionsShape } from "../options.js";

/** Default BM25 weight in landmark scoring; see landmarkScoringShape and docs/BENCHMARKS.md. */
export const DEFAULT_LEXICAL_WEIGHT = 0.5;

const POSITIVE_TOP_K = { message: "topK must be a positive integer" };

/** Options of every block-retrieval method (landmark, BM25 blocks, landmark+longllmlingua). */
export function blockRetrievalShape(defaults: { rate: number; topK: number | null }) {
  return {
    ...sharedOptionsShape(defaults.rate),
    blockTokens: blockTokensSchema.default(DEFAULT_BLOCK_TOKENS),
    /**
     * Blocks retrieved for their own score (neighbours come on top), at most; null takes as many
     * as the token budget (rate or targetTokens) allows.
     */
    topK: z.number().int(POSITIVE_TOP_K).positive(POSITIVE_TOP_K).nullable().default(defaults.topK),
    /** Also retrieve the blocks right before and after each retrieved block. */
    neighbours: z.boolean().default(false),
    /** Order of the retrieved passages: document order, best first, or best at both edges. */
    reorder: z.enum(REORDER_METHODS).default("original"),
  };
}

/** How landmark methods score blocks. */
export const landmarkScoringShape = {
  /**
   * Weight of BM25 (scaled to [0, 1] by the best block) added to the landmark cosine: lexical
   * matches (invented names, keys) the embedding misses. 0 ranks by landmark vectors alone.
   */
  lexicalWeight: z.number().min(0).max(10).default(DEFAULT_LEXICAL_WEIGHT),
};
