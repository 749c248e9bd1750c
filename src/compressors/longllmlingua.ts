import { PART_SEPARATOR } from "./assemble.js";
import { type CoarseToFineStrategy, compressCoarseToFine } from "./coarse-to-fine.js";
import { validateLlmlinguaRequest } from "./llmlingua-validation.js";
import { type LongLlmlinguaOptions, longLlmlinguaOptionsSchema } from "./options.js";
import { bm25Scores } from "./rankers/bm25.js";
import { gzipDistances } from "./rankers/gzip.js";
import { QUESTION_SUFFIX, rankWithLanguageModel } from "./rankers/language-model.js";
import { rankByScore } from "./rankers/ranking.js";
import type { Compressor } from "./types.js";

/**
 * LongLLMLingua (Jiang et al., 2023): question-aware coarse ranking (the question's NLL given
 * each context, or BM25 / gzip distance), dynamic per-context ratios by rank, reordering, and
 * contrastive token scores NLL(x | prefix) − NLL(x | question, prefix). The question is kept
 * verbatim at the end of the prompt. `recover` (./recover.ts) maps answers back.
 */
function strategyFor(options: LongLlmlinguaOptions): CoarseToFineStrategy {
  return {
    rank: async ({ scorer, contexts, question = "", signal, onProgress }) => {
      const texts = contexts.map((context) => context.parsed.text);
      switch (options.rankMethod) {
        case "bm25":
          return rankByScore(bm25Scores(texts, question), "higher");
        case "gzip":
          return rankByScore(gzipDistances(texts, question), "lower");
        case "longllmlingua":
          return rankWithLanguageModel(
            scorer,
            contexts.map((context) => context.tokens.ids),
            scorer.tokenizer.encode(question + QUESTION_SUFFIX),
            options.conditionInQuestion,
            { signal, onProgress },
          );
      }
    },
    // The question goes before the contexts, as the reference's condition prefix does.
    contrastWith: (tokenizer, question = "") =>
      options.conditionCompare ? tokenizer.encode(question + PART_SEPARATOR) : null,
  };
}

export const longLlmlinguaCompressor = {
  method: "longllmlingua",
  requiredModel: "scorer",
  optionsSchema: longLlmlinguaOptionsSchema,
  validate: validateLlmlinguaRequest,
  compress: (input, options, env) => {
    validateLlmlinguaRequest(input, options);
    return compressCoarseToFine("longllmlingua", input, options, env, strategyFor(options));
  },
} as const satisfies Compressor<LongLlmlinguaOptions>;
