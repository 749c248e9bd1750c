import { z } from "zod";
import { InternalInvariantError } from "../../errors/internal-invariant-error.js";
import type { Span } from "../../model/types.js";
import { longLlmlinguaCompressor } from "../longllmlingua.js";
import { longLlmlinguaOptionsSchema } from "../options.js";
import { ProgressReporter } from "../progress.js";
import { StageTimer } from "../stage-timer.js";
import { buildStats, targetCounts, tokenCounts } from "../stats.js";
import type { CompressedContext, Compressor } from "../types.js";
import { requireQuestion, retrieve } from "./block-retrieval.js";
import { landmarkBlockScorer, requireEmbedder } from "./landmark.js";
import { blockRetrievalShape, landmarkScoringShape } from "./options.js";

export const landmarkLongLlmlinguaOptionsSchema = z.strictObject({
  method: z.literal("landmark+longllmlingua"),
  ...blockRetrievalShape({ rate: 0.1, topK: null }),
  ...landmarkScoringShape,
  /** Tokens retrieved for the pruning stage, as a multiple of the contexts' share of the target. */
  retrieveFactor: z.number().min(1).max(32).default(2),
  /** Options of the LongLLMLingua stage (its target is this method's; contexts are plain text). */
  longllmlingua: longLlmlinguaOptionsSchema
    .omit({
      method: true,
      rate: true,
      targetTokens: true,
      targetTokenizer: true,
      structuredTags: true,
    })
    .prefault({}),
});
export type LandmarkLongLlmlinguaOptions = z.output<typeof landmarkLongLlmlinguaOptionsSchema>;

/**
 * Two stages: landmark retrieval takes `retrieveFactor` times the target's worth of blocks from
 * the stored index (cheap once the document is indexed), then LongLLMLingua prunes those passages
 * token by token to the exact target (rate × the original prompt, or targetTokens, in the
 * scorer's tokens). LongLLMLingua then scores a few thousand tokens instead of the whole document.
 * Kept spans are mapped back to the original contexts.
 */
export const landmarkLongLlmlinguaCompressor = {
  method: "landmark+longllmlingua",
  requiredModel: "embedder",
  optionsSchema: landmarkLongLlmlinguaOptionsSchema,
  validate: (input) => requireQuestion("landmark+longllmlingua", input),
  compress: async (input, options, env) => {
    requireQuestion("landmark+longllmlingua", input);
    const timer = new StageTimer();
    const progress = new ProgressReporter(env.onProgress, { retrieve: 4, prune: 6 });
    const embedder = await requireEmbedder("landmark+longllmlingua", env);
    const scorer = await env.models.scorer();
    const { budget, passages } = await retrieve({
      scorer: landmarkBlockScorer(embedder, env, options.lexicalWeight),
      input,
      options,
      tokenizer: scorer.tokenizer,
      passageTokens: (prompt) => Math.ceil(prompt.contextTokens * options.retrieveFactor),
      timer,
      signal: env.signal,
      onProgress: (fraction) => progress.report("retrieve", fraction),
    });
    progress.report("retrieve", 1);
    const pruned = await longLlmlinguaCompressor.compress(
      {
        ...input,
        contexts: passages.map((passage) =>
          (budget.texts[passage.context] ?? "").slice(passage.start, passage.end),
        ),
      },
      longLlmlinguaOptionsSchema.parse({
        ...options.longllmlingua,
        method: "longllmlingua",
        targetTokens: Math.max(1, budget.target),
        structuredTags: false,
      }),
      { ...env, onProgress: ({ fraction }) => progress.report("prune", fraction) },
    );
    const contexts: CompressedContext[] = pruned.contexts.map((context) => {
      const passage = passages[context.index];
      const offset = passage?.start ?? 0;
      return {
        ...context,
        index: passage?.context ?? 0,
        keptSpans: context.keptSpans.map(([start, end]): Span => [start + offset, end + offset]),
        originalTokens: budget.tokensOf(passage?.context ?? 0),
      };
    });
    if (pruned.kind !== "text") {
      throw new InternalInvariantError("longllmlingua returned a vector compression");
    }
    const stats = buildStats({
      counts: tokenCounts(
        scorer.tokenizer.name,
        budget.originalTokens,
        pruned.stats.counts.compressedTokens,
      ),
      target: await targetCounts(options.targetTokenizer, budget.originalPrompt, pruned.prompt),
      timer,
      models: { embedder: embedder.modelId, scorer: scorer.modelId },
    });
    const pruneTimings = Object.entries(pruned.stats.timingsMs).map(
      ([stage, ms]) => [`longllmlingua.${stage}`, ms] as const,
    );
    return {
      kind: "text",
      method: "landmark+longllmlingua",
      prompt: pruned.prompt,
      contexts,
      stats: { ...stats, timingsMs: { ...stats.timingsMs, ...Object.fromEntries(pruneTimings) } },
      options: { ...options },
    };
  },
} as const satisfies Compressor<LandmarkLongLlmlinguaOptions>;
