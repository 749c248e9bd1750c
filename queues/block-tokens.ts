import { z } from "zod";

/**
 * Block size of landmark indexes and of BM25 block retrieval, in the embedder's tokens. Chosen by
 * measurement (docs/BENCHMARKS.md, "Landmark retrieval"); the paper uses 50-token blocks. Here,
 * not in the compressors, because index jobs carry it.
 */
export const DEFAULT_BLOCK_TOKENS = 64;

const POSITIVE_BLOCK_TOKENS = { message: "blockTokens must be a positive integer" };

/** Tokens per block; an index is built (and stored) per block size. */
export const blockTokensSchema = z
  .number()
  .int(POSITIVE_BLOCK_TOKENS)
  .positive(POSITIVE_BLOCK_TOKENS)
  .max(4096);
