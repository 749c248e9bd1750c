import { CompressionInputError } from "../../errors/index.js";
import { ModelConfigError } from "../../errors/model-config-error.js";
import type { SummaryCompressor } from "../../model/types.js";
import { assemblePrompt } from "../assemble.js";
import { ProgressReporter } from "../progress.js";
import { StageTimer } from "../stage-timer.js";
import { buildStats, tokenCounts } from "../stats.js";
import type { CompressEnv, CompressionResult, Compressor, SummarizedContext } from "../types.js";
import { fitSegmentLength } from "./fit-segment-length.js";
import { type GistOptions, gistOptionsSchema, segmentLength } from "./options.js";
import type { StoredSummary } from "./summary-vectors.js";

export async function requireSummaryCompressor(env: CompressEnv): Promise<SummaryCompressor> {
  if (env.models.summaryCompressor === undefined) {
    throw CompressionInputError.of(
      ["models", "gist"],
      "gist needs an AutoCompressor, and the configured models provide none",
    );
  }
  return env.models.summaryCompressor();
}

/** What stands in a text prompt for a context that became vectors (never read by a model). */
export function vectorPlaceholder(context: SummarizedContext): string {
  return `[gist: ${context.vectors} summary vectors of document ${context.documentSha256.slice(0, 12)} by ${context.modelId}]`;
}

function summarizedContext(
  index: number,
  summary: StoredSummary,
  computed: boolean,
): SummarizedContext {
  return {
    index,
    documentSha256: summary.documentSha256,
    modelId: summary.modelId,
    segmentTokens: summary.segmentTokens,
    tokens: summary.tokens,
    segments: summary.blocks.length,
    vectors: summary.blocks.length * summary.summaryTokens,
    computed,
  };
}

/**
 * Gist compression with an AutoCompressor (Chevalier et al., arXiv:2305.14788): each context is
 * cut into segments; each segment is read after the summary vectors of the segments before it
 * and leaves κ new vectors. The vectors are stored (Redis in workers) under the document's hash,
 * the model's id and the segment length, so later questions on the same document do no
 * compression work. The result references them; the reader reads them as input embeddings
 * before the instruction and question (src/pipeline/gist-answer.ts).
 */
export const gistCompressor = {
  method: "gist",
  requiredModel: "summaryCompressor",
  optionsSchema: gistOptionsSchema,
  compress: async (input, options: GistOptions, env): Promise<CompressionResult> => {
    const timer = new StageTimer();
    const compressor = await requireSummaryCompressor(env);
    const summaries = env.summaryVectors;
    if (summaries === undefined) {
      // The vectors live outside the result: without a store the answer could never read them.
      throw new ModelConfigError("gist needs a summary vector store (env.summaryVectors)");
    }
    const tokenizer = compressor.tokenizer;
    const readerText = assemblePrompt({ ...input, contexts: [] });
    const readerTokens = tokenizer.encode(readerText).length;
    const contexts = input.contexts
      .map((text, index) => ({ text, index }))
      .filter(({ text }) => text.trim() !== "");
    // Tokenized once, with spans: the token total sets the first segment length, the spans let
    // fitSegmentLength count the segments the cuts make.
    const tokenized = await timer.time("tokenize", () =>
      contexts.map(({ text }) => ({ text, tokens: tokenizer.encodeWithSpans(text) })),
    );
    const contextTokens = tokenized.reduce((sum, { tokens }) => sum + tokens.ids.length, 0);
    const firstGuess = segmentLength({
      options,
      summaryTokens: compressor.summaryTokens,
      modelSegmentTokens: compressor.segmentTokens,
      contextTokens,
      readerTokens,
    });
    // A token budget is a hard limit (the reader's window): count the segments the cuts really
    // make. An explicit segmentTokens is taken as given.
    const { targetTokens } = options;
    const segmentTokens =
      targetTokens === undefined || options.segmentTokens !== undefined
        ? firstGuess
        : await timer.time("tokenize", () =>
            fitSegmentLength({
              contexts: tokenized,
              summaryTokens: compressor.summaryTokens,
              targetTokens,
              readerTokens,
              initial: firstGuess,
            }),
          );

    const progress = new ProgressReporter(env.onProgress, { summarize: 1 });
    const totalChars = contexts.reduce((sum, { text }) => sum + text.length, 0) || 1;
    let doneChars = 0;
    const summarized: SummarizedContext[] = [];
    for (const { text, index } of contexts) {
      const outcome = await timer.time("summarize", () =>
        summaries.summarize({
          text,
          segmentTokens,
          compressor,
          signal: env.signal,
          onSegment: (done, total) =>
            progress.report("summarize", (doneChars + (done / total) * text.length) / totalChars),
        }),
      );
      doneChars += text.length;
      progress.report("summarize", doneChars / totalChars);
      summarized.push(summarizedContext(index, outcome.summary, outcome.computed));
    }

    const vectors = summarized.reduce((sum, context) => sum + context.vectors, 0);
    const originalTokens = tokenizer.encode(assemblePrompt(input)).length;
    const placeholders = summarized.map(vectorPlaceholder);
    return {
      kind: "vectors",
      method: "gist",
      preview: assemblePrompt({ ...input, contexts: placeholders }),
      contexts: summarized.map((context, i) => ({
        index: context.index,
        text: placeholders[i] ?? "",
        keptSpans: [],
        originalTokens: context.tokens,
        compressedTokens: context.vectors,
      })),
      summary: {
        modelId: compressor.modelId,
        summaryTokens: compressor.summaryTokens,
        hiddenSize: compressor.hiddenSize,
        contexts: summarized,
        readerText,
        ratio: vectors === 0 ? Number.POSITIVE_INFINITY : contextTokens / vectors,
      },
      stats: buildStats({
        // Each vector takes one position of the reader, like a token.
        counts: tokenCounts(tokenizer.name, originalTokens, vectors + readerTokens),
        timer,
        models: { gist: compressor.modelId },
      }),
      options: { ...options, segmentTokens },
    };
  },
} as const satisfies Compressor<GistOptions>;
