import { z } from "zod";
import { compressByBlockRetrieval, requireQuestion } from "../landmark/block-retrieval.js";
import { splitIntoBlocks } from "../landmark/blocking.js";
import { bm25BlockScores } from "../landmark/lexical-scores.js";
import { blockRetrievalShape } from "../landmark/options.js";
import type { Compressor } from "../types.js";

export const bm25BlocksOptionsSchema = z.strictObject({
  method: z.literal("bm25-blocks"),
  ...blockRetrievalShape({ rate: 1, topK: 8 }),
});
export type Bm25BlocksOptions = z.output<typeof bm25BlocksOptionsSchema>;

/**
 * BM25 block retrieval: the landmark method's blocking, selection and assembly with BM25 (over
 * all blocks of all contexts as one collection) in place of landmark vectors. Blocks are cut in
 * the scorer's tokens (the embedded scorer and embedder share one tokenizer, so the blocks are
 * the landmark index's); the model itself never runs.
 */
export const bm25BlocksCompressor = {
  method: "bm25-blocks",
  requiredModel: "scorer",
  optionsSchema: bm25BlocksOptionsSchema,
  validate: (input) => requireQuestion("bm25-blocks", input),
  compress: async (input, options, env) => {
    const scorer = await env.models.scorer();
    const { tokenizer } = scorer;
    return compressByBlockRetrieval("bm25-blocks", input, options, env, {
      tokenizer,
      models: { tokenizer: scorer.modelId },
      score: ({ texts, question, blockTokens, timer, onProgress }) =>
        timer.time("score", () => {
          const blocked = texts.map((text) =>
            splitIntoBlocks(text, tokenizer.encodeWithSpans(text), blockTokens),
          );
          const scores = bm25BlockScores(texts, blocked, question);
          onProgress(1);
          return blocked.map((blocks, c) => ({ blocks, scores: scores[c] ?? [] }));
        }),
    });
  },
} as const satisfies Compressor<Bm25BlocksOptions>;
