import { type CoarseToFineStrategy, compressCoarseToFine } from "./coarse-to-fine.js";
import { validateLlmlinguaRequest } from "./llmlingua-validation.js";
import { type LlmlinguaOptions, llmlinguaOptionsSchema } from "./options.js";
import { rankWithLanguageModel } from "./rankers/language-model.js";
import type { Compressor } from "./types.js";

/**
 * LLMLingua (Jiang et al., 2023): the budget controller ranks contexts by perplexity (most
 * surprising first), then iterative token-level compression keeps the tokens with the highest
 * NLL given the compressed prefix. The question plays no part; it is appended verbatim.
 */
const perplexityStrategy: CoarseToFineStrategy = {
  rank: ({ scorer, contexts, signal, onProgress }) =>
    rankWithLanguageModel(
      scorer,
      contexts.map((context) => context.tokens.ids),
      [],
      "none",
      { signal, onProgress },
    ),
  contrastWith: () => null,
};

export const llmlinguaCompressor = {
  method: "llmlingua",
  requiredModel: "scorer",
  optionsSchema: llmlinguaOptionsSchema,
  validate: validateLlmlinguaRequest,
  compress: (input, options, env) => {
    validateLlmlinguaRequest(input, options);
    return compressCoarseToFine("llmlingua", input, options, env, perplexityStrategy);
  },
} as const satisfies Compressor<LlmlinguaOptions>;
