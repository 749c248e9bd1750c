import { z } from "zod";
import { at } from "../../errors/at.js";
import { CompressionInputError } from "../../errors/index.js";
import type { Embedder } from "../../model/types.js";
import type { CompressEnv, Compressor } from "../types.js";
import { type BlockScorer, compressByBlockRetrieval, requireQuestion } from "./block-retrieval.js";
import {
  buildLandmarkIndex,
  type LandmarkIndex,
  type LandmarkIndexProvider,
} from "./landmark-index.js";
import { bm25BlockScores, fuseLexical } from "./lexical-scores.js";
import { blockRetrievalShape, landmarkScoringShape } from "./options.js";

export const landmarkOptionsSchema = z.strictObject({
  method: z.literal("landmark"),
  ...blockRetrievalShape({ rate: 1, topK: 8 }),
  ...landmarkScoringShape,
});
export type LandmarkOptions = z.output<typeof landmarkOptionsSchema>;

export async function requireEmbedder(method: string, env: CompressEnv): Promise<Embedder> {
  if (env.models.embedder === undefined) {
    throw CompressionInputError.of(
      ["models", "embedder"],
      `${method} needs an embedder, and the configured models provide none`,
    );
  }
  return env.models.embedder();
}

/** Dot products of each row of `vectors` (rows × dimensions) with `query`: cosines of unit vectors. */
export function dotScores(
  vectors: Float32Array,
  dimensions: number,
  query: Float32Array,
): Float32Array {
  const rows = dimensions === 0 ? 0 : vectors.length / dimensions;
  const scores = new Float32Array(rows);
  for (let row = 0; row < rows; row++) {
    let sum = 0;
    const offset = row * dimensions;
    for (let d = 0; d < dimensions; d++) sum += at(vectors, offset + d) * at(query, d);
    scores[row] = sum;
  }
  return scores;
}

/** Without an injected index store, each index is built for the one compression that needs it. */
const buildEveryTime: LandmarkIndexProvider = {
  index: async (request) => ({ index: await buildLandmarkIndex(request), built: true }),
};

/**
 * Block scores from landmark indexes: each context's index (found in the env's index store, or
 * built and stored there first), the question embedded by the same model, one dot product per
 * block. Indexing is the expensive part, done once per document; a question costs one embedding.
 */
export function landmarkBlockScorer(
  embedder: Embedder,
  env: CompressEnv,
  lexicalWeight: number,
): BlockScorer {
  const indexes = env.landmarkIndexes ?? buildEveryTime;
  return {
    tokenizer: embedder.tokenizer,
    models: { embedder: embedder.modelId },
    score: async ({ texts, question, blockTokens, timer, signal, onProgress }) => {
      const total = texts.reduce((sum, text) => sum + text.length, 0) || 1;
      let done = 0;
      const found: LandmarkIndex[] = [];
      for (const text of texts) {
        const outcome = await timer.time("index", () =>
          indexes.index({
            text,
            blockTokens,
            embedder,
            signal,
            onProgress: (fraction) => onProgress((done + fraction * text.length) / total),
          }),
        );
        done += text.length;
        found.push(outcome.index);
      }
      const [query] = await timer.time("embed-question", () => embedder.embed([question]));
      return timer.time("score", () => {
        const cosines = found.map((index) =>
          dotScores(index.vectors, index.dimensions, query ?? new Float32Array(0)),
        );
        const blocks = found.map((index) => index.blocks);
        const scores =
          lexicalWeight > 0
            ? fuseLexical(cosines, bm25BlockScores(texts, blocks, question), lexicalWeight)
            : cosines;
        return blocks.map((own, c) => ({ blocks: own, scores: scores[c] ?? [] }));
      });
    },
  };
}

/**
 * Landmark retrieval (after Mohtashami & Jaggi's Landmark Attention, outside the attention
 * kernel): one vector per block, stored as a persistent index; a question retrieves its top
 * blocks by cosine under the token budget, with neighbours and reordering on request.
 */
export const landmarkCompressor = {
  method: "landmark",
  requiredModel: "embedder",
  optionsSchema: landmarkOptionsSchema,
  validate: (input) => requireQuestion("landmark", input),
  compress: async (input, options, env) => {
    requireQuestion("landmark", input);
    const embedder = await requireEmbedder("landmark", env);
    return compressByBlockRetrieval(
      "landmark",
      input,
      options,
      env,
      landmarkBlockScorer(embedder, env, options.lexicalWeight),
    );
  },
} as const satisfies Compressor<LandmarkOptions>;
